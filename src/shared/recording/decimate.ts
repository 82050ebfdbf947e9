/**
 * Integer-factor sample-rate reduction for recordings (48 kHz → 16 kHz: wideband speech, a third of
 * the disk). A windowed-sinc low-pass first, so what lies above the new Nyquist frequency does not
 * fold back into the speech band. Stateful: chunks are filtered as one continuous signal.
 */
export class Decimator {
  private readonly taps: Float32Array;
  private history: Float32Array;
  /** Input samples to skip before the next output (keeps the phase across chunks). */
  private phase = 0;

  constructor(readonly factor: number, tapCount = 48) {
    if (!Number.isInteger(factor) || factor < 1) throw new Error('factor must be a whole number ≥ 1');
    const n = factor === 1 ? 1 : tapCount | 1;
    this.taps = new Float32Array(n);
    const cutoff = 0.9 / (2 * factor); // of the input rate: 0.9 × the new Nyquist
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const m = i - (n - 1) / 2;
      const sinc = m === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * m) / (Math.PI * m);
      const blackman = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / Math.max(1, n - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / Math.max(1, n - 1));
      this.taps[i] = n === 1 ? 1 : sinc * blackman;
      sum += this.taps[i];
    }
    for (let i = 0; i < n; i++) this.taps[i] /= sum;
    this.history = new Float32Array(n - 1);
  }

  /** Output for this chunk of input; the filter's delay is (taps − 1) / 2 input samples, the same on every track. */
  process(input: Float32Array): Float32Array {
    const n = this.taps.length;
    const buf = new Float32Array(this.history.length + input.length);
    buf.set(this.history);
    buf.set(input, this.history.length);
    const outCount = Math.max(0, Math.ceil((input.length - this.phase) / this.factor));
    const out = new Float32Array(outCount);
    for (let k = 0; k < outCount; k++) {
      const end = this.phase + k * this.factor + n; // exclusive end in buf of this output's window
      let acc = 0;
      for (let j = 0; j < n; j++) acc += this.taps[j] * buf[end - n + j];
      out[k] = acc;
    }
    this.phase = this.phase + outCount * this.factor - input.length;
    this.history = buf.slice(buf.length - (n - 1));
    return out;
  }
}

/** The recording rate for a context rate: the whole-number fraction of it nearest 16 kHz. */
export function recordingFactor(contextRate: number, target = 16_000): number {
  return Math.max(1, Math.round(contextRate / target));
}
