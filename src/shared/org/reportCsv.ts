/**
 * A report table as CSV, for a spreadsheet: RFC 4180 (CRLF, quoted where needed), one header row,
 * the rows, and a Total row. Headers are English and fixed so a sheet built on one export keeps
 * working on the next, whatever the app's language. Pure: no DOM.
 */
import { derive, qaScore, talkShare, type OutcomeSums, type QaSums, type ReportQuery, type ReportResult, type SupervisorReportRow } from './report';

export type ReportTableKind = 'agents' | 'teams' | 'supervisors';

/** null is an empty cell (nothing to divide by), never 0. */
type Cell = string | number | null;

/** Seconds to one decimal, rates as a ratio 0–1 to three: kept numbers, so plain decimals, no locale. */
const round = (v: number | null, places: number): Cell => (v === null ? null : Math.round(v * 10 ** places) / 10 ** places);
const seconds = (v: number | null): Cell => round(v, 1);
const ratio = (v: number | null): Cell => round(v, 3);

/**
 * A spreadsheet runs a cell that starts with = + - @ (and, in some, a tab or CR) as a formula: a
 * name from the directory must never do that, so such text gets a leading apostrophe.
 */
export function guardCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: quoted when it holds a quote, comma, CR or LF; quotes doubled. */
export function quoteCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function line(cells: Cell[]): string {
  return cells
    .map((c) => {
      if (c === null) return '';
      // Numbers are ours (String() of a rounded figure is plain, no exponent); only text is guarded.
      if (typeof c === 'number') return Number.isFinite(c) ? String(c) : '';
      return quoteCell(guardCell(c));
    })
    .join(',');
}

const outcomeHeader = ['Calls', 'Handled', 'AHT (s)', 'Avg hold (s)', 'Transfer rate (0-1)', 'Escalation rate (0-1)', 'FCR (0-1)'];
const groups = [
  ['all', ''],
  ['coached', 'Coached '],
  ['notCoached', 'Not coached '],
] as const;

function outcomeHeaders(): string[] {
  return groups.flatMap(([, prefix]) => outcomeHeader.map((h) => prefix + h));
}

function outcomeCells(s: OutcomeSums): Cell[] {
  const d = derive(s);
  return [s.calls, s.handled, seconds(d.ahtSeconds), seconds(d.avgHoldSeconds), ratio(d.transferRate), ratio(d.escalationRate), ratio(d.fcr)];
}

function outcomeGroups(row: { all: OutcomeSums; coached: OutcomeSums; notCoached: OutcomeSums }): Cell[] {
  return groups.flatMap(([key]) => outcomeCells(row[key]));
}

/** Last on the line: columns added later go after the old ones, so a sheet's references to those still hold. */
const qaHeader = ['Evaluations', 'QA points', 'QA max', 'QA score (0-1)'];

function qaCells(q: QaSums): Cell[] {
  return [q.evaluations, q.points, q.maxPoints, ratio(qaScore(q))];
}

function supervisorSums(rows: SupervisorReportRow[]): Omit<SupervisorReportRow, 'supervisor' | 'name' | 'agents'> {
  const out = { sessions: 0, sessionSeconds: 0, talkSeconds: 0, prompts: 0, acknowledged: 0, byMode: { listen: 0, whisper: 0, barge: 0, takeover: 0 } };
  for (const r of rows) {
    out.sessions += r.sessions;
    out.sessionSeconds += r.sessionSeconds;
    out.talkSeconds += r.talkSeconds;
    out.prompts += r.prompts;
    out.acknowledged += r.acknowledged;
    for (const m of ['listen', 'whisper', 'barge', 'takeover'] as const) out.byMode[m] += r.byMode[m];
  }
  return out;
}

function supervisorCells(r: Omit<SupervisorReportRow, 'supervisor' | 'name' | 'agents'>): Cell[] {
  return [
    r.sessions,
    seconds(r.sessionSeconds),
    seconds(r.talkSeconds),
    ratio(talkShare(r)),
    r.prompts,
    r.acknowledged,
    r.byMode.listen,
    r.byMode.whisper,
    r.byMode.barge,
    r.byMode.takeover,
  ];
}

function rows(kind: ReportTableKind, report: ReportResult): Cell[][] {
  switch (kind) {
    case 'agents':
      return [
        ['Agent', 'Name', 'Teams', ...outcomeHeaders(), ...qaHeader],
        ...report.agents.map((a) => [a.agent, a.name, a.teams.join(';'), ...outcomeGroups(a), ...qaCells(a.qa)]),
        // The totals are the service's own sums (a call handled by two agents counts once there).
        ['Total', null, null, ...outcomeGroups(report.totals), ...qaCells(report.totals.qa)],
      ];
    case 'teams':
      return [
        ['Team', 'Name', 'Agents', ...outcomeHeaders(), ...qaHeader],
        ...report.teams.map((tm) => [tm.team, tm.name, tm.agents, ...outcomeGroups(tm), ...qaCells(tm.qa)]),
        // An agent may sit in two teams: the total counts each agent (and each evaluation) of the report once.
        ['Total', null, report.agents.length, ...outcomeGroups(report.totals), ...qaCells(report.totals.qa)],
      ];
    case 'supervisors':
      return [
        ['Supervisor', 'Name', 'Sessions', 'Agents', 'Session time (s)', 'Talk time (s)', 'Talk share (0-1)', 'Prompts', 'Acknowledged', 'Listen', 'Whisper', 'Barge', 'Takeover'],
        ...report.supervisors.map((s) => {
          const [sessions, ...rest] = supervisorCells(s);
          return [s.supervisor, s.name, sessions, s.agents, ...rest];
        }),
        // Distinct agents do not add up across supervisors: left empty rather than overcounted.
        (() => {
          const [sessions, ...rest] = supervisorCells(supervisorSums(report.supervisors));
          return ['Total', null, sessions, null, ...rest];
        })(),
      ];
  }
}

/** One table of the report as CSV text (CRLF line ends, no BOM: the download adds one for Excel). */
export function reportCsv(kind: ReportTableKind, report: ReportResult): string {
  return rows(kind, report).map((r) => line(r)).join('\r\n') + '\r\n';
}

/** `whisperline-agents-2026-11-01-2026-11-30.csv` */
export function reportCsvFileName(kind: ReportTableKind, query: Pick<ReportQuery, 'from' | 'to'>): string {
  return `whisperline-${kind}-${query.from}-${query.to}.csv`;
}
