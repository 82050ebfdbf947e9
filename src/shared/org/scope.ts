/**
 * Who may send and read what at the org service, decided from the signed policy alone:
 * - uploads: a desk sends its own history (the signer is the agent of every call); a supervision
 *   session must be about an agent the signer may supervise;
 * - reports: an agent sees their own calls, a supervisor or trainer the teams they lead or may
 *   supervise, QA and admin every team.
 */
import { z } from 'zod';
import { historyEntrySchema, type HistoryEntry } from '../callHistory';
import type { OrgPolicy, Team } from '../policy/schema';
import { agentsInScope, personOf } from '../policy/signedPolicy';
import { supervisionModes } from '../supervision/modes';
import { teamsForMode } from '../policy/signedPolicy';
import type { ReportQuery } from './report';

/** Entries per upload: a day of a busy desk fits in a few. */
export const maxUploadEntries = 500;
/** Bytes per request body; larger is refused before it is parsed. */
export const maxRequestBytes = 1024 * 1024;

export const uploadBodySchema = z.object({ entries: z.array(historyEntrySchema).min(1).max(maxUploadEntries) }).strict();
export type UploadBody = z.infer<typeof uploadBodySchema>;

export type ScopeDecision<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Sessions name the agent as the supervisor's app shows it: an extension (`1001`, on the
 * supervisor's own domain) or a SIP address (`sip:1001@pbx`, maybe with a display name).
 */
export function agentOfSession(withText: string, supervisorDomain: string): string {
  const m = /(?:sips?:)?([^<>;:\s@]+@[^<>;\s]+)/.exec(withText);
  const id = m ? m[1] : `${withText.trim()}@${supervisorDomain}`;
  return id.toLowerCase();
}

export function checkUploadScope(policy: OrgPolicy, from: string, entries: readonly HistoryEntry[]): ScopeDecision<null> {
  let allowed: Set<string> | null = null;
  for (const e of entries) {
    if (e.kind !== 'call' || e.call.coaching?.role !== 'supervisor') continue;
    allowed ??= new Set(agentsInScope(policy, from));
    const agent = agentOfSession(e.call.coaching.with, from.slice(from.indexOf('@') + 1));
    if (!allowed.has(agent)) return { ok: false, reason: `${from} sent a supervision session on ${agent}, who is outside the teams ${from} may supervise.` };
  }
  return { ok: true, value: null };
}

export interface ReportScope {
  scope: 'own' | 'teams' | 'all';
  teams: Team[];
  /** Identities whose calls the report covers. */
  agents: string[];
}

/** Teams a person may report on, and how broadly. */
function visibleTeams(policy: OrgPolicy, personId: string): { scope: ReportScope['scope']; teams: Team[] } {
  const person = personOf(policy, personId);
  if (!person) return { scope: 'own', teams: [] };
  if (person.roles.includes('qa') || person.roles.includes('admin')) return { scope: 'all', teams: policy.teams };
  const found = new Set<Team>(policy.teams.filter((t) => t.supervisors.includes(person.id)));
  for (const m of supervisionModes) for (const t of teamsForMode(policy, person.id, m)) found.add(t);
  if (found.size) return { scope: 'teams', teams: policy.teams.filter((t) => found.has(t)) };
  return { scope: 'own', teams: [] };
}

/** Roles that review calls: they may evaluate the agents of the teams they may see. */
const reviewerRoles = new Set(['qa', 'admin', 'supervisor', 'trainer']);

export function mayEvaluate(policy: OrgPolicy, from: string, agent: string): ScopeDecision<null> {
  const person = personOf(policy, from);
  if (!person) return { ok: false, reason: `${from} is not in the org policy.` };
  if (!person.roles.some((r) => reviewerRoles.has(r))) return { ok: false, reason: `${person.id} (${person.roles.join(', ')}) does not review calls.` };
  if (agent === person.id) return { ok: false, reason: `${person.id} may not evaluate their own calls.` };
  const { teams } = visibleTeams(policy, person.id);
  if (!teams.some((t) => t.agents.includes(agent))) return { ok: false, reason: `${agent} is in no team ${person.id} may review.` };
  return { ok: true, value: null };
}

export function reportScope(policy: OrgPolicy, from: string, query: ReportQuery): ScopeDecision<ReportScope> {
  const person = personOf(policy, from);
  if (!person) return { ok: false, reason: `${from} is not in the org policy.` };
  const { scope, teams } = visibleTeams(policy, person.id);
  if (scope === 'own') {
    if (query.teams?.length) return { ok: false, reason: `${person.id} may see their own calls only, not team ${query.teams[0]}.` };
    return { ok: true, value: { scope, teams: [], agents: [person.id] } };
  }
  let chosen = teams;
  if (query.teams?.length) {
    const byId = new Map(teams.map((t) => [t.id, t]));
    const outside = query.teams.find((id) => !byId.has(id));
    if (outside) return { ok: false, reason: `Team ${outside} is not one ${person.id} may see.` };
    chosen = query.teams.map((id) => byId.get(id)!);
  }
  const agents = [...new Set(chosen.flatMap((t) => t.agents))].sort();
  return { ok: true, value: { scope, teams: chosen, agents } };
}
