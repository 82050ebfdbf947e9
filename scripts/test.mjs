// `npm test`: installs what is missing, type-checks, then runs unit tests (Node) and end-to-end tests
// (real Kamailio + real Chromium; the Electron smoke test runs where an Electron binary exists).
import { ensureNodeModules, ensureSystemPackages, run } from './bootstrap.mjs';

ensureSystemPackages({ syslog: true, trunk: true, postgres: true });
ensureNodeModules();
run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
