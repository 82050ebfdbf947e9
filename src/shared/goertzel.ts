/**
 * Level of one frequency in a block of samples, in dB relative to a full-scale sine (0 dB).
 * Used to tell which party's tone is present in what someone hears.
 *
 * The block is shaped by a 4-term Blackman–Harris window first: its side lobes sit below −92 dB, so
 * a loud tone (or a click's broadband energy, mostly) does not leak into a bin a few hundred hertz
 * away, as it would with a rectangular window (≈ −45 dB a kHz away for a −6 dBFS tone).
 * The Goertzel recurrence runs at the exact frequency (no rounding to a bin), so no scalloping loss.
 */
const bh = [0.35875, 0.48829, 0.14128, 0.01168] as const;
const windowCache = new Map<number, Float32Array>();

function blackmanHarris(n: number): Float32Array {
  let w = windowCache.get(n);
  if (w) return w;
  w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = (2 * Math.PI * i) / (n - 1);
    w[i] = bh[0] - bh[1] * Math.cos(x) + bh[2] * Math.cos(2 * x) - bh[3] * Math.cos(3 * x);
  }
  if (windowCache.size > 8) windowCache.clear();
  windowCache.set(n, w);
  return w;
}

export function toneLevelDb(samples: ArrayLike<number>, sampleRate: number, frequency: number): number {
  const n = samples.length;
  if (n < 2) return -Infinity;
  const w = blackmanHarris(n);
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = samples[i] * w[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // A full-scale sine gives amplitude n·a0/2 after the window (a0: the window's coherent gain).
  const amplitude = Math.sqrt(Math.max(power, 0)) / ((n * bh[0]) / 2);
  return amplitude > 1e-12 ? 20 * Math.log10(amplitude) : -Infinity;
}

export function rmsDb(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}
