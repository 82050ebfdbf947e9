// `npm run bench [-- --samples N]`: installs what is missing, then measures on loopback.
import { ensureNodeModules, ensureSystemPackages, run } from './bootstrap.mjs';

ensureSystemPackages({ trunk: true, postgres: true });
ensureNodeModules();
run('npx', ['vite', 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn']);
// The bare SIP.js page the latency figures are compared with (benchmark only, not shipped).
run('npx', ['vite', 'build', 'scripts/reference', '--base', './', '--outDir', '../../out/reference', '--emptyOutDir', '--logLevel', 'warn']);
run('npx', ['tsx', 'scripts/bench.ts', ...process.argv.slice(2)]);
