/** The reports view's logic that needs no React: sorting, the date range, the daily series, team options. */
import { maxReportDays, reportQuerySchema, type DailyRow, type ReportQuery, type TeamReportRow } from '../../../shared/org/report';

export type SortDirection = 'asc' | 'desc';
export interface SortState {
  field: string;
  direction: SortDirection;
}
export type SortValue = number | string | null;

/** Clicking a new header sorts ascending by it; clicking the sorted one again reverses it. */
export function nextSort(current: SortState, field: string): SortState {
  if (current.field !== field) return { field, direction: 'asc' };
  return { field, direction: current.direction === 'asc' ? 'desc' : 'asc' };
}

/**
 * A sorted copy; rows without a value (null, NaN) go last in either direction, since "no figure"
 * is neither best nor worst. Text compares in the app's language; ties keep their order.
 */
export function sortRows<R>(rows: readonly R[], value: (row: R) => SortValue, direction: SortDirection, language = 'en'): R[] {
  const collator = new Intl.Collator(language, { sensitivity: 'base', numeric: true });
  const missing = (v: SortValue) => v === null || (typeof v === 'number' && Number.isNaN(v));
  const sign = direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (missing(va) || missing(vb)) return missing(va) === missing(vb) ? 0 : missing(va) ? 1 : -1;
    if (typeof va === 'number' && typeof vb === 'number') return sign * (va - vb);
    return sign * collator.compare(String(va), String(vb));
  });
}

export type RangeProblem = 'invalid' | 'order' | 'tooLong';

/** What is wrong with a range before it is sent (the service checks the same schema), or null. */
export function rangeProblem(from: string, to: string): RangeProblem | null {
  const parsed = reportQuerySchema.safeParse({ from, to });
  if (parsed.success) return null;
  if (parsed.error.issues.some((i) => i.path[0] === 'from' || i.code === 'invalid_format')) return 'invalid';
  return from > to ? 'order' : 'tooLong';
}

export function buildQuery(from: string, to: string, team: string): ReportQuery {
  return team ? { from, to, teams: [team] } : { from, to };
}

/**
 * Every day of the range, days without calls as zeros: the service may leave quiet days out, and a
 * time axis with gaps reads as if they were not there. Days outside the range are kept, in order.
 */
export function fillDays(daily: readonly DailyRow[], from: string, to: string): DailyRow[] {
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (Number.isFinite(start) && Number.isFinite(end) && end >= start && (end - start) / 86_400_000 < maxReportDays)
    for (let t = start; t <= end; t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      if (!byDay.has(day)) byDay.set(day, { day, coached: 0, notCoached: 0 });
    }
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

export interface TeamOption {
  id: string;
  name: string;
}

/**
 * The team filter's choices: every team seen in any result so far, so filtering to one team does
 * not take the others off the list. Sorted by name.
 */
export function mergeTeams(known: readonly TeamOption[], report: { teams: readonly Pick<TeamReportRow, 'team' | 'name'>[] }, language = 'en'): TeamOption[] {
  const byId = new Map(known.map((t) => [t.id, t]));
  for (const t of report.teams) byId.set(t.team, { id: t.team, name: t.name || t.team });
  const collator = new Intl.Collator(language, { sensitivity: 'base', numeric: true });
  return [...byId.values()].sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.id, b.id));
}
