/**
 * `npx tsx src/server/main.ts --policy policy.signed.json --admin-key admin.pub [--db URL|DIR] [--port N] [--host H]`
 *
 * The org service as its own process. `--db postgres://user@host/db` for PostgreSQL (the password,
 * if any, from PGPASSWORD or ~/.pgpass, never on the command line); a folder for the embedded store
 * (default `./org-data`). Listens on 127.0.0.1:8470 unless told otherwise; put a TLS-terminating
 * reverse proxy in front for desks on other machines (README → For IT → Org service).
 */
import { openDatabase } from './db';
import { migrate } from './migrations';
import { filePolicySource } from './policySource';
import { OrgService } from './service';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const policyPath = arg('policy');
  const adminKeyPath = arg('admin-key');
  if (!policyPath || !adminKeyPath) {
    console.error('Usage: tsx src/server/main.ts --policy <policy.signed.json> --admin-key <admin.pub> [--db postgres://…|<folder>] [--port 8470] [--host 127.0.0.1]');
    process.exit(2);
  }
  const target = arg('db', process.env.WHISPERLINE_ORG_DB ?? './org-data')!;
  const port = Number(arg('port', '8470'));
  const host = arg('host', '127.0.0.1')!;
  const db = await openDatabase(target);
  const applied = await migrate(db);
  console.log(`[org] Store: ${db.description}${applied.length ? ` (migrations applied: ${applied.join(', ')})` : ''}.`);
  const service = new OrgService({ db, policy: filePolicySource(policyPath, adminKeyPath) });
  const url = await service.listen(port, host);
  console.log(`[org] Listening on ${url} (policy ${policyPath}).`);
  const stop = async () => {
    await service.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: Error) => {
  console.error(`[org] Could not start: ${e.message}`);
  process.exit(1);
});
