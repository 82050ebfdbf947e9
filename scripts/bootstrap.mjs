// Installs what Whisperline's demo and tests need, only when it is missing, and says what it does.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const kamailioModuleDirs = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules'];

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Debian packages: kamailio (+ WebSocket module) for the local SIP server, chromium for the web build
 * and tests; with `syslog` (tests only: on a desktop the package also starts a system service) rsyslog
 * for the audit-forwarding test against a real syslog daemon; with `trunk` (tests only) baresip-core
 * (the PSTN-style customer: a SIP client on plain RTP G.711) and rtpengine-daemon (Kamailio's
 * WebRTC <-> RTP media bridge; the tests run their own on loopback ports, so the system service the
 * package starts is stopped and disabled right after installing it); with `postgres` (tests and the
 * benchmark) Debian's postgresql, the org service's database (each test starts its own throwaway
 * cluster on loopback, src/node/postgresServer.ts; the package's own cluster service is stopped and
 * disabled the same way).
 */
export function ensureSystemPackages({ chromium = true, syslog = false, trunk = false, postgres = false } = {}) {
  const wanted = [];
  if (!have('kamailio')) wanted.push('kamailio');
  if (!kamailioModuleDirs.some((d) => existsSync(join(d, 'websocket.so')))) wanted.push('kamailio-websocket-modules');
  if (!kamailioModuleDirs.some((d) => existsSync(join(d, 'presence.so')))) wanted.push('kamailio-presence-modules');
  // wss:// for the TLS test and `npm start -- --tls`: Kamailio's tls module, openssl for a throwaway certificate.
  if (!kamailioModuleDirs.some((d) => existsSync(join(d, 'tls.so')))) wanted.push('kamailio-tls-modules');
  if (!have('openssl')) wanted.push('openssl');
  if (chromium && !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) wanted.push('chromium');
  if (syslog && !existsSync('/usr/sbin/rsyslogd')) wanted.push('rsyslog');
  if (trunk && !existsSync('/usr/bin/baresip')) wanted.push('baresip-core');
  const rtpengineNew = trunk && !existsSync('/usr/bin/rtpengine');
  if (rtpengineNew) wanted.push('rtpengine-daemon');
  const postgresNew = postgres && !(existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', 'initdb'))));
  if (postgresNew) wanted.push('postgresql');
  if (wanted.length === 0) return;
  console.log(`[setup] Installing Debian packages: ${wanted.join(' ')} (local SIP server, browser, syslog daemon, trunk customer and media relay, org service database).`);
  const sudo = process.getuid?.() === 0 ? '' : have('sudo') ? 'sudo ' : null;
  if (sudo === null) {
    console.error(`[setup] Not root and no sudo: please run  apt-get install -y ${wanted.join(' ')}`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execSync(`${sudo}apt-get update -qq`, { stdio: 'inherit', env });
  execSync(`${sudo}apt-get install -y -qq --no-install-recommends ${wanted.join(' ')}`, { stdio: 'inherit', env });
  // Debian's rtpengine-daemon starts a system-wide rtpengine (every interface, ports 30000-40000,
  // ng on localhost:2223). Nothing here uses it: each test starts its own on loopback.
  if (rtpengineNew && existsSync('/run/systemd/system')) {
    console.log('[setup] Stopping and disabling the system rtpengine-daemon service the package started (the tests run their own on loopback).');
    spawnSync('sh', ['-c', `${sudo}systemctl disable --now rtpengine-daemon.service`], { stdio: 'inherit' });
  }
  if (postgresNew && existsSync('/run/systemd/system')) {
    console.log('[setup] Stopping and disabling the system PostgreSQL cluster the package started (the tests run their own on loopback).');
    spawnSync('sh', ['-c', `${sudo}systemctl disable --now postgresql.service`], { stdio: 'inherit' });
  }
}

/** npm ci when node_modules is missing or older than package-lock.json. Install scripts stay as package.json allows. */
export function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.whisperline-lock-hash');
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  console.log('[setup] Installing npm packages (npm ci).');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, hash);
}

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
