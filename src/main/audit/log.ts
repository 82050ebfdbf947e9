import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { canonicalJson, checkLine, entryLine, sealEntry, verifyChain, type ChainHead, type VerifyOptions, type VerifyResult } from './chain';
import { normalizeEvent, type AuditEntry, type AuditEvent } from './entry';
import { fsyncFolder } from '../fsyncFolder';

/**
 * The audit log file: JSON lines (one canonical entry per line, see chain.ts), append-only, kept
 * by the main process. `append` resolves only once the line is on disk (write + fsync; the folder
 * is fsync'ed too when the file is created), so an action confirmed to the user is never lost.
 * Appends are serialised: concurrent calls are recorded in call order.
 *
 * On open, only the tail is read. A last line without its line end (the process died, or the
 * machine lost power, mid-write) was never acknowledged: it is moved to `<log>.torn` (one JSON
 * line per set-aside piece, exact bytes in base64) and the chain continues from the last good
 * entry. A failed write (full disk) is rolled back to the last acknowledged entry and rejects.
 *
 * One AuditLog per file: the main process owns it (Electron's single-instance lock keeps a second
 * app instance away). Node only, no Electron.
 */

export type AuditLogErrorCode = 'write-failed' | 'open-failed' | 'damaged' | 'closed';

export class AuditLogError extends Error {
  constructor(
    message: string,
    readonly code: AuditLogErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuditLogError';
  }
}

export interface OpenReport {
  created: boolean;
  head: ChainHead | null;
  /** Set when a torn last line was moved to the .torn file. */
  setAside?: { offset: number; bytes: number; tornPath: string };
}

export interface PruneReport {
  removed: number;
  /** Entries in the log afterwards (the retention entry included). */
  kept: number;
  /** The last entry removed. */
  prunedThrough?: number;
  /** Old enough to go, but kept: past `maxSeq` (not yet received by every forwarding destination). */
  heldBack: number;
}

export interface AuditLogOptions {
  now?: () => Date;
}

export class AuditLog {
  readonly path: string;
  readonly tornPath: string;
  private fh: FileHandle | null = null;
  private size = 0;
  private headValue: ChainHead | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | null = null;
  private lastOpen: OpenReport | null = null;
  private readonly listeners = new Set<(e: AuditEntry) => void>();
  private readonly now: () => Date;

  constructor(path: string, opts: AuditLogOptions = {}) {
    this.path = resolve(path);
    this.tornPath = `${this.path}.torn`;
    this.now = opts.now ?? (() => new Date());
  }

  /** Opens the file (also done by the first append): continues the chain, sets a torn tail aside. */
  open(): Promise<OpenReport> {
    return this.enqueue(() => this.ensureOpen());
  }

