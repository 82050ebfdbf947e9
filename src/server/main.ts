/**
 * `npx tsx src/server/main.ts --policy policy.signed.json --admin-key admin.pub [--db URL|DIR] [--port N] [--host H]`
 *   `[--recordings DIR | --s3 URL --s3-bucket NAME [--s3-region R]]`
 *
 * The org service as its own process. `--db postgres://user@host/db` for PostgreSQL (the password,
 * if any, from PGPASSWORD or ~/.pgpass, never on the command line); a folder for the embedded store
 * (default `./org-data`). Listens on 127.0.0.1:8470 unless told otherwise; put a TLS-terminating
 * reverse proxy in front for desks on other machines (README → For IT → Org service).
 */
import { basename, join } from 'node:path';
import { FileBlobStore, S3BlobStore, type BlobStore } from './blobStore';
import { openDatabase } from './db';
import { migrate } from './migrations';
import { filePolicySource } from './policySource';
import { OrgService } from './service';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

/**
 * `--s3 <endpoint> --s3-bucket <name> [--s3-region r]` with the keys in AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY; else `--recordings <folder>` (default: `recordings` beside an embedded
 * store, `./org-recordings` with PostgreSQL).
 */
function recordingStorage(dbTarget: string): BlobStore {
  const endpoint = arg('s3');
  if (endpoint) {
    const bucket = arg('s3-bucket');
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
    if (!bucket || !accessKeyId || !secretAccessKey) throw new Error('--s3 needs --s3-bucket and the keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY');
    return new S3BlobStore({ endpoint, bucket, region: arg('s3-region', 'us-east-1')!, accessKeyId, secretAccessKey });
  }
  const embedded = !/^postgres(ql)?:\/\//i.test(dbTarget);
  return new FileBlobStore(arg('recordings', embedded ? join(dbTarget, '..', `${basename(dbTarget)}-recordings`) : './org-recordings')!);
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
  const blobs = recordingStorage(target);
  console.log(`[org] Recordings: ${blobs.description}.`);
  const service = new OrgService({ db, blobs, policy: filePolicySource(policyPath, adminKeyPath) });
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
