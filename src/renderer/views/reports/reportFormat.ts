/**
 * How the reports view writes figures: null (nothing to divide by) is "—", never 0; durations
 * m:ss (h:mm:ss from an hour, as a supervisor's session time gets there); percentages whole, with
 * one decimal under 10 % where a point matters (escalations). Numbers in the app's language.
 */

export const noValue = '—';

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return noValue;
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export interface Formatters {
  duration: (seconds: number | null) => string;
  percent: (ratio: number | null) => string;
  /** Whole percent always: an axis's ticks ("0 %, 50 %, 100 %"). */
  axisPercent: (ratio: number) => string;
  count: (n: number | null) => string;
}

export function formatters(language: string): Formatters {
  const whole = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 });
  const tenth = new Intl.NumberFormat(language, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const count = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  return {
    duration: formatDuration,
    percent: (ratio) => {
      if (ratio === null || !Number.isFinite(ratio)) return noValue;
      // Decided on the rounded value, so 9.96 % shows as "10 %" rather than "10.0 %".
      return Math.round(ratio * 1000) < 100 ? tenth.format(ratio) : whole.format(ratio);
    },
    axisPercent: (ratio) => whole.format(ratio),
    count: (n) => (n === null || !Number.isFinite(n) ? noValue : count.format(n)),
  };
}

/**
 * Ticks for a duration axis on whole minutes (or half, or hours), not the 100 s steps a number
 * axis would pick ("1:40, 3:20"): zero up to the first tick at or above `max`, five or fewer steps.
 */
export function durationTicks(max: number): number[] {
  const steps = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];
  const top = Number.isFinite(max) && max > 0 ? max : 60;
  const step = steps.find((s) => top / s <= 5) ?? Math.ceil(top / 5 / 86_400) * 86_400;
  const count = Math.ceil(top / step);
  return Array.from({ length: count + 1 }, (_, i) => i * step);
}
