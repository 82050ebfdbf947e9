/**
 * Level of one frequency in a block of samples, in dB relative to a full-scale sine (0 dB).
 * Used to tell which party's tone is present in what someone hears.
 */
export function toneLevelDb(samples: ArrayLike<number>, sampleRate: number, frequency: number): number {
  const n = samples.length;
  if (n === 0) return -Infinity;
  const k = Math.round((n * frequency) / sampleRate);
  const omega = (2 * Math.PI * k) / n;
  const coeff = 2 * Math.cos(omega);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    // Hann window keeps a strong neighbouring tone from leaking into this bin.
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const s0 = samples[i] * w + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // A full-scale sine gives amplitude n/4 after a Hann window.
  const amplitude = Math.sqrt(Math.max(power, 0)) / (n / 4);
  return amplitude > 0 ? 20 * Math.log10(amplitude) : -Infinity;
}

export function rmsDb(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}
