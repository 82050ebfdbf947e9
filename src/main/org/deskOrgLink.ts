/**
 * The desktop app's link to the org service the policy names: uploads `call-history.jsonl` through
 * the shared uploader (the file is the queue, `org-upload.cursor.json` beside it says how far the
 * service has it) and asks for reports for the page. Signs with the desk's key (supervisorKey.ts),
 * which every desk makes and IT enrols for agents and supervisors alike.
 */
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OrgReportAnswer } from '../../shared/bridge';
import { OrgClient, orgUnavailableReason, type OrgAnswer } from '../../shared/org/client';
import type { ReportQuery } from '../../shared/org/report';
import { HistoryUploader, type HistorySource } from '../../shared/org/uploader';
import { RecordingUploader, type RecordingSource, type SentRecordings } from '../../shared/org/recordingUploader';
import type { OrgPolicy } from '../../shared/policy/schema';
import { personOf } from '../../shared/policy/signedPolicy';
import { fsyncDir } from '../audit/log';
import type { SupervisorKey } from '../policy/supervisorKey';

/** Read at most this much history per look (a batch is far smaller; the rest waits for the next). */
const maxReadBytes = 4 * 1024 * 1024;

export interface DeskOrgLinkOptions {
  historyPath: string;
  cursorPath: string;
  key: () => Promise<SupervisorKey>;
  /** `user@domain` of the account signed in; null before set-up. */
  identity: () => string | null;
  policy: () => OrgPolicy | null;
  report?: (line: string) => void;
  fetch?: typeof fetch;
  backoff?: { baseMs?: number; capMs?: number };
  /** This desk's recordings, sent when the policy's orgService.recordings says so; `sentPath` lists those sent. */
  recordings?: { source: RecordingSource; sentPath: string };
}

/** Ids of recordings the service has in full, one per line, appended and fsynced. */
function fileSentRecordings(path: string): SentRecordings {
  const read = async () => (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return {
    has: async (id) => (await read()).includes(id),
    async add(id) {
      const h = await open(path, 'a');
      try {
        await h.write(`${id}\n`);
        await h.datasync();
      } finally {
        await h.close();
      }
    },
  };
}

/** The history file from a byte offset; a file shorter than the cursor (replaced) is read from the start. */
export function fileHistorySource(historyPath: string, cursorPath: string): HistorySource {
  return {
    async readFrom(cursor) {
      let handle;
      try {
        handle = await open(historyPath, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
        throw e;
      }
      try {
        const { size } = await handle.stat();
        const from = cursor > size ? 0 : cursor;
        const buf = Buffer.alloc(Math.min(maxReadBytes, size - from));
        await handle.read(buf, 0, buf.length, from);
        // A cut inside a multi-byte character only ever falls in an unfinished last line, which waits.
        return buf.toString('utf8');
      } finally {
        await handle.close();
      }
    },
    measure: (text) => Buffer.byteLength(text, 'utf8'),
    async loadCursor() {
      try {
        const { offset } = JSON.parse(await readFile(cursorPath, 'utf8')) as { offset?: unknown };
        return typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0 ? offset : 0;
      } catch {
        // Missing or damaged: from the start again; the service stores each call once.
        return 0;
      }
    },
    async saveCursor(offset) {
      const tmp = `${cursorPath}.tmp`;
      await writeFile(tmp, JSON.stringify({ offset, updatedAt: new Date().toISOString() }));
      const h = await open(tmp, 'r+');
      await h.datasync().finally(() => h.close());
      await rename(tmp, cursorPath);
      await fsyncDir(dirname(cursorPath));
    },
  };
}

export class DeskOrgLink {
  private signer: { publicKey: string; sign: (b: Uint8Array<ArrayBuffer>) => Promise<Uint8Array> } | null = null;
  private readonly uploader: HistoryUploader;
  private readonly recordingUploader: RecordingUploader | null;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly opts: DeskOrgLinkOptions) {
    this.uploader = new HistoryUploader({
      source: fileHistorySource(opts.historyPath, opts.cursorPath),
      client: () => this.client(),
      report: opts.report,
      backoff: opts.backoff,
    });
    const rec = opts.recordings;
    this.recordingUploader = rec
      ? new RecordingUploader({
          source: rec.source,
          sent: fileSentRecordings(rec.sentPath),
          client: () => (this.opts.policy()?.orgService?.recordings ? this.client() : null),
          me: () => this.opts.identity(),
          report: opts.report,
        })
      : null;
    // A service that was down, a key enrolled later: looked at again every minute.
    this.timer = setInterval(() => void this.changed(), 60_000);
    this.timer.unref?.();
  }

  private client(): OrgClient | null {
    const policy = this.opts.policy();
    const url = policy?.orgService?.url;
    const identity = this.opts.identity();
    // Someone the policy does not name has nothing to report.
    return url && identity && personOf(policy, identity) && this.signer ? new OrgClient({ url, identity, signer: this.signer, fetch: this.opts.fetch }) : null;
  }

  /** A history append, a policy change, a sign-in: send what is new. Never throws. */
  async changed(): Promise<void> {
    if (!this.opts.policy()?.orgService) return;
    if (!this.signer) {
      const key = await this.opts.key().catch(() => null);
      if (key) this.signer = { publicKey: key.publicKey(), sign: async (bytes) => key.sign(bytes) };
    }
    await this.uploader.kick();
    await this.recordingUploader?.kick();
  }

  get status() {
    return this.uploader.status;
  }

  /** Asks the org service as this desk; the answer or why not, in words. Never throws. */
  async ask<T>(fn: (client: OrgClient) => Promise<OrgAnswer<T>>): Promise<{ ok: true; value: T } | { ok: false; reason: string }> {
    const unavailable = orgUnavailableReason(this.opts.policy(), this.opts.identity());
    if (unavailable) return { ok: false, reason: unavailable };
    await this.changed();
    const client = this.client();
    if (!client) return { ok: false, reason: 'This desk has no key to sign with yet.' };
    const answer = await fn(client).catch((e: unknown) => ({ ok: false as const, reason: (e as Error)?.message ?? String(e) }));
    return answer.ok ? { ok: true, value: answer.value } : { ok: false, reason: answer.reason };
  }

  async report(query: ReportQuery): Promise<OrgReportAnswer> {
    const a = await this.ask((c) => c.report(query));
    return a.ok ? { ok: true, report: a.value } : a;
  }

  stop(): void {
    clearInterval(this.timer);
    this.uploader.stop();
  }
}
