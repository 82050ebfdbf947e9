/** QA review logic that needs no React: typed scores, the running total, comments in time order, item lines. */
import type { OrgPolicyStatus } from '../../../shared/bridge';
import type { Evaluation, EvaluationComment, Scorecard } from '../../../shared/org/qa';

/** The scorecards of the policy in force; none without a policy or its `qa` section. */
export function scorecardsOf(status: OrgPolicyStatus): Scorecard[] {
  return status.state === 'active' ? (status.policy.qa?.scorecards ?? []) : [];
}

/** A typed score: a whole number 0 … points, else null (the item counts as not scored). */
export function parseScore(text: string, points: number): number | null {
  const s = text.trim();
  if (!/^\d{1,3}$/.test(s)) return null;
  const n = Number(s);
  return n <= points ? n : null;
}

export interface ScoreTally {
  /** Only the items with a valid score: what is sent. */
  scores: Record<string, number>;
  points: number;
  /** Of the whole card, scored or not: the total reads "so far out of all". */
  maxPoints: number;
  /** Every item has a valid score: the evaluation may be sent. */
  complete: boolean;
}

export function tally(card: Scorecard, typed: Readonly<Record<string, string>>): ScoreTally {
  const scores: Record<string, number> = {};
  let points = 0;
  let maxPoints = 0;
  for (const item of card.items) {
    maxPoints += item.points;
    const s = parseScore(typed[item.id] ?? '', item.points);
    if (s === null) continue;
    scores[item.id] = s;
    points += s;
  }
  return { scores, points, maxPoints, complete: Object.keys(scores).length === card.items.length };
}

/** points / max, null with nothing to divide by. */
export const scoreRatio = (points: number, maxPoints: number): number | null => (maxPoints > 0 ? points / maxPoints : null);

/** In time order; one at the same moment as an earlier one goes after it. */
export function byTime(comments: readonly EvaluationComment[]): EvaluationComment[] {
  return [...comments].sort((a, b) => a.atMs - b.atMs);
}

export function withComment(comments: readonly EvaluationComment[], comment: EvaluationComment): EvaluationComment[] {
  return byTime([...comments, comment]);
}

export function newestFirst(evaluations: readonly Evaluation[]): Evaluation[] {
  return [...evaluations].sort((a, b) => (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0));
}

export interface ItemLine {
  id: string;
  label: string;
  score: number;
  /** The item's points on the scorecard; null when the card (or the item) is no longer in the policy. */
  points: number | null;
}

/**
 * An evaluation's scores as lines: in the scorecard's order with its labels; items the policy no
 * longer has (a card edited since) by their ids, after them, so no score is hidden.
 */
export function itemLines(evaluation: Pick<Evaluation, 'scorecard' | 'scores'>, cards: readonly Scorecard[]): ItemLine[] {
  const card = cards.find((c) => c.id === evaluation.scorecard);
  const known = (card?.items ?? []).filter((i) => Object.hasOwn(evaluation.scores, i.id)).map((i) => ({ id: i.id, label: i.label, score: evaluation.scores[i.id], points: i.points }));
  const rest = Object.keys(evaluation.scores)
    .filter((id) => !known.some((k) => k.id === id))
    .sort()
    .map((id) => ({ id, label: id, score: evaluation.scores[id], points: null }));
  return [...known, ...rest];
}
