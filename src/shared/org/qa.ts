/**
 * QA review: scorecards (defined by the org in the signed policy), evaluations of recorded calls
 * (scores per item, comments at moments of the recording), and the agent's acknowledgement. Stored
 * by the org service; who may evaluate and see whose is decided by the policy (scope.ts).
 */
import { z } from 'zod';

const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits and . _ - (at most 64)');
const text = (max: number) => z.string().trim().min(1).max(max);

export const scorecardItemSchema = z
  .object({
    id: idSchema,
    label: text(200),
    /** Points for this item; the evaluator gives 0 … points. */
    points: z.number().int().min(1).max(100),
    /** Guidance shown to the evaluator. */
    help: text(500).optional(),
  })
  .strict();

export const scorecardSchema = z
  .object({
    id: idSchema,
    name: text(128),
    items: z.array(scorecardItemSchema).min(1).max(50),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.items.forEach((it, i) => {
      if (seen.has(it.id)) ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: `duplicate item "${it.id}"` });
      seen.add(it.id);
    });
  });
export type Scorecard = z.infer<typeof scorecardSchema>;

/** The policy's `qa` section: the scorecards evaluators may use. */
export const qaPolicySchema = z.object({ scorecards: z.array(scorecardSchema).min(1).max(20) }).strict();
export type QaPolicy = z.infer<typeof qaPolicySchema>;

export const evaluationCommentSchema = z.object({ atMs: z.number().int().min(0).max(7 * 24 * 3600_000), text: text(2000) }).strict();
export type EvaluationComment = z.infer<typeof evaluationCommentSchema>;

/** What the evaluator's app sends. `id` is made by the app (random), so a resend after a lost answer is stored once. */
export const evaluationInputSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
    agent: z.string().trim().toLowerCase().min(3).max(200),
    /** The customer call's id as the agent's desk recorded it (the recording's callId). */
    callId: z.string().min(1).max(1024),
    recordingId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
    scorecard: idSchema,
    /** Points given per item id. */
    scores: z.record(idSchema, z.number().int().min(0).max(100)),
    comments: z.array(evaluationCommentSchema).max(100).default([]),
    note: z.string().trim().max(4000).default(''),
  })
  .strict();
export type EvaluationInput = z.input<typeof evaluationInputSchema>;
export type ParsedEvaluationInput = z.infer<typeof evaluationInputSchema>;

export interface Evaluation {
  id: string;
  agent: string;
  callId: string;
  recordingId: string | null;
  evaluator: string;
  scorecard: string;
  scorecardName: string;
  scores: Record<string, number>;
  comments: EvaluationComment[];
  note: string;
  points: number;
  maxPoints: number;
  createdAt: string;
  acknowledgedAt: string | null;
  agentComment: string;
}

export const evaluationsQuerySchema = z
  .object({
    /** Only this agent's (must be within the asker's scope). */
    agent: z.string().trim().toLowerCase().max(200).optional(),
    /** Only evaluations of this call. */
    callId: z.string().min(1).max(1024).optional(),
    /** Only those the agent has not acknowledged yet. */
    unacknowledged: z.boolean().optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export type EvaluationsQuery = z.input<typeof evaluationsQuerySchema>;

export const acknowledgeSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/), comment: z.string().trim().max(2000).default('') }).strict();
export type AcknowledgeInput = z.input<typeof acknowledgeSchema>;

/** Checks the scores against the scorecard: every item scored, none above its points, no unknown item. */
export function scoreEvaluation(card: Scorecard, scores: Record<string, number>): { ok: true; points: number; maxPoints: number } | { ok: false; reason: string } {
  let points = 0;
  let maxPoints = 0;
  for (const item of card.items) {
    const s = scores[item.id];
    if (s === undefined) return { ok: false, reason: `"${item.label}" has no score.` };
    if (s > item.points) return { ok: false, reason: `"${item.label}" is scored ${s}, above its ${item.points} points.` };
    points += s;
    maxPoints += item.points;
  }
  const unknown = Object.keys(scores).find((k) => !card.items.some((i) => i.id === k));
  if (unknown) return { ok: false, reason: `"${unknown}" is not an item of the scorecard "${card.name}".` };
  return { ok: true, points, maxPoints };
}

/** A fresh evaluation id (128 random bits, base64url). */
export function newEvaluationId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
