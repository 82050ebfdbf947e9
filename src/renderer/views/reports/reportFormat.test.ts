import { describe, expect, it } from 'vitest';
import { durationTicks, formatDuration, formatters, noValue } from './reportFormat';

describe('report figures', () => {
  const en = formatters('en');
  const de = formatters('de');

  it('writes durations as m:ss, h:mm:ss from an hour, rounded to the second', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(7.4)).toBe('0:07');
    expect(formatDuration(59.6)).toBe('1:00');
    expect(formatDuration(187.5)).toBe('3:08');
    expect(formatDuration(3600)).toBe('1:00:00');
    expect(formatDuration(3725)).toBe('1:02:05');
  });

  it('shows a dash, never 0, where there is no figure', () => {
    expect(formatDuration(null)).toBe(noValue);
    expect(en.percent(null)).toBe(noValue);
    expect(en.count(null)).toBe(noValue);
    expect(en.percent(0)).not.toBe(noValue);
  });

  it('writes percentages whole, with one decimal under 10 %', () => {
    expect(en.percent(0.4567)).toBe('46%');
    expect(en.percent(0.1)).toBe('10%');
    expect(en.percent(0.0996)).toBe('10%');
    expect(en.percent(0.0734)).toBe('7.3%');
    expect(en.percent(0)).toBe('0.0%');
    expect(de.percent(0.0734)).toBe('7,3\u00a0%');
    expect(en.count(12345)).toBe('12,345');
  });
});

describe('duration axis ticks', () => {
  it('steps on whole minutes and reaches past the highest bar', () => {
    expect(durationTicks(256)).toEqual([0, 60, 120, 180, 240, 300]);
    expect(durationTicks(240)).toEqual([0, 60, 120, 180, 240]);
    expect(durationTicks(100)).toEqual([0, 30, 60, 90, 120]);
    expect(durationTicks(1000)).toEqual([0, 300, 600, 900, 1200]);
  });

  it('gives a usable axis when there is nothing to show', () => {
    expect(durationTicks(0)).toEqual([0, 30, 60]);
    expect(durationTicks(Number.NaN)).toEqual([0, 30, 60]);
  });
});
