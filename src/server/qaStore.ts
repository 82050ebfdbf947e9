/**
 * QA evaluations in the org service's database: made by a reviewer (scored against a scorecard of
 * the policy), listed within the asker's scope, acknowledged by the evaluated agent alone. An
 * evaluation's id comes from the reviewer's app, so a resend after a lost answer is stored once; an
 * id already used for another call or by another reviewer is refused rather than overwritten.
 */
import type { Evaluation, EvaluationComment, ParsedEvaluationInput, Scorecard } from '../shared/org/qa';
import { scoreEvaluation } from '../shared/org/qa';
import type { SqlRunner } from './db';

export class QaRefusal extends Error {
  constructor(
    readonly code: 'malformed' | 'out-of-scope' | 'not-found',
    reason: string,
  ) {
    super(reason);
  }
}

interface Row {
  id: string;
  agent: string;
  call_id: string;
  recording_id: string | null;
  evaluator: string;
  scorecard: string;
  scorecard_name: string;
  scores: Record<string, number> | string;
  comments: EvaluationComment[] | string;
  note: string;
  points: number;
  max_points: number;
  created_at: Date | string;
  acknowledged_at: Date | string | null;
  agent_comment: string;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
// pg parses jsonb; PGlite does too, but a driver that hands back text is read the same way.
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function toEvaluation(r: Row): Evaluation {
  return {
    id: r.id,
    agent: r.agent,
    callId: r.call_id,
    recordingId: r.recording_id,
    evaluator: r.evaluator,
    scorecard: r.scorecard,
    scorecardName: r.scorecard_name,
    scores: json(r.scores),
    comments: json(r.comments),
    note: r.note,
    points: Number(r.points),
    maxPoints: Number(r.max_points),
    createdAt: iso(r.created_at)!,
    acknowledgedAt: iso(r.acknowledged_at),
    agentComment: r.agent_comment,
  };
}

const columns = 'id, agent, call_id, recording_id, evaluator, scorecard, scorecard_name, scores, comments, note, points, max_points, created_at, acknowledged_at, agent_comment';

export async function saveEvaluation(db: SqlRunner, evaluator: string, input: ParsedEvaluationInput, scorecards: readonly Scorecard[]): Promise<Evaluation> {
  const card = scorecards.find((c) => c.id === input.scorecard);
  if (!card) throw new QaRefusal('malformed', `The org policy has no scorecard "${input.scorecard}".`);
  const score = scoreEvaluation(card, input.scores);
  if (!score.ok) throw new QaRefusal('malformed', score.reason);
  const comments = [...input.comments].sort((a, b) => a.atMs - b.atMs);
  const inserted = await db.query<Row>(
    `insert into evaluations (id, agent, call_id, recording_id, evaluator, scorecard, scorecard_name, scores, comments, note, points, max_points)
     values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12) on conflict (id) do nothing returning ${columns}`,
    [input.id, input.agent, input.callId, input.recordingId ?? null, evaluator, card.id, card.name, JSON.stringify(input.scores), JSON.stringify(comments), input.note, score.points, score.maxPoints],
  );
  if (inserted.length) return toEvaluation(inserted[0]);
  const [existing] = await db.query<Row>(`select ${columns} from evaluations where id = $1`, [input.id]);
  if (!existing || existing.evaluator !== evaluator || existing.agent !== input.agent || existing.call_id !== input.callId) {
    throw new QaRefusal('malformed', 'That evaluation id is already used for another evaluation: make a new one.');
  }
  return toEvaluation(existing);
}

export async function listEvaluations(db: SqlRunner, agents: readonly string[], q: { agent?: string; callId?: string; unacknowledged?: boolean; limit: number }): Promise<Evaluation[]> {
  const params: unknown[] = [agents];
  const where = ['agent = any($1::text[])'];
  if (q.agent) where.push(`agent = $${params.push(q.agent)}`);
  if (q.callId) where.push(`call_id = $${params.push(q.callId)}`);
  if (q.unacknowledged) where.push('acknowledged_at is null');
  const rows = await db.query<Row>(`select ${columns} from evaluations where ${where.join(' and ')} order by created_at desc limit $${params.push(q.limit)}`, params);
  return rows.map(toEvaluation);
}

export async function acknowledgeEvaluation(db: SqlRunner, agent: string, id: string, comment: string): Promise<Evaluation> {
  const rows = await db.query<Row>(
    `update evaluations set acknowledged_at = coalesce(acknowledged_at, now()), agent_comment = case when acknowledged_at is null then $3 else agent_comment end
     where id = $1 and agent = $2 returning ${columns}`,
    [id, agent, comment],
  );
  if (!rows.length) throw new QaRefusal('not-found', `No evaluation ${id} of ${agent}'s calls.`);
  return toEvaluation(rows[0]);
}
