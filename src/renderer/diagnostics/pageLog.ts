/**
 * The page's recent log, for "Collect logs": SIP.js's log (through its `logConnector`) and the
 * page's console warnings and errors, in a bounded ring buffer (newest lines win). Each line is
 * redacted as it enters, so a password or statement never sits in memory longer than the call
 * that logged it.
 *
 * SIP.js 0.21 calls the connector for every message at every level, whatever `logLevel` says
 * (logLevel only gates its own console output): so the level filter is here. SIP messages sent and
 * received are logged at "log"; "debug" is state-machine chatter, many lines per call: off by default.
 */
import type { LogConnector, LogLevel } from 'sip.js';
import { pageLogHeaderPrefix, pageLogLimits } from '../../shared/diagnostics/bundle';
import { redactText } from '../../shared/diagnostics/redact';

export interface PageLogOptions {
  maxLines?: number;
  /** Characters (UTF-16 units) across all lines. */
  maxChars?: number;
  /** A longer line (a huge SDP, a dump) is cut to this; at most pageLogLimits.lineChars. */
  maxLineChars?: number;
  /** Lowest SIP.js level kept. */
  sipLevel?: LogLevel;
  now?: () => Date;
}

const lineCut = '… [line cut]';
const levelRank: Record<LogLevel, number> = { error: 0, warn: 1, log: 2, debug: 3 };

export class PageLog {
  private buf: string[] = [];
  private head = 0;
  private chars = 0;
  private droppedLines = 0;
  private redactions = 0;
  private readonly maxLines: number;
  private readonly maxChars: number;
  private readonly maxLineChars: number;
  private readonly now: () => Date;
  private consoleRestore: (() => void) | null = null;
  sipLevel: LogLevel;

  constructor(opts: PageLogOptions = {}) {
    this.maxLines = Math.min(opts.maxLines ?? 2000, pageLogLimits.lines - 1); // one more: the header line
    this.maxChars = opts.maxChars ?? 1024 * 1024;
    // The IPC handler refuses lines over 8 KiB (main/ipc.ts): a longer one would lose the whole log.
    this.maxLineChars = Math.min(opts.maxLineChars ?? pageLogLimits.lineChars, pageLogLimits.lineChars);
    this.sipLevel = opts.sipLevel ?? 'log';
    this.now = opts.now ?? (() => new Date());
  }

  /** Adds one line: timestamped, redacted, cut to maxLineChars; the oldest lines make room. Never throws. */
  add(level: string, source: string, message: string): void {
    try {
      // Redact first, cut after: a cut through a secret could hide it from the patterns. Only a
      // monstrous message is trimmed beforehand (redaction is linear, but not free).
      const raw = message.length > this.maxLineChars * 64 ? message.slice(0, this.maxLineChars * 64) : message;
      const red = redactText(raw);
      this.redactions += red.count;
      let line = `${this.now().toISOString()} ${level.toUpperCase().padEnd(5)} ${source} ${red.text.replace(/\s+$/, '')}`;
      if (line.length > this.maxLineChars) line = `${line.slice(0, this.maxLineChars - lineCut.length)}${lineCut}`;
      this.push(line);
    } catch {
      this.droppedLines++;
    }
  }

  private push(line: string): void {
    this.buf.push(line);
    this.chars += line.length;
    while (this.buf.length - this.head > this.maxLines || (this.chars > this.maxChars && this.buf.length - this.head > 1)) {
      this.chars -= this.buf[this.head].length;
      this.head++;
      this.droppedLines++;
    }
    // Compact now and then instead of shifting on every line.
    if (this.head > 1024 && this.head * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.head);
      this.head = 0;
    }
  }

  /** SIP.js `UserAgentOptions.logConnector`. */
  readonly logConnector: LogConnector = (level, category, label, content) => {
    if ((levelRank[level] ?? 3) > levelRank[this.sipLevel]) return;
    this.add(level, label ? `${category}[${label}]` : category, typeof content === 'string' ? content : formatArg(content));
  };

  /**
   * Copies console.warn and console.error into the log (the page's own messages and the
   * browser's), still printing them as before. Returns the undo; calling it twice is harmless.
   */
  installConsoleCapture(target: Pick<Console, 'warn' | 'error'> = console): () => void {
    if (this.consoleRestore) return this.consoleRestore;
    const original = { warn: target.warn, error: target.error };
    for (const level of ['warn', 'error'] as const) {
      target[level] = (...args: unknown[]) => {
        this.add(level, 'console', args.map(formatArg).join(' '));
        original[level].apply(target, args);
      };
    }
    const restore = () => {
      target.warn = original.warn;
      target.error = original.error;
      this.consoleRestore = null;
    };
    this.consoleRestore = restore;
    return restore;
  }

  /** The kept lines, oldest first, after one header line (the bundle reads its counts). */
  lines(): string[] {
    const kept = this.buf.slice(this.head);
    return [`${pageLogHeaderPrefix} ${kept.length} lines kept, ${this.droppedLines} older dropped, ${this.redactions} secrets removed on capture`, ...kept];
  }

  clear(): void {
    this.buf = [];
    this.head = 0;
    this.chars = 0;
    this.droppedLines = 0;
    this.redactions = 0;
  }
}

/** One console argument as text: errors with their stack, objects as JSON (cycles and all). */
export function formatArg(a: unknown): string {
  if (typeof a === 'string') return a;
  if (a instanceof Error) return a.stack && a.stack.includes(a.message) ? a.stack : `${a.name}: ${a.message}${a.stack ? `\n${a.stack}` : ''}`;
  if (a === undefined || typeof a === 'function' || typeof a === 'symbol' || typeof a === 'bigint') return String(a);
  try {
    const seen = new WeakSet<object>();
    const json = JSON.stringify(a, (_k, v: unknown) => {
      if (typeof v === 'bigint') return String(v);
      if (v && typeof v === 'object') {
        if (seen.has(v)) return '[circular]';
        seen.add(v);
      }
      return v;
    });
    return json ?? String(a);
  } catch {
    return Object.prototype.toString.call(a);
  }
}

/** The page's one log (wire `pageLog.logConnector` into the UserAgent, `installConsoleCapture()` at start). */
export const pageLog = new PageLog();
