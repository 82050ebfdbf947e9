import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entryLine, sealEntry } from './chain';
import { normalizeEvent, type AuditEntry, type AuditEvent } from './entry';
import { AuditLog } from './log';
import { AuditForwarder, readCursor, readEntriesAfter, writeCursor, type ForwarderOptions } from './queue';
import type { AuditSender } from './syslog';

const ev = (i: number): AuditEvent => ({ actor: 'sip:sup@x', subject: 'sip:agent@x', call: `call-${i}`, action: 'join', mode: 'listen', result: 'ok' });

/** An in-memory destination that can be switched off. */
class FakeDestination implements AuditSender {
  readonly description = 'fake destination';
  received: AuditEntry[] = [];
  batches = 0;
  attempts = 0;
  online = true;
  async send(entries: readonly AuditEntry[]): Promise<void> {
    this.attempts += 1;
    await new Promise((r) => setTimeout(r, 1));
    if (!this.online) throw new Error('connection refused (is the log receiver running?)');
    this.batches += 1;
    this.received.push(...entries);
  }
  seqs(): number[] {
    return this.received.map((e) => e.seq);
  }
}

async function until(cond: () => boolean, what: string, ceilingMs = 20_000): Promise<void> {
  const end = Date.now() + ceilingMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const running: AuditForwarder[] = [];
const logs: AuditLog[] = [];
afterEach(async () => {
  for (const f of running.splice(0)) await f.stop();
  for (const l of logs.splice(0)) await l.close();
});

async function setup(count: number) {
  const dir = await mkdtemp(join(tmpdir(), 'wl-audit-fwd-'));
  const logPath = join(dir, 'audit.jsonl');
  const log = new AuditLog(logPath);
  logs.push(log);
  for (let i = 0; i < count; i++) await log.append(ev(i));
  return { dir, logPath, log, cursorPath: join(dir, 'syslog.cursor.json') };
}

function forwarder(opts: ForwarderOptions): AuditForwarder {
  const f = new AuditForwarder({ pollMs: 50, backoff: { baseMs: 10, capMs: 100 }, ...opts });
  running.push(f);
  f.start();
  return f;
}

describe('audit forwarding queue', () => {
  it('forwards the log in order, in batches, and saves the cursor after each acknowledged batch', async () => {
    const { logPath, log, cursorPath } = await setup(7);
    const dest = new FakeDestination();
    const f = forwarder({ logPath, cursorPath, sender: dest, log, batchSize: 3 });
    await f.whenForwarded(7);
    expect(dest.seqs()).toEqual(range(1, 7));
    expect(dest.batches).toBe(3);
    expect(await readCursor(cursorPath)).toEqual({ seq: 7, hash: log.head!.hash, offset: log.durableSize });
    expect(JSON.parse(await readFile(cursorPath, 'utf8'))).toHaveProperty('updatedAt');
    // New appends wake it up.
    await log.append(ev(7));
    await f.whenForwarded(8);
    expect(dest.seqs()).toEqual(range(1, 8));
    expect(f.status()).toMatchObject({ destination: 'fake destination', running: true, forwardedSeq: 8, failures: 0 });
  });

  it('holds entries while the destination is offline, retrying with back-off, and delivers each once when it is back', async () => {
    const { logPath, log, cursorPath } = await setup(2);
    const dest = new FakeDestination();
    dest.online = false;
    const statuses: string[] = [];
    const f = forwarder({ logPath, cursorPath, sender: dest, log, onStatus: (s) => s.lastError && statuses.push(s.lastError) });
    for (let i = 2; i < 6; i++) await log.append(ev(i));
    await until(() => f.status().failures >= 3, 'three failed attempts');
    expect(dest.received).toEqual([]);
    expect(f.status().lastError).toMatch(/connection refused/);
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(await readCursor(cursorPath)).toBeNull();
    dest.online = true;
    await f.whenForwarded(6);
    expect(dest.seqs()).toEqual(range(1, 6));
    expect(f.status()).toMatchObject({ failures: 0 });
    expect(f.status().lastError).toBeUndefined();
  });

  it('after a restart, resumes after the cursor: nothing sent twice, nothing skipped', async () => {
    const { logPath, log, cursorPath } = await setup(3);
    const first = new FakeDestination();
    const a = forwarder({ logPath, cursorPath, sender: first, log });
    await a.whenForwarded(3);
    await a.stop();
    for (let i = 3; i < 6; i++) await log.append(ev(i)); // written while forwarding was down
    await log.close();

    // A new process: new log object, new forwarder, same files.
    const log2 = new AuditLog(logPath);
    logs.push(log2);
    const second = new FakeDestination();
    const b = forwarder({ logPath, cursorPath, sender: second, log: log2 });
    await log2.append(ev(6));
    await b.whenForwarded(7);
    expect(first.seqs()).toEqual([1, 2, 3]);
    expect(second.seqs()).toEqual([4, 5, 6, 7]);
  });

  it('sends only acknowledged entries of the live log', async () => {
    const { logPath, log, cursorPath } = await setup(2);
    // Bytes past what the log acknowledged (a write in progress): a valid-looking third entry.
    const lines = (await readFile(logPath, 'utf8')).split('\n');
    const second = JSON.parse(lines[1]) as AuditEntry;
    await appendFile(logPath, entryLine(sealEntry(second, normalizeEvent(ev(99)))));
    const dest = new FakeDestination();
    const f = forwarder({ logPath, cursorPath, sender: dest, log });
    await f.whenForwarded(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(dest.seqs()).toEqual([1, 2]);
  });

  it('without the live log, forwards whole lines only (a torn last line waits)', async () => {
    const { logPath, log, cursorPath } = await setup(2);
    await log.close();
    await appendFile(logPath, '{"action":"jo');
    const dest = new FakeDestination();
    const f = forwarder({ logPath, cursorPath, sender: dest });
    await f.whenForwarded(2);
    expect(dest.seqs()).toEqual([1, 2]);
    expect(f.status().paused).toBeUndefined();
  });

  it('pauses, with a message and without skipping, when the log does not continue from the cursor', async () => {
    const { logPath, log, cursorPath } = await setup(4);
    await log.close();
    const text = await readFile(logPath, 'utf8');
    await writeFile(logPath, text.replace('"call":"call-2"', '"call":"call-X"'));
    const dest = new FakeDestination();
    const f = forwarder({ logPath, cursorPath, sender: dest });
    await until(() => f.status().paused !== undefined, 'a pause');
    expect(dest.seqs()).toEqual([1, 2]);
    expect(f.status().paused).toMatch(/does not continue from the last forwarded entry \(seq 2\).*edited.*Forwarding is paused/);
    // The log put right again: forwarding goes on from where it stopped.
    await writeFile(logPath, text);
    await f.whenForwarded(4);
    expect(dest.seqs()).toEqual([1, 2, 3, 4]);
    expect(f.status().paused).toBeUndefined();
  });

  it('pauses when entries it already forwarded were cut off the log', async () => {
    const { logPath, log, cursorPath } = await setup(4);
    const dest = new FakeDestination();
    const a = forwarder({ logPath, cursorPath, sender: dest, log });
    await a.whenForwarded(4);
    await a.stop();
    await log.close();
    const lines = (await readFile(logPath, 'utf8')).split('\n');
    await writeFile(logPath, lines.slice(0, 2).join('\n') + '\n');
    const b = forwarder({ logPath, cursorPath, sender: dest });
    await until(() => b.status().paused !== undefined, 'a pause');
    expect(b.status().paused).toMatch(/seq 4.*shorter/);
    expect(dest.seqs()).toEqual([1, 2, 3, 4]);
  });

  it('finds its place again when the cursor offset is off but the entry is there (log copied with other line ends)', async () => {
    const { logPath, log, cursorPath } = await setup(5);
    const head3 = (await readEntriesAfter(logPath, { seq: 0, hash: '0'.repeat(64), offset: 0 }, log.durableSize, 3));
    expect(head3.ok).toBe(true);
    const third = head3.ok ? head3.entries[2] : null;
    await writeCursor(cursorPath, { seq: 3, hash: third!.entry.hash, offset: third!.end + 7 });
    const dest = new FakeDestination();
    const f = forwarder({ logPath, cursorPath, sender: dest, log });
    await f.whenForwarded(5);
    expect(dest.seqs()).toEqual([4, 5]);
  });

  it('stops with a message when the cursor file is damaged (rather than resending everything silently)', async () => {
    const { logPath, log, cursorPath } = await setup(1);
    await writeFile(cursorPath, '{"seq":');
    const dest = new FakeDestination();
    const f = forwarder({ logPath, cursorPath, sender: dest, log });
    await until(() => f.status().paused !== undefined, 'a stop');
    expect(f.status().paused).toMatch(/cursor .* is damaged; delete it/);
    expect(dest.received).toEqual([]);
  });

  it('stop() ends waiting callers and a back-off at once', async () => {
    const { logPath, log, cursorPath } = await setup(1);
    const dest = new FakeDestination();
    dest.online = false;
    const f = new AuditForwarder({ logPath, cursorPath, sender: dest, log, backoff: { baseMs: 60_000, capMs: 60_000 } });
    f.start();
    const waiting = f.whenForwarded(1);
    await until(() => dest.attempts >= 1, 'a first attempt');
    await f.stop();
    await expect(waiting).rejects.toThrow(/stopped/);
    expect(f.status().running).toBe(false);
  });
});
