import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findAsterisk } from '../../src/node/asteriskServer';
import { findFreeswitch } from '../../src/node/freeswitchServer';

// Build once for all browser and Electron tests: the web renderer, and main + preload + renderer.
// The web build goes to a directory of this run's own (served by tests/support/browser.ts), so a
// second test run or a bench in the same work tree rebuilding out/web cannot pull files from under
// the pages of this one.
export default function setup(): () => void {
  mkdirSync('out', { recursive: true });
  const webDir = mkdtempSync(join(process.cwd(), 'out', '.web-test-'));
  execFileSync('npx', ['vite', 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn', '--outDir', webDir, '--emptyOutDir'], { stdio: 'inherit' });
  process.env.WHISPERLINE_WEB_DIR = webDir;
  // Beside the app, at /hostile/: the bare SIP client the hostile-input tests send requests from.
  execFileSync('npx', ['vite', 'build', 'tests/support/hostile', '--base', './', '--outDir', join(webDir, 'hostile'), '--logLevel', 'warn'], { stdio: 'inherit' });
  execFileSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  const asterisk = findAsterisk();
  console.log(asterisk.found ? `Asterisk: ${asterisk.prefix} (call tests run against it as well as Kamailio)` : `Asterisk: skipped: ${asterisk.reason}`);
  const freeswitch = findFreeswitch();
  console.log(freeswitch.found ? `FreeSWITCH: ${freeswitch.prefix} (call tests run against it as well as Kamailio)` : `FreeSWITCH: skipped: ${freeswitch.reason}`);
  return () => rmSync(webDir, { recursive: true, force: true });
}
