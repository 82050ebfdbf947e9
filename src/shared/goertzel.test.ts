import { describe, expect, it } from 'vitest';
import { rmsDb, toneLevelDb } from './goertzel';

const sine = (hz: number, amp: number, n = 4096, rate = 48000) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

describe('tone detection', () => {
  it('measures a tone at its level and ignores one at another frequency', () => {
    const mix = sine(1000, 0.3).map((v, i) => v + sine(600, 0.3)[i]);
    // Within 1.5 dB of the true level (the tone sits between two analysis bins).
    expect(Math.abs(toneLevelDb(mix, 48000, 1000) - 20 * Math.log10(0.3))).toBeLessThan(1.5);
    expect(toneLevelDb(sine(600, 0.3), 48000, 1000)).toBeLessThan(-60);
  });
  it('reads silence as silence', () => {
    expect(toneLevelDb(new Float32Array(4096), 48000, 1000)).toBe(-Infinity);
    expect(rmsDb(new Float32Array(16))).toBe(-Infinity);
  });
});
