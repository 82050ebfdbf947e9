/**
 * Sends this desk's finished recordings to the org service, where the policy says
 * (`orgService.recordings`): for each recording of this agent's calls that has ended and is not yet
 * marked sent, its detail and then every track in pieces; marked sent only when the service has
 * every piece. Interrupted (offline, a crash), it starts that recording again on the next run and
 * the service stores each piece once. Runs when kicked (after each call, on a timer); one run at a time.
 */
import { bytesToBase64 } from '../policy/canonical';
import type { RecordingDetail, RecordingSummary, TrackName } from '../recording/types';
import type { OrgClient } from './client';
import { recordingPieceBytes } from './recordings';

export interface RecordingSource {
  list(): Promise<RecordingSummary[]>;
  read(id: string): Promise<RecordingDetail | null>;
  track(id: string, track: TrackName): Promise<Uint8Array | null>;
}

/** Ids of recordings the service has in full (a file beside the recordings, browser storage). */
export interface SentRecordings {
  has(id: string): Promise<boolean>;
  add(id: string): Promise<void>;
}

export interface RecordingUploaderOptions {
  source: RecordingSource;
  sent: SentRecordings;
  /** null: not now (no service, recordings not asked for, not signed in). */
  client: () => OrgClient | null;
  me: () => string | null;
  report?: (line: string) => void;
}

export class RecordingUploader {
  private running: Promise<void> | null = null;
  lastError: string | null = null;
  sent = 0;

  constructor(private readonly opts: RecordingUploaderOptions) {}

  kick(): Promise<void> {
    this.running ??= this.run()
      .catch((e: unknown) => this.fail((e as Error)?.message ?? String(e)))
      .finally(() => (this.running = null));
    return this.running;
  }

  private fail(reason: string): void {
    if (this.lastError !== reason) (this.opts.report ?? console.log)(`Recordings upload: ${reason}; trying again later.`);
    this.lastError = reason;
  }

  private async run(): Promise<void> {
    const me = this.opts.me();
    if (!me || !this.opts.client()) return;
    const mine = (await this.opts.source.list()).filter((r) => r.endedAt !== null && r.meta.agent.trim().toLowerCase() === me);
    for (const r of mine) {
      if (await this.opts.sent.has(r.meta.id)) continue;
      const client = this.opts.client();
      if (!client) return;
      const error = await this.send(client, r.meta.id);
      if (error) return this.fail(error);
      await this.opts.sent.add(r.meta.id);
      this.sent++;
      this.lastError = null;
    }
  }

  /** null when the service has the whole recording; else why not. */
  private async send(client: OrgClient, id: string): Promise<string | null> {
    const detail = await this.opts.source.read(id);
    if (!detail || detail.endedAt === null) return null;
    const tracks = new Map<TrackName, Uint8Array>();
    for (const t of detail.meta.tracks) {
      const bytes = await this.opts.source.track(id, t);
      if (bytes) tracks.set(t, bytes);
    }
    const { meta, endedAt, durationMs, timeline } = detail;
    // A separate coaching track already swept by retention is simply not sent.
    const sentMeta = { ...meta, tracks: meta.tracks.filter((t) => tracks.has(t)) };
    if (!sentMeta.tracks.length) return null;
    const trackBytes = Object.fromEntries([...tracks].map(([t, b]) => [t, b.length]));
    const head = await client.uploadRecording({ part: 'detail', detail: { meta: sentMeta, endedAt, durationMs, timeline, trackBytes } });
    if (!head.ok) return head.reason;
    for (const [track, bytes] of tracks) {
      for (let offset = 0; offset < bytes.length; offset += recordingPieceBytes) {
        const data = bytesToBase64(bytes.subarray(offset, offset + recordingPieceBytes));
        const piece = await client.uploadRecording({ part: 'piece', id, track, offset, data });
        if (!piece.ok) return piece.reason;
      }
    }
    return null;
  }
}
