/**
 * One report: three aggregate queries (calls by agent and coached, calls by day, sessions by
 * supervisor) over the date range and the agents in scope, folded into teams and totals here.
 * Days are UTC days; `to` is inclusive.
 */
import type { OrgPolicy } from '../shared/policy/schema';
import { personOf } from '../shared/policy/signedPolicy';
import { addQa, addSums, emptyQa, emptySums, type QaSums, type AgentReportRow, type DailyRow, type OutcomeSums, type ReportQuery, type ReportResult, type SupervisorReportRow, type TeamReportRow } from '../shared/org/report';
import type { ReportScope } from '../shared/org/scope';
import type { SqlRunner } from './db';

interface SumsRow extends OutcomeSums {
  agent: string;
  coached: boolean;
}

const sumsColumns = `
  count(*)::int as calls,
  count(*) filter (where c.answered_at is not null)::int as handled,
  coalesce(sum(c.handle_seconds) filter (where c.answered_at is not null), 0)::float8 as "handleSeconds",
  coalesce(sum(c.hold_seconds) filter (where c.answered_at is not null), 0)::float8 as "holdSeconds",
  count(*) filter (where c.answered_at is not null and c.transfers > 0)::int as transferred,
  count(*) filter (where c.answered_at is not null and c.escalated)::int as escalated,
  count(*) filter (where c.wrapped_up)::int as "wrappedUp",
  count(*) filter (where c.wrapped_up and c.resolved)::int as resolved`;

function range(q: ReportQuery): [string, string] {
  const end = new Date(Date.parse(q.to) + 86_400_000).toISOString();
  return [new Date(q.from).toISOString(), end];
}

const pick = (r: OutcomeSums): OutcomeSums => {
  const out = emptySums();
  for (const k of Object.keys(out) as (keyof OutcomeSums)[]) out[k] = Number(r[k]);
  return out;
};

export async function runReport(db: SqlRunner, policy: OrgPolicy, scope: ReportScope, query: ReportQuery, now: Date = new Date()): Promise<ReportResult> {
  const started = performance.now();
  const [from, to] = range(query);
  const agents = scope.agents;
  const [byAgent, byDay, bySupervisor, qaByAgent] = await Promise.all([
    db.query<SumsRow>(
      `select c.agent, c.coached, ${sumsColumns}
       from calls c
       where c.started_at >= $1 and c.started_at < $2 and c.agent = any($3::text[])
       group by c.agent, c.coached`,
      [from, to, agents],
    ),
    db.query<{ day: string; coached: number; notCoached: number }>(
      `select to_char(c.started_at at time zone 'UTC', 'YYYY-MM-DD') as day,
              count(*) filter (where c.coached)::int as coached, count(*) filter (where not c.coached)::int as "notCoached"
       from calls c where c.started_at >= $1 and c.started_at < $2 and c.agent = any($3::text[])
       group by 1 order by 1`,
      [from, to, agents],
    ),
    db.query<Omit<SupervisorReportRow, 'name' | 'byMode'> & { listen: number; whisper: number; barge: number; takeover: number }>(
      `select s.supervisor, count(*)::int as sessions, count(distinct s.agent)::int as agents,
              sum(s.session_seconds)::float8 as "sessionSeconds", sum(s.talk_seconds)::float8 as "talkSeconds",
              sum(s.prompts)::int as prompts, sum(s.acknowledged)::int as acknowledged,
              count(*) filter (where s.top_mode = 'listen')::int as listen, count(*) filter (where s.top_mode = 'whisper')::int as whisper,
              count(*) filter (where s.top_mode = 'barge')::int as barge, count(*) filter (where s.top_mode = 'takeover')::int as takeover
       from supervision_sessions s where s.started_at >= $1 and s.started_at < $2 and s.agent = any($3::text[])
       group by s.supervisor order by s.supervisor`,
      [from, to, agents],
    ),
    // Evaluations count in the range of the call they score (or of their own date, for a call not uploaded).
    db.query<QaSums & { agent: string }>(
      `select e.agent, count(*)::int as evaluations, sum(e.points)::float8 as points, sum(e.max_points)::float8 as "maxPoints", count(e.acknowledged_at)::int as acknowledged
       from evaluations e left join calls c on c.agent = e.agent and c.call_id = e.call_id
       where coalesce(c.started_at, e.created_at) >= $1 and coalesce(c.started_at, e.created_at) < $2 and e.agent = any($3::text[])
       group by e.agent`,
      [from, to, agents],
    ),
  ]);

  const nameOf = (id: string) => personOf(policy, id)?.name ?? id;
  const rows = new Map<string, AgentReportRow>();
  const teamsOfAgent = (id: string) => scope.teams.filter((t) => t.agents.includes(id)).map((t) => t.id);
  for (const id of agents) rows.set(id, { agent: id, name: nameOf(id), teams: teamsOfAgent(id), qa: emptyQa(), all: emptySums(), coached: emptySums(), notCoached: emptySums() });
  for (const q of qaByAgent) {
    const row = rows.get(q.agent);
    if (row) row.qa = { evaluations: Number(q.evaluations), points: Number(q.points), maxPoints: Number(q.maxPoints), acknowledged: Number(q.acknowledged) };
  }
  for (const r of byAgent) {
    const row = rows.get(r.agent);
    if (!row) continue;
    const sums = pick(r);
    if (r.coached) row.coached = addSums(row.coached, sums);
    else row.notCoached = addSums(row.notCoached, sums);
    row.all = addSums(row.all, sums);
  }
  const agentRows = [...rows.values()];
  const fold = (list: AgentReportRow[]) => ({
    all: list.reduce((s, r) => addSums(s, r.all), emptySums()),
    coached: list.reduce((s, r) => addSums(s, r.coached), emptySums()),
    notCoached: list.reduce((s, r) => addSums(s, r.notCoached), emptySums()),
    qa: list.reduce((s, r) => addQa(s, r.qa), emptyQa()),
  });
  const teams: TeamReportRow[] = scope.teams.map((t) => ({ team: t.id, name: t.name, agents: t.agents.length, ...fold(agentRows.filter((r) => r.teams.includes(t.id))) }));
  const supervisors: SupervisorReportRow[] = bySupervisor.map(({ listen, whisper, barge, takeover, ...s }) => ({
    ...s,
    name: nameOf(s.supervisor),
    byMode: { listen, whisper, barge, takeover },
  }));
  const daily: DailyRow[] = byDay.map((d) => ({ day: d.day, coached: Number(d.coached), notCoached: Number(d.notCoached) }));
  return {
    query,
    scope: scope.scope,
    generatedAt: now.toISOString(),
    queryMs: Math.round((performance.now() - started) * 10) / 10,
    totals: fold(agentRows),
    teams,
    agents: agentRows,
    supervisors,
    daily,
  };
}
