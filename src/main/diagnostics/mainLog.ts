import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { redactText } from '../../shared/diagnostics/redact';

/**
 * The main process's own log file, for "Collect logs": console.log/warn/error still print as
 * before and are also appended to `<dir>/main.log`, timestamped and redacted line by line. At
 * ~2 MB the file becomes main.log.1 (the one before is replaced), so it never grows without bound.
 *
 * Synchronous appends: the main process logs a few lines an hour (policy changes, failures), and
 * a line written before a crash is the one support needs. Never throws: on a full disk or a
 * read-only folder lines are dropped and counted, and the next line that can be written says so.
 */

export type MainLogFs = Pick<typeof nodeFs, 'mkdirSync' | 'appendFileSync' | 'statSync' | 'renameSync'>;
type Level = 'log' | 'warn' | 'error';

export interface MainLogOptions {
  /** Rotate once the file would pass this many bytes. Default 2 MB. */
  maxBytes?: number;
  fs?: MainLogFs;
  now?: () => Date;
  /** The console to tee (default the global one). */
  console?: Pick<Console, Level>;
  /** A single message longer than this is cut. Default 64 KB. */
  maxLineChars?: number;
}

export interface MainLog {
  readonly path: string;
  /** Lines that could not be written since install. */
  dropped(): number;
  /** Writes one line without printing it. Never throws. */
  write(level: Level, ...args: unknown[]): void;
  /** Puts the console back. */
  uninstall(): void;
}

export const mainLogName = 'main.log';
export const defaultMainLogBytes = 2 * 1024 * 1024;

let current: MainLog | null = null;

export function installMainLog(dir: string, opts: MainLogOptions = {}): MainLog {
  current?.uninstall();
  const fs = opts.fs ?? nodeFs;
  const maxBytes = opts.maxBytes ?? defaultMainLogBytes;
  const maxLineChars = opts.maxLineChars ?? 64 * 1024;
  const now = opts.now ?? (() => new Date());
  const target = opts.console ?? console;
  const path = join(dir, mainLogName);
  let size = 0;
  let dropped = 0;
  let unreported = 0;
  let lastProblem = '';
  let writing = false;
  try {
    fs.mkdirSync(dir, { recursive: true });
    size = fs.statSync(path).size;
  } catch {
    size = 0; // no file yet, or no folder: the first append tries again
  }

  const append = (text: string): void => {
    try {
      fs.appendFileSync(path, text, { mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      fs.mkdirSync(dir, { recursive: true });
      fs.appendFileSync(path, text, { mode: 0o600 });
    }
    size += Buffer.byteLength(text);
  };

  const write = (level: Level, ...args: unknown[]): void => {
    // A console call made while writing (by a library, say) must not loop.
    if (writing) return;
    writing = true;
    try {
      let message: string;
      try {
        message = format(...args);
      } catch {
        message = args.map((a) => String(a)).join(' ');
      }
      if (message.length > maxLineChars) message = `${message.slice(0, maxLineChars)}… [cut]`;
      const stamp = now().toISOString();
      let text = `${stamp} ${level.toUpperCase().padEnd(5)} ${redactText(message).text}\n`;
      if (unreported) text = `${stamp} WARN  [main log: ${unreported} line${unreported === 1 ? '' : 's'} could not be written (${lastProblem})]\n${text}`;
      const bytes = Buffer.byteLength(text);
      if (size > 0 && size + bytes > maxBytes) {
        try {
          fs.renameSync(path, `${path}.1`);
          size = 0;
        } catch {
          // Could not rotate: keep appending up to twice the limit, then drop rather than fill the disk.
          if (size + bytes > maxBytes * 2) throw Object.assign(new Error('main.log cannot be rotated'), { code: 'EFBIG' });
        }
      }
      append(text);
      unreported = 0;
    } catch (e) {
      dropped++;
      unreported++;
      lastProblem = describe(e);
    } finally {
      writing = false;
    }
  };

  const originals = { log: target.log, warn: target.warn, error: target.error };
  for (const level of ['log', 'warn', 'error'] as const) {
    target[level] = (...args: unknown[]) => {
      originals[level].apply(target, args);
      write(level, ...args);
    };
  }

  const handle: MainLog = {
    path,
    dropped: () => dropped,
    write,
    uninstall: () => {
      Object.assign(target, originals);
      if (current === handle) current = null;
    },
  };
  current = handle;
  return handle;
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the disk is read-only';
  return code ?? (e as Error)?.message ?? 'unknown error';
}
