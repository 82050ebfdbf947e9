import { toneLevelDb } from './goertzel';

/**
 * Tone levels over a stretch of audio, measured frame by frame, so a steady tone can be told from a
 * click: the median frame is the tone's level, the loudest frame shows a transient, the quietest a
 * dip or gap. Pure: the renderer's capture tap, the tests and the benchmark all use it.
 */
export interface ToneStats {
  /** Median frame level, dBFS: what is steadily there. */
  median: number;
  /** Loudest frame, dBFS: a click or pop shows here, not in the median. */
  max: number;
  /** Quietest frame, dBFS: a dip or gap in a tone shows here. */
  min: number;
}

export interface ToneAnalysis {
  frames: number;
  tones: Record<number, ToneStats>;
  /** Frame RMS, dBFS. */
  rms: ToneStats;
}

/** ~21 ms frames at 48 kHz: short enough to localise a click, long enough to separate tones 400 Hz apart. */
export const defaultFrameSize = 1024;

function median(sorted: number[]): number {
  if (sorted.length === 0) return -Infinity;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

function summarise(levels: number[]): ToneStats {
  const s = [...levels].sort((a, b) => a - b);
  return { median: median(s), max: s.length ? s[s.length - 1] : -Infinity, min: s.length ? s[0] : -Infinity };
}

function frameRmsDb(frame: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i] * frame[i];
  const rms = Math.sqrt(sum / Math.max(1, frame.length));
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}

/** Splits `samples` into frames (half-overlapping) and measures each frequency in each frame. */
export function analyzeTones(samples: Float32Array, sampleRate: number, frequencies: number[], frameSize = defaultFrameSize): ToneAnalysis {
  const hop = frameSize >> 1;
  const per: Record<number, number[]> = Object.fromEntries(frequencies.map((f) => [f, []]));
  const rms: number[] = [];
  let frames = 0;
  for (let start = 0; start + frameSize <= samples.length; start += hop) {
    const frame = samples.subarray(start, start + frameSize);
    for (const f of frequencies) per[f].push(toneLevelDb(frame, sampleRate, f));
    rms.push(frameRmsDb(frame));
    frames++;
  }
  return { frames, tones: Object.fromEntries(frequencies.map((f) => [f, summarise(per[f])])), rms: summarise(rms) };
}
