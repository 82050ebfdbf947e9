import type { AuditEntry } from './entry';

/**
 * CSV export of audit entries (RFC 4180: comma-separated, CRLF line ends, a field with a comma,
 * quote, CR or LF in double quotes, quotes doubled). A cell that a spreadsheet would run as a
 * formula (first non-blank character = + - @, or a leading tab / CR / LF, also their full-width
 * forms) gets a leading apostrophe, so `=HYPERLINK(...)` in a SIP display name stays text.
 */

export const csvColumns = ['seq', 'at', 'actor', 'subject', 'call', 'action', 'mode', 'durationMs', 'result', 'reason', 'prevHash', 'hash'] as const;

export interface DateRange {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

/**
 * A range from the command line. A bare date (YYYY-MM-DD) is a whole day in UTC: `--from
 * 2026-03-01 --to 2026-03-31` is all of March (UTC). A full ISO time (with Z or an offset) is
 * taken as is, `from` inclusive and `to` exclusive.
 */
export function parseDateRange(from: string, to: string): DateRange {
  const start = parseBound(from, 'from', false);
  const end = parseBound(to, 'to', true);
  if (end.getTime() <= start.getTime()) throw new Error(`--to (${to}) must be after --from (${from})`);
  return { from: start, to: end };
}

function parseBound(text: string, name: string, endOfDay: boolean): Date {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) {
    const d = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + (endOfDay ? 1 : 0)));
    const check = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    if (check.getUTCMonth() !== Number(day[2]) - 1 || check.getUTCDate() !== Number(day[3])) throw new Error(`--${name}: no such date ${text}`);
    return d;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    throw new Error(`--${name}: expected YYYY-MM-DD or an ISO time with Z or an offset, got "${text}"`);
  }
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`--${name}: invalid time ${text}`);
  return d;
}

export function inRange(entry: AuditEntry, range: DateRange): boolean {
  const t = Date.parse(entry.at);
  return t >= range.from.getTime() && t < range.to.getTime();
}

const formulaStart = /^(?:[\t\r\n]|[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20])/;

/** One CSV cell: formula guard, then RFC 4180 quoting. */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let s = String(value);
  // A lone "-" (an empty identity, see normalizeEvent) is not a formula.
  if (typeof value === 'string' && s !== '-' && formulaStart.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return `${csvColumns.join(',')}\r\n`;
}

export function csvRow(entry: AuditEntry): string {
  return `${csvColumns.map((c) => csvCell(entry[c])).join(',')}\r\n`;
}

/** Header plus one row per entry in the range, in log order. */
export function entriesToCsv(entries: readonly AuditEntry[], range?: DateRange): string {
  let out = csvHeader();
  for (const e of entries) if (!range || inRange(e, range)) out += csvRow(e);
  return out;
}
