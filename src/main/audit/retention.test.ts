import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditEvent } from './entry';
import { AuditLog, verifyLogFile } from './log';
import { AuditForwarder } from './queue';
import { AuditRetention } from './retention';
import type { AuditSender } from './syslog';

const day = 86_400_000;
const t0 = Date.parse('2026-01-01T09:00:00Z');
/** Entry i was recorded i days after t0. */
const ev = (i: number): AuditEvent => ({ at: new Date(t0 + i * day), actor: '1101@x', subject: '1001@x', call: `call-${i}`, action: 'join', mode: 'listen', result: 'ok' });

const logs: AuditLog[] = [];
const forwarders: AuditForwarder[] = [];
afterEach(async () => {
  for (const f of forwarders.splice(0)) await f.stop();
  for (const l of logs.splice(0)) await l.close();
});

async function logWith(count: number, now = new Date(t0 + 100 * day)) {
  const dir = await mkdtemp(join(tmpdir(), 'wl-audit-retention-'));
  const path = join(dir, 'audit.log');
  const log = new AuditLog(path, { now: () => now });
  logs.push(log);
  for (let i = 0; i < count; i++) await log.append(ev(i));
  return { dir, path, log };
}

const seqsOn = async (path: string) => (await verifyLogFile(path)).entries.map((e) => [e.seq, e.action]);

class Destination implements AuditSender {
  readonly description = 'test destination';
  received: AuditEntry[] = [];
  async send(entries: readonly AuditEntry[]): Promise<void> {
    this.received.push(...entries);
  }
}

describe('audit retention', () => {
  it('removes entries older than the cut-off, records it, and the shortened log verifies and goes on', async () => {
    const { path, log } = await logWith(10);
    const r = await log.prune(new Date(t0 + 4 * day));
    expect(r).toEqual({ removed: 4, kept: 7, prunedThrough: 4, heldBack: 0 });
    expect(await seqsOn(path)).toEqual([[5, 'join'], [6, 'join'], [7, 'join'], [8, 'join'], [9, 'join'], [10, 'join'], [11, 'retention']]);
    const v = await verifyLogFile(path, { expectHead: log.head! });
    expect(v).toMatchObject({ ok: true, prunedThrough: 4 });
    expect(v.entries.at(-1)).toMatchObject({ action: 'retention', actor: 'whisperline', prunedThrough: 4, reason: expect.stringMatching(/^removed entries 1–4, recorded before 2026-01-05/) });
    // The log takes new entries after it, and a second pass removes the rest of what is old.
    await log.append(ev(11));
    expect((await log.prune(new Date(t0 + 8 * day))).removed).toBe(4);
    expect(await seqsOn(path)).toEqual([[9, 'join'], [10, 'join'], [11, 'retention'], [12, 'join'], [13, 'retention']]);
    expect(await verifyLogFile(path, { expectHead: log.head! })).toMatchObject({ ok: true, prunedThrough: 8 });
  });

  it('a log cut at the front without a retention entry does not verify', async () => {
    const { path } = await logWith(6);
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, lines.slice(2).join('\n'));
    const v = await verifyLogFile(path);
    expect(v.ok).toBe(false);
    expect(v.firstBad).toMatchObject({ line: 1, problem: 'removed-or-reordered', detail: expect.stringMatching(/starts at seq 3, but no retention entry says entries 1–2 were removed/) });
  });

  it('keeps what a forwarding destination has not received, and says how much', async () => {
    const { path, log } = await logWith(10);
    const r = await log.prune(new Date(t0 + 6 * day), 2);
    expect(r).toMatchObject({ removed: 2, heldBack: 4 });
    expect((await seqsOn(path))[0]).toEqual([3, 'join']);
  });

  it('never shortens a log that does not verify', async () => {
    const { path, log } = await logWith(5);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"call-1"', '"call-X"'));
    await expect(log.prune(new Date(t0 + 4 * day))).rejects.toThrow(/does not verify .*nothing was removed/);
    expect(await readFile(path, 'utf8')).toBe(text.replace('"call-1"', '"call-X"'));
  });

  it('when the shortened copy cannot be written, nothing is removed and the log still takes entries', async () => {
    const { path, log } = await logWith(5);
    const before = await readFile(path, 'utf8');
    // A folder where the copy goes stands in for a full disk.
    await mkdir(`${path}.pruning`);
    await expect(log.prune(new Date(t0 + 4 * day))).rejects.toThrow(/Could not shorten the audit log .*Nothing was removed/);
    expect(await readFile(path, 'utf8')).toBe(before);
    await log.append(ev(5));
    expect(await verifyLogFile(path, { expectHead: log.head! })).toMatchObject({ ok: true });
  });

  it('forwarding goes on after a prune: nothing sent twice, and a new destination starts at the oldest entry left', async () => {
    const { dir, path, log } = await logWith(6);
    const old = new Destination();
    const f1 = new AuditForwarder({ logPath: path, cursorPath: join(dir, 'a.cursor.json'), sender: old, log, pollMs: 30 });
    forwarders.push(f1);
    f1.start();
    await f1.whenForwarded(6);
    // Everything forwarded is old enough: all of it goes; the cursor's own entry with it.
    expect((await log.prune(new Date(t0 + 10 * day), 6)).removed).toBe(6);
    await log.append(ev(20));
    await f1.whenForwarded(8);
    expect(old.received.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(f1.status().paused).toBeUndefined();
    const fresh = new Destination();
    const f2 = new AuditForwarder({ logPath: path, cursorPath: join(dir, 'b.cursor.json'), sender: fresh, log, pollMs: 30 });
    forwarders.push(f2);
    f2.start();
    await f2.whenForwarded(8);
    expect(fresh.received.map((e) => [e.seq, e.action])).toEqual([[7, 'retention'], [8, 'join']]);
  });

  it('applies the policy’s days on a schedule and reports what it removed or kept', async () => {
    const now = new Date(t0 + 30 * day);
    const { path, log } = await logWith(30, now);
    const lines: string[] = [];
    let delivered = 10;
    const retention = new AuditRetention({ log, deliveredToAll: () => delivered, now: () => now, report: (l) => lines.push(l), intervalMs: 3_600_000 });
    try {
      expect(await retention.runOnce()).toBeNull(); // no policy yet: keep everything
      expect(await retention.apply(10)).toMatchObject({ removed: 10, heldBack: 10 });
      delivered = Number.MAX_SAFE_INTEGER;
      expect(await retention.runOnce()).toMatchObject({ removed: 10, heldBack: 0 });
      expect((await verifyLogFile(path)).entries[0]).toMatchObject({ seq: 21, at: new Date(t0 + 20 * day).toISOString() });
      expect(lines).toEqual([
        expect.stringMatching(/^Audit retention: removed 10 entries recorded before 2026-01-21T09:00:00.000Z \(the org policy keeps 10 days\)\.$/),
        'Audit retention: keeping 10 entries past 10 days until every forwarding destination has received them.',
        expect.stringMatching(/^Audit retention: removed 10 entries/),
      ]);
    } finally {
      retention.stop();
    }
  });
});
