import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ReplayRecord } from '../../shared/policy/gate';
import { describeFsError } from '../historyFile';

/**
 * The supervision statements this desk has accepted, kept on disk until each could no longer pass
 * the expiry check: a statement captured off the wire is refused as a replay after the app
 * restarts too. JSON lines `{"k":key,"t":forgetAfterSec}`, appended and fsynced before the gate
 * answers; a torn or damaged line is skipped (one statement's record at most), and the file is
 * rewritten with the live entries only (temp file, fsync, rename) when it grows past `maxLines`.
 */
export class FileReplayRecord implements ReplayRecord {
  private readonly live = new Map<string, number>();
  private lines = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly options: { maxLines?: number; now?: () => Date } = {},
  ) {}

  private nowSec(): number {
    return Math.floor((this.options.now?.() ?? new Date()).getTime() / 1000);
  }

  async load(): Promise<Array<{ key: string; forgetAfterSec: number }>> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Could not read ${this.path}: ${describeFsError(e)}`);
    }
    const now = this.nowSec();
    this.live.clear();
    this.lines = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      this.lines++;
      const entry = parseLine(line);
      if (entry && entry.t >= now) this.live.set(entry.k, Math.max(entry.t, this.live.get(entry.k) ?? 0));
    }
    return [...this.live].map(([key, forgetAfterSec]) => ({ key, forgetAfterSec }));
  }

  remember(key: string, forgetAfterSec: number): Promise<void> {
    // One write at a time, so two quick answers never interleave within a line.
    const run = this.queue.then(() => this.append(key, forgetAfterSec));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async append(key: string, forgetAfterSec: number): Promise<void> {
    this.live.set(key, forgetAfterSec);
    if (this.lines + 1 > (this.options.maxLines ?? 20_000)) return this.compact();
    await mkdir(dirname(this.path), { recursive: true });
    const handle = await open(this.path, 'a').catch((e: unknown) => {
      throw new Error(`Could not record a used supervision statement in ${this.path}: ${describeFsError(e)}`);
    });
    try {
      // A torn line before this one (a crash mid-write) must not swallow it: start on a fresh line.
      await handle.write(`\n${JSON.stringify({ k: key, t: forgetAfterSec })}\n`);
      await handle.datasync();
      this.lines += 1;
    } catch (e) {
      throw new Error(`Could not record a used supervision statement in ${this.path}: ${describeFsError(e)}`);
    } finally {
      await handle.close();
    }
  }

  /** The live entries only, replacing the file in one rename (never a half-written record). */
  private async compact(): Promise<void> {
    const now = this.nowSec();
    for (const [k, t] of this.live) if (t < now) this.live.delete(k);
    const tmp = `${this.path}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const handle = await open(tmp, 'w');
      try {
        await handle.write([...this.live].map(([k, t]) => `${JSON.stringify({ k, t })}\n`).join(''));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.path);
      this.lines = this.live.size;
    } catch (e) {
      throw new Error(`Could not record a used supervision statement in ${this.path}: ${describeFsError(e)}`);
    }
  }
}

function parseLine(line: string): { k: string; t: number } | null {
  try {
    const v = JSON.parse(line) as { k?: unknown; t?: unknown };
    if (typeof v.k !== 'string' || v.k.length === 0 || v.k.length > 256 || !Number.isSafeInteger(v.t)) return null;
    return { k: v.k, t: v.t as number };
  } catch {
    return null;
  }
}
