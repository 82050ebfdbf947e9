/**
 * Team reports: what a supervisor (or QA, admin; an agent for themselves) asks the org service for,
 * and what it answers. Sums travel, not averages, so teams and totals fold from agents exactly;
 * `derive` turns sums into the figures the views show. Pure: no Electron, no DOM, no database.
 */
import { z } from 'zod';

/** At most a year per report: a month is the usual, a quarter the long one. */
export const maxReportDays = 366;

const day = z.iso.date();

export const reportQuerySchema = z
  .object({
    /** First day, inclusive (UTC date, YYYY-MM-DD). */
    from: day,
    /** Last day, inclusive. */
    to: day,
    /** Only these teams (ids); absent: every team the asker may see. */
    teams: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)).max(500).optional(),
  })
  .strict()
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < maxReportDays, { message: `at most ${maxReportDays} days`, path: ['to'] });
export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** Sums over a set of calls. */
export interface OutcomeSums {
  /** Customer calls (not supervision legs). */
  calls: number;
  /** Answered (or answered and transferred). */
  handled: number;
  /** Sum of answer → end over handled calls: AHT = handleSeconds / handled. */
  handleSeconds: number;
  holdSeconds: number;
  /** Calls transferred at least once. */
  transferred: number;
  /** Calls a supervisor barged into or took over. */
  escalated: number;
  /** Calls with a wrap-up; `resolved` of them marked resolved (first-call resolution). */
  wrappedUp: number;
  resolved: number;
}

/** QA evaluations of calls in the range: score = points / maxPoints. */
export interface QaSums {
  evaluations: number;
  points: number;
  maxPoints: number;
  /** Of them, acknowledged by the agent. */
  acknowledged: number;
}

export const emptyQa = (): QaSums => ({ evaluations: 0, points: 0, maxPoints: 0, acknowledged: 0 });

export interface AgentReportRow {
  agent: string;
  name: string;
  teams: string[];
  /** Evaluations of this agent's calls that started in the range. */
  qa: QaSums;
  all: OutcomeSums;
  /** Calls a supervisor listened to, whispered on, barged into, took over or sent prompts on. */
  coached: OutcomeSums;
  notCoached: OutcomeSums;
}

export interface TeamReportRow {
  team: string;
  name: string;
  agents: number;
  qa: QaSums;
  all: OutcomeSums;
  coached: OutcomeSums;
  notCoached: OutcomeSums;
}

/** A supervisor's sessions (the over-coaching guard's numbers, summed). */
export interface SupervisorReportRow {
  supervisor: string;
  name: string;
  sessions: number;
  /** Distinct agents supervised. */
  agents: number;
  /** Time in sessions and time the supervisor's microphone carried: talk share = talk / session. */
  sessionSeconds: number;
  talkSeconds: number;
  prompts: number;
  acknowledged: number;
  /** Sessions by the furthest mode reached. */
  byMode: { listen: number; whisper: number; barge: number; takeover: number };
}

export interface DailyRow {
  day: string;
  coached: number;
  notCoached: number;
}

export interface ReportResult {
  query: ReportQuery;
  /** Who asked and what they may see: `own` (an agent), `teams` (the teams they lead), `all` (QA, admin). */
  scope: 'own' | 'teams' | 'all';
  generatedAt: string;
  /** Server time spent on the query, for the footer and the benchmark. */
  queryMs: number;
  totals: { all: OutcomeSums; coached: OutcomeSums; notCoached: OutcomeSums; qa: QaSums };
  teams: TeamReportRow[];
  agents: AgentReportRow[];
  supervisors: SupervisorReportRow[];
  daily: DailyRow[];
}

export const emptySums = (): OutcomeSums => ({ calls: 0, handled: 0, handleSeconds: 0, holdSeconds: 0, transferred: 0, escalated: 0, wrappedUp: 0, resolved: 0 });

export function addSums(a: OutcomeSums, b: OutcomeSums): OutcomeSums {
  const out = emptySums();
  for (const k of Object.keys(out) as (keyof OutcomeSums)[]) out[k] = a[k] + b[k];
  return out;
}

/** What the views show; null where there is nothing to divide by (shown as "—", never 0). */
export interface DerivedOutcomes {
  calls: number;
  ahtSeconds: number | null;
  avgHoldSeconds: number | null;
  transferRate: number | null;
  escalationRate: number | null;
  fcr: number | null;
}

export function derive(s: OutcomeSums): DerivedOutcomes {
  const per = (n: number, d: number) => (d > 0 ? n / d : null);
  return {
    calls: s.calls,
    ahtSeconds: per(s.handleSeconds, s.handled),
    avgHoldSeconds: per(s.holdSeconds, s.handled),
    transferRate: per(s.transferred, s.handled),
    escalationRate: per(s.escalated, s.handled),
    fcr: per(s.resolved, s.wrappedUp),
  };
}

export function addQa(a: QaSums, b: QaSums): QaSums {
  return { evaluations: a.evaluations + b.evaluations, points: a.points + b.points, maxPoints: a.maxPoints + b.maxPoints, acknowledged: a.acknowledged + b.acknowledged };
}

/** Average QA score as a share of the points available; null without evaluations. */
export const qaScore = (q: QaSums): number | null => (q.maxPoints > 0 ? q.points / q.maxPoints : null);

/** Share of session time the supervisor talked; null without sessions. */
export const talkShare = (r: Pick<SupervisorReportRow, 'talkSeconds' | 'sessionSeconds'>): number | null => (r.sessionSeconds > 0 ? r.talkSeconds / r.sessionSeconds : null);

/** The last `days` days up to today (UTC), the default range of the reports view. */
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}
