import { analyzeTones, type ToneAnalysis } from '../../shared/toneAnalysis';
import workletUrl from './captureTap.worklet.ts?worker&url';

/**
 * Records the last seconds of what flows through one node of the audio graph, sample-exact on the
 * audio context's clock, without touching the audio path (the tap has no output). The recording
 * runs on the audio thread, so a busy page loses nothing: chunks queue until the page takes them.
 * Used for diagnostics (what the headset played around an event); recordings will tap the same way.
 */
export class CaptureTap {
  private readonly ring: Float32Array;
  /** Context frame just after the newest recorded sample. */
  private end = 0;
  private start = 0;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly ctx: BaseAudioContext,
    private readonly node: AudioWorkletNode,
    seconds: number,
  ) {
    this.ring = new Float32Array(Math.ceil(seconds * ctx.sampleRate));
    node.port.onmessage = (e: MessageEvent<{ start: number; samples: Float32Array }>) => this.take(e.data.start, e.data.samples);
  }

  static async create(ctx: AudioContext, source: AudioNode, seconds = 12): Promise<CaptureTap> {
    await ctx.audioWorklet.addModule(workletUrl);
    const node = new AudioWorkletNode(ctx, 'whisperline-capture-tap', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
    source.connect(node);
    return new CaptureTap(ctx, node, seconds);
  }

  private take(start: number, samples: Float32Array): void {
    if (this.end === 0 || start !== this.end) this.start = start; // first chunk, or the context was suspended
    for (let i = 0; i < samples.length; i++) this.ring[(start + i) % this.ring.length] = samples[i];
    this.end = start + samples.length;
    this.start = Math.max(this.start, this.end - this.ring.length);
    const ready = this.waiters;
    this.waiters = [];
    ready.forEach((w) => w());
  }

  /** The audio clock now, in frames: mark an event with it, then analyse around the mark. */
  now(): number {
    return Math.round(this.ctx.currentTime * this.ctx.sampleRate);
  }

  /** Resolves once frames up to `frame` are recorded (rejects after `timeoutMs`). */
  async until(frame: number, timeoutMs = 10_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.end < frame) {
      if (performance.now() > deadline) throw new Error('audio capture stalled (is the audio context running?)');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** The recorded samples in [from, to), clipped to what is still held. */
  read(from: number, to: number): Float32Array {
    const a = Math.max(from, this.start);
    const b = Math.min(to, this.end);
    const out = new Float32Array(Math.max(0, b - a));
    for (let i = 0; i < out.length; i++) out[i] = this.ring[(a + i) % this.ring.length];
    return out;
  }

  /** Frame-by-frame tone levels between two frames of the audio clock, waiting for them to be recorded. */
  async analyze(frequencies: number[], from: number, to: number): Promise<ToneAnalysis & { from: number; to: number }> {
    await this.until(to);
    const samples = this.read(from, to);
    return { ...analyzeTones(samples, this.ctx.sampleRate, frequencies), from: Math.max(from, this.start), to: Math.min(to, this.end) };
  }

  /** The last `ms` of audio: waits for that much to be recorded after now if the tap is new. */
  async analyzeLast(frequencies: number[], ms: number): Promise<ToneAnalysis & { from: number; to: number }> {
    await this.until(1);
    const span = Math.round((ms / 1000) * this.ctx.sampleRate);
    const to = Math.max(this.end, this.start + span);
    return this.analyze(frequencies, to - span, to);
  }

  dispose(): void {
    this.node.port.onmessage = null;
    this.node.disconnect();
  }
}
