// `npm start`: installs what is missing, then runs the demo (local SIP server, a demo customer who
// calls in, and the agent view). `npm start -- --web` opens the web build even where Electron runs.
import { ensureNodeModules, ensureSystemPackages, run } from './bootstrap.mjs';

ensureSystemPackages();
ensureNodeModules();
run('npx', ['tsx', 'scripts/demo.ts', ...process.argv.slice(2)]);
