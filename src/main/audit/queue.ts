import { open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { reconnectDelayMs } from '../../shared/backoff';
import { GENESIS_HASH, canonicalJson, checkLine, verifyChain, type ChainHead } from './chain';
import type { AuditEntry } from './entry';
import { fsyncDir, type AuditLog } from './log';
import type { AuditSender } from './syslog';

/**
 * Forwards the audit log to one destination, in order, surviving being offline and restarts.
 *
 * The log file itself is the on-disk queue; a small cursor file per destination says how far it
 * has been forwarded: {"hash":…,"offset":<byte after that entry's line>,"seq":N,"updatedAt":…}.
 * After each batch the destination acknowledges, the cursor is written durably (temp file, fsync,
 * rename, fsync folder). So: offline, entries wait in the log (nothing lost); after a restart,
 * forwarding resumes after the cursor (nothing sent twice, except a batch acknowledged in the
 * instant before a crash, which is sent again: seq and hash identify it).
 *
 * Failures are retried with exponential back-off (jitter, capped). Entries that do not link to the
 * cursor (the log was cut, replaced or edited) pause forwarding with a message: nothing is skipped.
 */

export interface Cursor extends ChainHead {
  /** Byte offset just after the line of entry `seq`. */
  offset: number;
}

export interface ForwarderOptions {
  logPath: string;
  /** One per destination, e.g. `<userData>/audit-forward-syslog.cursor.json`. */
  cursorPath: string;
  sender: AuditSender;
  /** The live log: only acknowledged entries are read, and each append wakes the forwarder. */
  log?: AuditLog;
  /** Entries per send. Default 100. */
  batchSize?: number;
  /** How often to look for new entries without a wake-up (log written by another process). Default 2 s. */
  pollMs?: number;
  backoff?: { baseMs?: number; capMs?: number };
  random?: () => number;
  onStatus?: (s: ForwarderStatus) => void;
}

export interface ForwarderStatus {
  destination: string;
  running: boolean;
  /** seq of the last entry the destination acknowledged (0: none). */
  forwardedSeq: number;
  /** Consecutive failed sends. */
  failures: number;
  lastError?: string;
  /** Forwarding stopped until someone looks: the log does not continue from the cursor. */
  paused?: string;
}

const cursorSchema = z.object({
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  offset: z.number().int().min(0),
});

const start: Cursor = { seq: 0, hash: GENESIS_HASH, offset: 0 };
/** Bytes read per batch; a line is at most a few KiB. */
const readChunk = 1024 * 1024;

export async function readCursor(path: string): Promise<Cursor | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const c = cursorSchema.parse(JSON.parse(text));
    return { seq: c.seq, hash: c.hash, offset: c.offset };
  } catch {
    throw new Error(`the forwarding cursor ${path} is damaged; delete it to send the whole log again`);
  }
}

export async function writeCursor(path: string, cursor: Cursor, now = new Date()): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(`${canonicalJson({ ...cursor, updatedAt: now.toISOString() })}\n`, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}

export type ReadAfter =
  | { ok: true; entries: Array<{ entry: AuditEntry; end: number }> }
  | { ok: false; problem: string };

/**
 * Up to `max` entries after `cursor`, reading the file only up to `limit` bytes and only whole
 * lines. Each must link to the one before (the first to the cursor).
 */
export async function readEntriesAfter(logPath: string, cursor: Cursor, limit: number, max: number): Promise<ReadAfter> {
  if (cursor.offset > limit) return { ok: false, problem: mismatch(cursor, 'the log is shorter than the forwarded part') };
  const length = Math.min(limit - cursor.offset, readChunk);
  if (length === 0) return { ok: true, entries: [] };
  let fh: FileHandle;
  try {
    fh = await open(logPath, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, problem: mismatch(cursor, 'the log file is gone') };
    throw e;
  }
  const buf = Buffer.alloc(length);
  let got = 0;
  try {
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, cursor.offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
  } finally {
    await fh.close();
  }
  const entries: Array<{ entry: AuditEntry; end: number }> = [];
  let prev: ChainHead = cursor;
  let pos = 0;
  while (entries.length < max) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0 || nl >= got) break;
    const checked = checkLine(buf.subarray(pos, nl).toString('utf8'));
    const ok = checked.ok && checked.entry.seq === prev.seq + 1 && checked.entry.prevHash === prev.hash;
    if (!ok) {
      if (entries.length > 0) break; // forward what links; the next round stops at this line
      return { ok: false, problem: mismatch(cursor, checked.ok ? `the next entry (seq ${checked.entry.seq}) does not link to it` : checked.detail) };
    }
    entries.push({ entry: checked.entry, end: cursor.offset + nl + 1 });
    prev = checked.entry;
    pos = nl + 1;
  }
  return { ok: true, entries };
}

function mismatch(cursor: Cursor, why: string): string {
  return `the log does not continue from the last forwarded entry (seq ${cursor.seq}): ${why}. Forwarding is paused; run \`verify\` on the log.`;
}

