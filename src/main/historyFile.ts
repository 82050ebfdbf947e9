import { open, readFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { foldHistory, type HistoryEntry, type HistoryRead } from '../shared/callHistory';

/**
 * Call history as an append-only JSON-lines file. Each entry is written and fsync'ed before the
 * promise resolves, so a call the UI shows as saved survives a crash or power loss. A torn last
 * line (crash mid-write) is skipped on read, never fatal.
 */
export class HistoryFile {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  append(entry: HistoryEntry): Promise<void> {
    // Serialise writes so two quick appends never interleave within a line.
    const run = this.queue.then(() => this.write(JSON.stringify(entry)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(json: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const handle = await open(this.path, 'a');
    try {
      // Start on a fresh line even if a previous write was torn.
      const { size } = await handle.stat();
      const prefix = size > 0 && !(await this.endsWithNewline(size)) ? '\n' : '';
      await handle.write(`${prefix}${json}\n`);
      await handle.datasync();
    } catch (e) {
      throw new Error(`Could not save call history to ${this.path}: ${describeFsError(e)}`);
    } finally {
      await handle.close();
    }
  }

  private async endsWithNewline(size: number): Promise<boolean> {
    const handle = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(1);
      await handle.read(buf, 0, 1, size - 1);
      return buf[0] === 0x0a;
    } finally {
      await handle.close();
    }
  }

  async read(): Promise<HistoryRead> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], skippedLines: 0 };
      throw new Error(`Could not read call history: ${describeFsError(e)}`);
    }
    return foldHistory(text.split('\n'));
  }
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the disk is read-only';
  return (e as Error)?.message ?? String(e);
}
