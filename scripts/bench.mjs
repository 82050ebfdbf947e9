// `npm run bench [-- --samples N]`: installs what is missing, then measures on loopback.
import { ensureNodeModules, ensureSystemPackages, run } from './bootstrap.mjs';

ensureSystemPackages();
ensureNodeModules();
run('npx', ['vite', 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn']);
run('npx', ['tsx', 'scripts/bench.ts', ...process.argv.slice(2)]);