  /** Records one event; resolves with the sealed entry once it is durably on disk. */
  append(ev: AuditEvent): Promise<AuditEntry> {
    let body: ReturnType<typeof normalizeEvent>;
    try {
      body = normalizeEvent(ev, this.now);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.enqueue(async () => {
      await this.ensureOpen();
      const entry = sealEntry(this.headValue, body);
      await this.writeEntry(entry);
      return entry;
    });
  }

  /**
   * Removes the oldest entries recorded before `before`, at most through seq `maxSeq` (what every
   * forwarding destination has received), and records a `retention` entry naming the last one
   * removed. The shortened log is written beside the old one and fsynced, the entry is appended
   * to the old one, then the new file is renamed over it: a crash at any point leaves a whole log
   * that verifies. A log that does not verify is never shortened (that would destroy the evidence).
   */
  prune(before: Date, maxSeq = Number.MAX_SAFE_INTEGER): Promise<PruneReport> {
    return this.enqueue(async () => {
      await this.ensureOpen();
      const lines = (await readBytes(this.fh!, 0, this.size)).toString('utf8').split('\n');
      const checked = verifyChain(lines, this.headValue ? { expectHead: this.headValue } : {});
      if (!checked.ok) {
        throw new AuditLogError(`The audit log ${this.path} does not verify (line ${checked.firstBad?.line}: ${checked.firstBad?.detail}); nothing was removed.`, 'damaged');
      }
      const { entries } = checked;
      let k = 0;
      const old = (i: number) => i < entries.length && Date.parse(entries[i].at) < before.getTime();
      while (old(k) && entries[k].seq <= maxSeq) k++;
      let due = k;
      while (old(due)) due++;
      if (k === 0) return { removed: 0, kept: entries.length, heldBack: due };
      const last = entries[k - 1];
      const reason = `removed entries ${entries[0].seq}–${last.seq}, recorded before ${before.toISOString()} (audit retention)`;
      const marker = sealEntry(this.headValue, { at: this.now().toISOString(), actor: 'whisperline', subject: '-', call: '-', action: 'retention', result: 'ok', reason, prunedThrough: last.seq, prunedHash: last.hash });
      const shortened = `${lines.slice(k, entries.length).join('\n')}${k < entries.length ? '\n' : ''}${entryLine(marker)}`;
      const next = `${this.path}.pruning`;
      try {
        await writeFileDurable(next, shortened);
      } catch (e) {
        await rm(next, { force: true }).catch(() => undefined);
        throw new AuditLogError(`Could not shorten the audit log ${this.path}: ${describeFsError(e)}. Nothing was removed.`, 'write-failed', { cause: e });
      }
      await this.writeEntry(marker);
      await this.dropHandle();
      try {
        await rename(next, this.path);
      } catch (e) {
        await rm(next, { force: true }).catch(() => undefined);
        await this.ensureOpen();
        throw new AuditLogError(`Could not replace the audit log ${this.path} with its shortened copy: ${describeFsError(e)}. Nothing was removed.`, 'write-failed', { cause: e });
      }
      // The rename is atomic; this makes it survive a power cut.
      await fsyncDir(dirname(this.path)).catch(() => undefined);
      await this.ensureOpen();
      return { removed: k, kept: entries.length - k + 1, prunedThrough: last.seq, heldBack: due - k };
    });
  }

  /** Writes one sealed entry durably, or rolls back and throws; then tells the listeners. */
  private async writeEntry(entry: AuditEntry): Promise<void> {
    const fh = this.fh!;
    const buf = Buffer.from(entryLine(entry), 'utf8');
    try {
      await writeFully(fh, buf);
      await fh.sync();
    } catch (e) {
      await this.rollback();
      throw new AuditLogError(`Could not record the audit entry in ${this.path}: ${describeFsError(e)}. The action was not recorded.`, 'write-failed', { cause: e });
    }
    this.size += buf.length;
    this.headValue = { seq: entry.seq, hash: entry.hash };
    for (const fn of this.listeners) {
      try {
        fn(entry);
      } catch {
        // A listener (e.g. the forwarder's wake-up) must never fail an append.
      }
    }
  }

  /** The last acknowledged entry (null before open, or for an empty log). */
  get head(): ChainHead | null {
    return this.headValue;
  }

  /** Bytes of the file that hold acknowledged entries; readers (the forwarder) stop here. */
  get durableSize(): number {
    return this.size;
  }

  get openReport(): OpenReport | null {
    return this.lastOpen;
  }

  /** Called after each acknowledged append. Returns an unsubscribe function. */
  onAppend(fn: (e: AuditEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Waits for pending appends, then closes the file. Later appends reject. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = this.queue.then(async () => {
        this.closed = true;
        await this.dropHandle();
      });
      this.queue = this.closing;
    }
    return this.closing;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new AuditLogError(`The audit log ${this.path} is closed.`, 'closed');
      return task();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async ensureOpen(): Promise<OpenReport> {
    if (this.fh && this.lastOpen) return this.lastOpen;
    let fh: FileHandle;
    let created = false;
    try {
      await mkdirDurable(dirname(this.path));
      try {
        fh = await open(this.path, 'ax+', 0o600);
        created = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        fh = await open(this.path, 'a+');
      }
    } catch (e) {
      throw new AuditLogError(`Could not open the audit log ${this.path}: ${describeFsError(e)}.`, 'open-failed', { cause: e });
    }
    try {
      if (created) await fsyncDir(dirname(this.path));
      const report = await this.recoverTail(fh, created);
      this.fh = fh;
      this.lastOpen = report;
      return report;
    } catch (e) {
      await fh.close().catch(() => undefined);
      if (e instanceof AuditLogError) throw e;
      throw new AuditLogError(`Could not open the audit log ${this.path}: ${describeFsError(e)}.`, 'open-failed', { cause: e });
    }
  }

  private async recoverTail(fh: FileHandle, created: boolean): Promise<OpenReport> {
    const size = (await fh.stat()).size;
    let end = size;
    let setAside: OpenReport['setAside'];
    if (size > 0 && (await readBytes(fh, size - 1, 1))[0] !== 0x0a) {
      end = (await lastNewline(fh, size)) + 1;
      await this.setAside(fh, end, size);
      setAside = { offset: end, bytes: size - end, tornPath: this.tornPath };
    }
    let head: ChainHead | null = null;
    if (end > 0) {
      const start = (await lastNewline(fh, end - 1)) + 1;
      const text = (await readBytes(fh, start, end - 1 - start)).toString('utf8');
      const checked = checkLine(text);
      if (!checked.ok) {
        throw new AuditLogError(
          `The audit log ${this.path} is damaged (its last entry, at byte ${start}: ${checked.detail}). ` +
            'Nothing can be appended until an administrator checks it with `verify` and archives the file.',
          'damaged',
        );
      }
      head = { seq: checked.entry.seq, hash: checked.entry.hash };
    }
    this.size = end;
    this.headValue = head;
    return { created, head, ...(setAside ? { setAside } : {}) };
  }

  /** Copies bytes [from, to) to the .torn file (durably), then cuts them off the log. */
  private async setAside(fh: FileHandle, from: number, to: number): Promise<void> {
    const bytes = await readBytes(fh, from, to - from);
    const record = {
      setAsideAt: this.now().toISOString(),
      log: basename(this.path),
      offset: from,
      length: bytes.length,
      text: bytes.toString('utf8'),
      base64: bytes.toString('base64'),
    };
    let torn: FileHandle;
    let created = false;
    try {
      torn = await open(this.tornPath, 'ax', 0o600);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      torn = await open(this.tornPath, 'a');
    }
    try {
      await writeFully(torn, Buffer.from(`${canonicalJson(record)}\n`, 'utf8'));
      await torn.sync();
    } finally {
      await torn.close();
    }
    if (created) await fsyncDir(dirname(this.tornPath));
    await fh.truncate(from);
    await fh.sync();
  }

  /** Undo a failed write: cut the file back to the last acknowledged entry. */
  private async rollback(): Promise<void> {
    try {
      await this.fh!.truncate(this.size);
      await this.fh!.sync();
    } catch {
      // Could not cut it back (e.g. still no space for metadata): reopen on the next append,
      // which sets any partial line aside before writing.
      await this.dropHandle();
    }
  }

  private async dropHandle(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.lastOpen = null;
    if (fh) await fh.close().catch(() => undefined);
  }
}

/** Reads and verifies a whole log file. Throws (in words) when it cannot be read. */
export async function verifyLogFile(path: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new AuditLogError(`Could not read the audit log ${path}: ${describeFsError(e)}.`, 'open-failed', { cause: e });
  }
  return verifyChain(text.split('\n'), opts);
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EDQUOT') return 'the disk quota is used up';
  if (code === 'EFBIG') return 'the file is too large (file size limit reached)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the disk is read-only';
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EIO') return 'input/output error (failing disk?)';
  return (e as Error)?.message ?? String(e);
}

async function writeFully(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    if (bytesWritten <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    off += bytesWritten;
  }
}

async function readBytes(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let off = 0;
  while (off < length) {
    const { bytesRead } = await fh.read(buf, off, length - off, position + off);
    if (bytesRead === 0) break;
    off += bytesRead;
  }
  return buf.subarray(0, off);
}

/** Offset of the last "\n" before `end`, or -1. Reads backwards in chunks. */
async function lastNewline(fh: FileHandle, end: number): Promise<number> {
  const chunk = 64 * 1024;
  let pos = end;
  while (pos > 0) {
    const start = Math.max(0, pos - chunk);
    const buf = await readBytes(fh, start, pos - start);
    const i = buf.lastIndexOf(0x0a);
    if (i >= 0) return start + i;
    pos = start;
  }
  return -1;
}

/** Writes a whole file and fsyncs it (the caller renames it into place). */
async function writeFileDurable(path: string, text: string): Promise<void> {
  const fh = await open(path, 'w', 0o600);
  try {
    await writeFully(fh, Buffer.from(text, 'utf8'));
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** mkdir -p, fsync'ing the parent of every folder it created so the new names survive a crash. */
export async function mkdirDurable(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  let d = resolve(dir);
  const stop = dirname(resolve(first));
  while (true) {
    const parent = dirname(d);
    await fsyncDir(parent);
    if (parent === stop || parent === d) break;
    d = parent;
  }
}

/** fsync a folder (src/main/fsyncFolder.ts). */
export function fsyncDir(dir: string): Promise<void> {
  return fsyncFolder(dir);
}
