import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { examplePolicy } from '../../node/adminCli';
import type { CallRecord } from '../../shared/callHistory';
import { bytesToBase64 } from '../../shared/policy/canonical';
import { parsePolicy, type OrgPolicy } from '../../shared/policy/schema';
import { openPglite, type SqlDb } from '../../server/db';
import { migrate } from '../../server/migrations';
import { fixedPolicySource } from '../../server/policySource';
import { OrgService } from '../../server/service';
import { HistoryFile } from '../historyFile';
import type { SupervisorKey } from '../policy/supervisorKey';
import { DeskOrgLink } from './deskOrgLink';

const me = '1001@pbx.test';

function deskKey(): SupervisorKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { publicKey: () => bytesToBase64(raw), sign: (b: Uint8Array) => new Uint8Array(nodeSign(null, b, privateKey)) } as unknown as SupervisorKey;
}

const call = (n: number): CallRecord => ({
  id: `c${n}`,
  direction: 'inbound',
  remote: 'sip:caller@trunk',
  remoteName: '',
  startedAt: new Date(Date.now() - 3600_000 + n * 1000).toISOString(),
  answeredAt: new Date(Date.now() - 3600_000 + n * 1000 + 2000).toISOString(),
  endedAt: new Date(Date.now() - 3000_000 + n * 1000).toISOString(),
  holdSeconds: 0,
  transfers: 0,
  outcome: 'answered',
  reason: '',
});

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('desk → org service upload (history file as the queue)', () => {
  let dir: string;
  let db: SqlDb;
  let service: OrgService | null = null;
  let policy: OrgPolicy;
  let key: SupervisorKey;
  let port: number;

  const rows = async () => (await db.query<{ n: number }>('select count(*)::int as n from calls'))[0].n;
  const startService = async () => {
    service = new OrgService({ db, policy: fixedPolicySource(() => ({ ok: true, policy, keyId: 't' })), log: () => undefined });
    await service.listen(port);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wl-orglink-'));
    key = deskKey();
    db = await openPglite(':memory:');
    await migrate(db);
    // A free port, then closed: the desk first finds nobody there.
    const probe = new OrgService({ db, policy: fixedPolicySource(() => ({ ok: false, reason: 'x' })), log: () => undefined });
    port = Number(new URL(await probe.listen(0)).port);
    await probe.close();
    const input = examplePolicy({ domain: 'pbx.test', issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z' });
    input.people = input.people.map((p) => (p.id === me ? { ...p, supervisorKeys: [{ publicKey: key.publicKey(), enrolledAt: '2026-01-01T00:00:00Z', label: 'desk' }] } : p));
    input.orgService = { url: `http://127.0.0.1:${port}` };
    const parsed = parsePolicy(input);
    if (!parsed.ok) throw new Error(parsed.reason);
    policy = parsed.policy;
  });
  afterEach(async () => {
    await service?.close();
    service = null;
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const link = (history: HistoryFile) =>
    new DeskOrgLink({ historyPath: history.path, cursorPath: join(dir, 'org-upload.cursor.json'), key: async () => key, identity: () => me, policy: () => policy, report: () => undefined, backoff: { baseMs: 50, capMs: 200 } });

  it('keeps calls made while the service is down and delivers each once when it is back, across a restart of the desk', async () => {
    const history = new HistoryFile(join(dir, 'call-history.jsonl'));
    const desk = link(history);
    for (let i = 0; i < 5; i++) await history.append({ kind: 'call', call: call(i) });
    await desk.changed();
    expect(desk.status.lastError).toMatch(/cannot be reached/);
    await startService();
    // Stored is not yet acknowledged: the desk writes its cursor after the service's answer.
    await until(async () => (await rows()) === 5 && existsSync(join(dir, 'org-upload.cursor.json')), 'five calls stored and acknowledged');
    desk.stop();

    // The desk restarts; its cursor file was lost with the crash: everything is sent again, stored once.
    await rm(join(dir, 'org-upload.cursor.json'));
    await history.append({ kind: 'wrapup', callId: 'c1', wrapUp: { disposition: 'Resolved', resolved: true, note: '' }, at: new Date().toISOString() });
    const again = link(history);
    await again.changed();
    expect(again.status.lastError).toBeNull();
    expect(await rows()).toBe(5);
    expect((await db.query<{ n: number }>('select count(*)::int as n from wrapups'))[0].n).toBe(1);
    again.stop();
  });

  it('waits at a torn last line and reads past a damaged one', async () => {
    const path = join(dir, 'call-history.jsonl');
    await writeFile(path, `${JSON.stringify({ kind: 'call', call: call(1) })}\n{"kind":"call","call":{broken\n${JSON.stringify({ kind: 'call', call: call(2) })}\n{"kind":"ca`);
    await startService();
    const desk = link(new HistoryFile(path));
    await desk.changed();
    expect(await rows()).toBe(2);
    desk.stop();
  });
});
