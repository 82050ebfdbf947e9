import type { WhisperlineBridge } from '../../shared/bridge';
import { Decimator, recordingFactor } from '../../shared/recording/decimate';
import type { RecordingMeta, RecordingResult, TimelineKind, TrackName } from '../../shared/recording/types';
import { floatToPcm16 } from '../../shared/recording/wav';
import type { RecordingTap } from '../audio/engine';

/** A chunk is sent about once a second: a crash loses at most that much (plus one in flight). */
const chunkSeconds = 1;
/** Chunks waiting while the host is slow; beyond this the oldest is dropped (the host fills it with silence). */
const maxQueued = 30;

export interface RecorderDeps {
  bridge: Pick<WhisperlineBridge, 'recordingStart' | 'recordingAppend' | 'recordingEvent' | 'recordingEnd'>;
  /** Starts the tap (AudioEngine.recordCall for the call's leg). */
  tap(tracks: TrackName[], onChunk: (start: number, planes: Float32Array[]) => void): Promise<RecordingTap>;
  /** The recording stopped for good (disk full, folder not writable): said once. */
  onFailure(reason: string): void;
}

/**
 * One call's recording on the renderer side: takes the tap's sample-aligned chunks, brings them
 * to the recording rate, and hands one chunk of every track to the host each second, in order.
 * Timeline events are stamped on the same audio clock as the samples.
 */
export class CallRecorder {
  private tap: RecordingTap | null = null;
  private firstFrame: number | null = null;
  private seq = 0;
  private pending: Float32Array[][] = [];
  private pendingFrames = 0;
  private queue: { seq: number; frames: number; pcm: Uint8Array<ArrayBuffer> }[] = [];
  private sending = false;
  private failed: string | null = null;
  private stopped = false;
  private decimators: Decimator[] = [];
  private rate = 16_000;

  private constructor(
    private readonly deps: RecorderDeps,
    readonly meta: RecordingMeta,
  ) {}

  /** Starts recording, or says why it could not (the call goes on either way). */
  static async start(deps: RecorderDeps, meta: Omit<RecordingMeta, 'sampleRate'>, contextRate: number): Promise<CallRecorder | { error: string }> {
    const factor = recordingFactor(contextRate);
    const full: RecordingMeta = { ...meta, sampleRate: Math.round(contextRate / factor) };
    const started = await deps.bridge.recordingStart(full).catch((e: Error) => ({ ok: false as const, reason: e.message }));
    if (!started.ok) return { error: started.reason };
    const r = new CallRecorder(deps, full);
    r.rate = full.sampleRate;
    r.decimators = full.tracks.map(() => new Decimator(factor));
    try {
      r.tap = await deps.tap(full.tracks, (start, planes) => r.take(start, planes));
    } catch (e) {
      await deps.bridge.recordingEnd(full.id, { endedAt: new Date().toISOString() }).catch(() => undefined);
      return { error: `the audio could not be tapped (${(e as Error).message})` };
    }
    void r.mark('recording-started');
    return r;
  }

  /** The audio-clock frame of the tracks' first sample (null until audio arrived). */
  get startFrame(): number | null {
    return this.firstFrame;
  }

  get failure(): string | null {
    return this.failed;
  }

  /** Milliseconds since the recording's first frame, on the audio clock. */
  private atMs(): number {
    if (!this.tap || this.firstFrame === null) return 0;
    return Math.max(0, Math.round(((this.tap.now() - this.firstFrame) / this.tap.sampleRate) * 1000));
  }

  async mark(kind: TimelineKind, detail?: string): Promise<void> {
    if (this.failed && kind !== 'recording-error') return;
    const r = await this.deps.bridge.recordingEvent(this.meta.id, { atMs: this.atMs(), kind, ...(detail ? { detail: detail.slice(0, 500) } : {}) }).catch((e: Error) => ({ ok: false as const, reason: e.message }));
    if (!r.ok) this.fail(r.reason);
  }

  /** PCI pause: silence is recorded until resumed, and both moments are on the timeline. */
  setPaused(paused: boolean): void {
    this.tap?.setPaused(paused);
    void this.mark(paused ? 'recording-paused' : 'recording-resumed');
  }

  private take(start: number, planes: Float32Array[]): void {
    if (this.stopped || this.failed) return;
    this.firstFrame ??= start;
    this.pending.push(planes.map((p, i) => this.decimators[i].process(p)));
    this.pendingFrames += this.pending.at(-1)![0]?.length ?? 0;
    if (this.pendingFrames >= this.rate * chunkSeconds) this.cut();
  }

  /** Packs what is pending into one chunk: track after track, 16-bit PCM. */
  private cut(): void {
    const frames = this.pendingFrames;
    if (frames === 0) return;
    const tracks = this.meta.tracks.length;
    const pcm = new Uint8Array(frames * 2 * tracks);
    for (let t = 0; t < tracks; t++) {
      let at = t * frames * 2;
      for (const part of this.pending) {
        const bytes = floatToPcm16(part[t]);
        pcm.set(bytes, at);
        at += bytes.length;
      }
    }
    this.pending = [];
    this.pendingFrames = 0;
    this.queue.push({ seq: this.seq++, frames, pcm });
    if (this.queue.length > maxQueued) this.queue.shift();
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length && !this.failed) {
        const chunk = this.queue[0];
        const r: RecordingResult = await this.deps.bridge.recordingAppend(this.meta.id, chunk).catch((e: Error) => ({ ok: false as const, reason: e.message }));
        if (!r.ok) this.fail(r.reason);
        else this.queue.shift();
      }
    } finally {
      this.sending = false;
    }
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = reason;
    this.queue = [];
    this.tap?.dispose();
    this.tap = null;
    this.deps.onFailure(reason);
  }

  /** The call ended: the last partial second is written, then the recording is closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.failed) await this.mark('ended');
    this.tap?.dispose();
    this.tap = null;
    this.cut();
    for (let i = 0; i < 100 && (this.sending || this.queue.length) && !this.failed; i++) await new Promise((r) => setTimeout(r, 50));
    await this.deps.bridge.recordingEnd(this.meta.id, { endedAt: new Date().toISOString() }).catch(() => undefined);
  }
}
