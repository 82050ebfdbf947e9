// Org admin CLI: `npx tsx scripts/admin.ts help`. The logic is in src/node/adminCli.ts.
import { runAdmin } from '../src/node/adminCli';

process.exitCode = await runAdmin(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
