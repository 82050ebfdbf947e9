import { describe, expect, it } from 'vitest';
import { rmsDb, toneLevelDb } from './goertzel';
import { analyzeTones } from './toneAnalysis';

const rate = 48000;
const sine = (hz: number, amp: number, n = 4096) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));
const db = (amp: number) => 20 * Math.log10(amp);

describe('tone detection', () => {
  it('measures a tone at its level and ignores one at another frequency', () => {
    const low = sine(600, 0.3);
    const mix = sine(1000, 0.3).map((v, i) => v + low[i]);
    expect(Math.abs(toneLevelDb(mix, rate, 1000) - db(0.3))).toBeLessThan(0.5);
    expect(Math.abs(toneLevelDb(mix, rate, 600) - db(0.3))).toBeLessThan(0.5);
    // A −6 dBFS tone leaks nothing measurable 400 Hz and 1 kHz away (Blackman–Harris side lobes).
    expect(toneLevelDb(sine(1000, 0.5, 1024), rate, 1400)).toBeLessThan(-90);
    expect(toneLevelDb(sine(1000, 0.5, 1024), rate, 2000)).toBeLessThan(-90);
  });
  it('reads silence as silence', () => {
    expect(toneLevelDb(new Float32Array(4096), rate, 1000)).toBe(-Infinity);
    expect(rmsDb(new Float32Array(16))).toBe(-Infinity);
  });
});

describe('frame-by-frame analysis', () => {
  const second = () => sine(600, 0.3, rate);

  it('keeps a click out of the median but shows it as the loudest frame', () => {
    const audio = second();
    audio[20000] += 0.8; // one-sample click
    const a = analyzeTones(audio, rate, [600, 1400]);
    expect(a.frames).toBeGreaterThan(80);
    expect(Math.abs(a.tones[600].median - db(0.3))).toBeLessThan(0.5);
    expect(a.tones[1400].median).toBeLessThan(-100);
    expect(a.tones[1400].max).toBeGreaterThan(-70);
  });

  it('shows a gap in a tone as the quietest frame while the median stays', () => {
    const audio = second();
    audio.fill(0, 24000, 26400); // 50 ms drop-out
    const a = analyzeTones(audio, rate, [600]);
    expect(Math.abs(a.tones[600].median - db(0.3))).toBeLessThan(0.5);
    expect(a.tones[600].min).toBeLessThan(db(0.3) - 20);
  });

  it('finds a quiet tone under a loud one, 400 Hz apart', () => {
    const audio = second().map((v, i) => v + 0.001 * Math.sin((2 * Math.PI * 1000 * i) / rate));
    expect(Math.abs(analyzeTones(audio, rate, [1000]).tones[1000].median - db(0.001))).toBeLessThan(1);
  });
});
