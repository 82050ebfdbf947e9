/**
 * Stores one verified upload: the desk's history entries become rows in `calls`, `wrapups` and
 * `supervision_sessions`, and the request's nonce is used up, all in one transaction. Entries are
 * keyed by (person, call id), so a batch sent again after a lost acknowledgement stores nothing new;
 * a wrap-up sent again (edited) replaces the earlier one.
 */
import type { CallRecord, HistoryEntry, WrapUp } from '../shared/callHistory';
import { agentOfSession } from '../shared/org/scope';
import type { SqlRunner } from './db';

export interface StoredCounts {
  calls: number;
  wrapups: number;
  sessions: number;
}

const escalations = new Set(['barge', 'takeover']);
const coachingModes = new Set(['whisper', 'barge', 'takeover']);

/** Coached: a supervisor whispered, barged, took over or sent prompts (listening alone is not coaching). */
export function isCoached(call: CallRecord): boolean {
  const c = call.coaching;
  if (!c || c.role !== 'agent') return false;
  return c.prompts > 0 || (c.modes ?? []).some((m) => coachingModes.has(m));
}

const seconds = (from: string | null, to: string) => (from ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : 0);

/** The furthest mode a session reached, for the supervisors' table. */
function topMode(modes: readonly string[] | undefined): string {
  for (const m of ['takeover', 'barge', 'whisper']) if (modes?.includes(m)) return m;
  return 'listen';
}

/** `values ($1,$2,…),(…)` for rows of `width` parameters. */
function placeholders(rows: number, width: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) out.push(`(${Array.from({ length: width }, (_, i) => `$${r * width + i + 1}`).join(',')})`);
  return out.join(',');
}

export async function storeEntries(tx: SqlRunner, from: string, entries: readonly HistoryEntry[]): Promise<StoredCounts> {
  const calls: CallRecord[] = [];
  const sessions: CallRecord[] = [];
  const wrapups: { callId: string; wrapUp: WrapUp; at: string }[] = [];
  for (const e of entries) {
    if (e.kind === 'wrapup') wrapups.push(e);
    else if (e.call.coaching?.role === 'supervisor') sessions.push(e.call);
    else calls.push(e.call);
  }
  const counts: StoredCounts = { calls: 0, wrapups: 0, sessions: 0 };
  const domain = from.slice(from.indexOf('@') + 1);
  if (calls.length) {
    const params = calls.flatMap((c) => [
      from, c.id, c.direction, c.remote.slice(0, 512), c.startedAt, c.answeredAt, c.endedAt,
      c.answeredAt ? seconds(c.answeredAt, c.endedAt) : 0, c.holdSeconds, c.transfers, c.outcome,
      isCoached(c), (c.coaching?.modes ?? []).some((m) => escalations.has(m)), c.coaching?.role === 'agent' ? c.coaching.with : '',
      c.coaching?.prompts ?? 0, (c.coaching?.modes ?? []).join(','),
    ]);
    const rows = await tx.query(
      `insert into calls (agent, call_id, direction, remote, started_at, answered_at, ended_at, handle_seconds, hold_seconds, transfers, outcome, coached, escalated, coaches, prompts, modes)
       values ${placeholders(calls.length, 16)} on conflict (agent, call_id) do nothing returning call_id`,
      params,
    );
    counts.calls = rows.length;
  }
  if (sessions.length) {
    const params = sessions.flatMap((c) => {
      const coaching = c.coaching!;
      const start = c.answeredAt ?? c.startedAt;
      return [from, c.id, agentOfSession(coaching.with, domain), start, c.endedAt, seconds(start, c.endedAt), coaching.talkSeconds ?? 0, coaching.prompts, coaching.acknowledged, topMode(coaching.modes)];
    });
    const rows = await tx.query(
      `insert into supervision_sessions (supervisor, leg_id, agent, started_at, ended_at, session_seconds, talk_seconds, prompts, acknowledged, top_mode)
       values ${placeholders(sessions.length, 10)} on conflict (supervisor, leg_id) do nothing returning leg_id`,
      params,
    );
    counts.sessions = rows.length;
  }
  if (wrapups.length) {
    // The last wrap-up of a call in this batch wins (an edit), as it does in the desk's own history.
    const last = new Map(wrapups.map((w) => [w.callId, w]));
    const list = [...last.values()];
    const params = list.flatMap((w) => [from, w.callId, w.wrapUp.disposition, w.wrapUp.resolved, w.wrapUp.note, w.at]);
    const rows = await tx.query(
      `insert into wrapups (agent, call_id, disposition, resolved, note, wrapped_at) values ${placeholders(list.length, 6)}
       on conflict (agent, call_id) do update set disposition = excluded.disposition, resolved = excluded.resolved, note = excluded.note, wrapped_at = excluded.wrapped_at
       where wrapups.wrapped_at <= excluded.wrapped_at returning call_id`,
      params,
    );
    counts.wrapups = rows.length;
  }
  // The wrap-up's outcome is kept on the call row too (reports read calls alone), whichever came first.
  const touched = [...new Set([...calls.map((c) => c.id), ...wrapups.map((w) => w.callId)])];
  if (touched.length) {
    await tx.query(
      `update calls c set wrapped_up = true, resolved = w.resolved from wrapups w
       where c.agent = $1 and c.call_id = any($2::text[]) and w.agent = c.agent and w.call_id = c.call_id and (not c.wrapped_up or c.resolved <> w.resolved)`,
      [from, touched],
    );
  }
  return counts;
}

/** Uses up a request's nonce; false when it was seen before (a replay). */
export async function useNonce(tx: SqlRunner, keyId: string, nonce: string): Promise<boolean> {
  const rows = await tx.query('insert into request_nonces (key_id, nonce) values ($1, $2) on conflict do nothing returning nonce', [keyId, nonce]);
  return rows.length === 1;
}

/** Deletes what the policy no longer keeps, and nonces too old to matter. */
export async function applyRetention(db: SqlRunner, retentionDays: number, nonceSeconds: number): Promise<{ calls: number; sessions: number }> {
  const cutoff = new Date(Date.now() - retentionDays * 86_400_000).toISOString();
  const calls = await db.query('delete from calls where started_at < $1 returning 1', [cutoff]);
  await db.query('delete from wrapups w where not exists (select 1 from calls c where c.agent = w.agent and c.call_id = w.call_id) and w.wrapped_at < $1', [cutoff]);
  const sessions = await db.query('delete from supervision_sessions where started_at < $1 returning 1', [cutoff]);
  await db.query(`delete from request_nonces where seen_at < now() - make_interval(secs => $1)`, [nonceSeconds]);
  return { calls: calls.length, sessions: sessions.length };
}
