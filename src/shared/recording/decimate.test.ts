import { describe, expect, it } from 'vitest';
import { toneLevelDb } from '../goertzel';
import { Decimator, recordingFactor } from './decimate';

const tone = (hz: number, rate: number, n: number, from = 0) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * (i + from)) / rate));

describe('decimating a recording track', () => {
  it('keeps speech-band tones at their level and frequency, across chunk boundaries', () => {
    const d = new Decimator(3);
    const parts: Float32Array[] = [];
    // Chunks of an awkward size, so outputs straddle chunk boundaries.
    for (let at = 0; at < 48_000; at += 4097) parts.push(d.process(tone(1000, 48_000, Math.min(4097, 48_000 - at), at)));
    const out = Float32Array.from(parts.flatMap((p) => [...p]));
    expect(out.length).toBe(16_000);
    const body = out.subarray(1000);
    expect(toneLevelDb(body, 16_000, 1000)).toBeGreaterThan(-10);
    expect(toneLevelDb(body, 16_000, 1000)).toBeLessThan(-5);
  });

  it('does not fold a tone above the new Nyquist frequency back into the speech band', () => {
    const d = new Decimator(3);
    const out = d.process(tone(15_000, 48_000, 48_000)).subarray(1000);
    // 15 kHz would alias to 1 kHz at 16 kHz without the filter.
    expect(toneLevelDb(out, 16_000, 1000)).toBeLessThan(-50);
  });

  it('picks the whole-number factor nearest 16 kHz', () => {
    expect(recordingFactor(48_000)).toBe(3);
    expect(recordingFactor(44_100)).toBe(3);
    expect(recordingFactor(16_000)).toBe(1);
    expect(new Decimator(1).process(Float32Array.of(0.1, 0.2))).toEqual(Float32Array.of(0.1, 0.2));
  });
});