/** Finds where `cursor` sits in the log when its byte offset does not fit (e.g. a copied log). */
async function relocate(logPath: string, cursor: Cursor): Promise<Cursor | null> {
  if (cursor.seq === 0 && cursor.offset !== 0) return { ...start };
  const text = await readFile(logPath, 'utf8');
  const lines = text.split('\n');
  const result = verifyChain(lines);
  // The log starts past seq 1 (its front removed under the retention policy, which keeps what a
  // destination has not received): a new destination, or one whose last entry was removed, goes
  // on with the oldest entry left.
  const first = result.entries[0];
  if (first && first.seq > 1 && (cursor.seq === 0 || (cursor.seq === first.seq - 1 && cursor.hash === first.prevHash))) {
    return { seq: first.seq - 1, hash: first.prevHash, offset: 0 };
  }
  if (cursor.seq === 0) return null;
  const idx = result.entries.findIndex((e) => e.seq === cursor.seq && e.hash === cursor.hash);
  if (idx < 0) return null;
  let offset = 0;
  for (let i = 0; i <= idx; i++) offset += Buffer.byteLength(lines[i], 'utf8') + 1;
  return { seq: cursor.seq, hash: cursor.hash, offset };
}

export class AuditForwarder {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private abort = new AbortController();
  private wake: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private cursor: Cursor = { ...start };
  private failures = 0;
  private lastError: string | undefined;
  private paused: string | undefined;
  private relocateTried = '';
  private waiters: Array<{ seq: number; resolve: () => void; reject: (e: Error) => void }> = [];

  constructor(private readonly opts: ForwarderOptions) {}

  /** Starts forwarding in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.unsubscribe = this.opts.log?.onAppend(() => this.kick()) ?? null;
    this.loopDone = this.loop().catch((e) => {
      this.lastError = (e as Error).message;
      this.paused = `forwarding stopped: ${(e as Error).message}`;
      this.report();
    });
  }

  /** Stops after the send in flight (if any) settles. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.abort.abort();
    this.kick();
    await this.loopDone;
    for (const w of this.waiters.splice(0)) w.reject(new Error('audit forwarder stopped'));
    this.report();
  }

  /** New entries may be there: look now (not during a back-off). */
  kick(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  status(): ForwarderStatus {
    return {
      destination: this.opts.sender.description,
      running: this.running,
      forwardedSeq: this.cursor.seq,
      failures: this.failures,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.paused ? { paused: this.paused } : {}),
    };
  }

  /** Resolves once entry `seq` has been acknowledged by the destination. */
  whenForwarded(seq: number): Promise<void> {
    if (this.cursor.seq >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  private report(): void {
    this.opts.onStatus?.(this.status());
  }

  private async loop(): Promise<void> {
    const { logPath, cursorPath, sender, log } = this.opts;
    const batchSize = this.opts.batchSize ?? 100;
    this.cursor = (await readCursor(cursorPath)) ?? { ...start };
    if (log) await log.open();
    while (this.running) {
      const limit = log ? log.durableSize : await fileSize(logPath);
      let read = await readEntriesAfter(logPath, this.cursor, limit, batchSize);
      const size = read.ok ? 0 : await fileSize(logPath);
      const attempt = `${this.cursor.seq}:${this.cursor.offset}:${size}`;
      if (!read.ok && size > 0 && attempt !== this.relocateTried) {
        // Reads the whole log: once per cursor and file size, not on every poll while paused.
        this.relocateTried = attempt;
        const moved = await relocate(logPath, this.cursor).catch(() => null);
        if (moved) {
          this.cursor = moved;
          read = await readEntriesAfter(logPath, this.cursor, limit, batchSize);
        }
      }
      if (!read.ok) {
        if (this.paused !== read.problem) {
          this.paused = read.problem;
          this.report();
        }
        await this.idle();
        continue;
      }
      this.paused = undefined;
      if (read.entries.length === 0) {
        await this.idle();
        continue;
      }
      try {
        await sender.send(read.entries.map((x) => x.entry));
      } catch (e) {
        this.failures += 1;
        this.lastError = (e as Error).message;
        this.report();
        await this.backOff();
        continue;
      }
      const last = read.entries[read.entries.length - 1];
      const next: Cursor = { seq: last.entry.seq, hash: last.entry.hash, offset: last.end };
      this.cursor = next;
      this.failures = 0;
      this.lastError = undefined;
      // Durable before the next batch; if it cannot be saved, a restart may send this batch again.
      for (let attempt = 1; this.running || attempt === 1; attempt++) {
        try {
          await writeCursor(cursorPath, next);
          break;
        } catch (e) {
          this.lastError = `could not save the forwarding cursor ${cursorPath}: ${(e as Error).message}`;
          this.report();
          if (!this.running) break;
          await this.backOff(attempt);
        }
      }
      for (const w of this.waiters.filter((w) => w.seq <= next.seq)) w.resolve();
      this.waiters = this.waiters.filter((w) => w.seq > next.seq);
      this.report();
    }
  }

  private async idle(): Promise<void> {
    if (!this.running) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, this.opts.pollMs ?? 2000);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private async backOff(attempt = this.failures): Promise<void> {
    const b = this.opts.backoff ?? {};
    const ms = reconnectDelayMs(attempt, b.baseMs ?? 1000, b.capMs ?? 60_000, this.opts.random);
    try {
      await sleep(ms, undefined, { signal: this.abort.signal });
    } catch {
      // stopped
    }
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}
