/**
 * Sends a desk's call history to the org service, in order, surviving being offline and restarts.
 * The history (an append-only list of JSON lines) is the on-disk queue, as the audit log is for audit
 * forwarding; a cursor says how far the service has acknowledged. The cursor moves only after the
 * service answered "stored", so nothing is lost offline or on a crash; a batch acknowledged just
 * before a crash is sent again and stored once (the service keys rows by person and call).
 *
 * Refusals that will not change by waiting (a malformed entry, a session outside the sender's
 * scope) are narrowed down to the entries concerned by sending them one at a time; only those are
 * passed over, each reported. Everything else (offline, server trouble, a key not enrolled yet, a
 * wrong clock) is retried with back-off, the cursor where it was.
 */
import { parseHistoryLine, type HistoryEntry } from '../callHistory';
import { reconnectDelayMs } from '../backoff';
import type { OrgAnswer, OrgClient, UploadAnswer } from './client';

export interface HistorySource {
  /** The history from `cursor` on (the cursor's unit is the source's: bytes in a file, characters in browser storage). */
  readFrom(cursor: number): Promise<string>;
  /** The size of `text` in the cursor's unit. */
  measure(text: string): number;
  loadCursor(): Promise<number>;
  saveCursor(cursor: number): Promise<void>;
}

export interface UploaderStatus {
  state: 'idle' | 'sending' | 'waiting' | 'off';
  /** Entries the service has acknowledged since start. */
  sent: number;
  /** Entries passed over because the service refused them for good (each also reported). */
  passedOver: number;
  lastError: string | null;
}

export interface UploaderOptions {
  source: HistorySource;
  /** null: no org service in the policy (or no identity yet): nothing is sent, the cursor stays. */
  client: () => OrgClient | null;
  report?: (line: string) => void;
  batchSize?: number;
  backoff?: { baseMs?: number; capMs?: number };
}

const permanent = new Set(['malformed', 'out-of-scope', 'too-large']);

/** Complete lines from `text`: parsed entries and how much of `text` they span (a torn last line waits). */
export function completeEntries(text: string, max: number): { entries: HistoryEntry[]; consumed: number; unreadable: number } {
  const entries: HistoryEntry[] = [];
  let consumed = 0;
  let unreadable = 0;
  while (entries.length < max) {
    const nl = text.indexOf('\n', consumed);
    if (nl < 0) break;
    const line = text.slice(consumed, nl).trim();
    consumed = nl + 1;
    if (!line) continue;
    const entry = parseHistoryLine(line);
    if (entry) entries.push(entry);
    else unreadable++;
  }
  return { entries, consumed, unreadable };
}

export class HistoryUploader {
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  readonly status: UploaderStatus = { state: 'idle', sent: 0, passedOver: 0, lastError: null };

  constructor(private readonly opts: UploaderOptions) {}

  /** Something was appended (or the policy changed): send what is new, soon. Never throws. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    // Waiting out a failure: the retry will send this too (a busy desk must not hammer a service that is down).
    if (this.status.state === 'waiting' && this.timer !== undefined) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.timer);
    this.running = this.drain()
      .catch((e: unknown) => this.fail(`history could not be read (${(e as Error)?.message ?? e})`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          void this.kick();
        }
      });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.status.state = 'off';
  }

  private report(line: string): void {
    (this.opts.report ?? ((l: string) => console.log(l)))(`Reports upload: ${line}`);
  }

  private fail(reason: string): void {
    this.failures++;
    this.status.state = 'waiting';
    if (this.status.lastError !== reason) this.report(`${reason}; trying again.`);
    this.status.lastError = reason;
    const delay = reconnectDelayMs(this.failures, this.opts.backoff?.baseMs ?? 2_000, this.opts.backoff?.capMs ?? 120_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.kick();
    }, delay);
  }

  private async drain(): Promise<void> {
    const { source } = this.opts;
    for (;;) {
      const client = this.opts.client();
      if (!client || this.stopped) {
        this.status.state = client ? 'off' : 'idle';
        return;
      }
      const cursor = await source.loadCursor();
      const text = await source.readFrom(cursor);
      const batch = completeEntries(text, this.opts.batchSize ?? 200);
      if (batch.consumed === 0) {
        this.status.state = 'idle';
        return;
      }
      if (batch.unreadable) this.report(`${batch.unreadable} unreadable history line(s) passed over.`);
      this.status.state = 'sending';
      const result = batch.entries.length ? await this.send(client, batch.entries) : 'ok';
      if (result !== 'ok') return this.fail(result);
      await source.saveCursor(cursor + source.measure(text.slice(0, batch.consumed)));
      this.status.sent += batch.entries.length;
      this.failures = 0;
      if (this.status.lastError) this.report('delivering again.');
      this.status.lastError = null;
    }
  }

  /** 'ok' when every entry is stored or passed over for good; otherwise why to wait and retry. */
  private async send(client: OrgClient, entries: HistoryEntry[]): Promise<string> {
    const answer: OrgAnswer<UploadAnswer> = await client.upload(entries);
    if (answer.ok) return 'ok';
    if (!permanent.has(answer.code)) return answer.reason;
    if (entries.length === 1) {
      this.status.passedOver++;
      this.report(`the service refused a history entry for good and it was passed over (${answer.reason}).`);
      return 'ok';
    }
    for (const e of entries) {
      const one = await this.send(client, [e]);
      if (one !== 'ok') return one;
    }
    return 'ok';
  }
}
