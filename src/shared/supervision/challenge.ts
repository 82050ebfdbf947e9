import { z } from 'zod';
import { parseJsonWith } from '../parseJson';
import { bytesToBase64Url } from '../policy/canonical';
import { supervisionModes } from './modes';

/**
 * The agent's challenge on a new supervision leg, and the supervisor's answer. A join INVITE can be
 * captured off the wire and sent again; so after it passes the policy checks, the agent's app
 * answers the leg with no audio routed to it and asks, in dialog, for a fresh statement whose nonce
 * is a random challenge it just made. Only the holder of the supervisor's enrolled key can sign it,
 * and the challenge is never asked twice: a replayed INVITE (after a restart, on another desk, at
 * any time) opens nothing. In-dialog MESSAGE with this body crosses B2BUAs like mode changes do.
 */
const nonce = z.string().regex(/^[A-Za-z0-9_-]{22}$/);
const challengeSchema = z.strictObject({
  type: z.literal('challenge'),
  /** 16 random bytes, base64url: the nonce the answering statement must carry. */
  challenge: nonce,
  /** How the agent's app names the customer call: the answering statement's `call`. */
  call: z.string().min(1).max(96),
  mode: z.enum(supervisionModes),
});
const proofSchema = z.strictObject({
  type: z.literal('proof'),
  stmt: z.string().regex(/^[A-Za-z0-9_.-]{1,700}$/),
});
const schema = z.discriminatedUnion('type', [challengeSchema, proofSchema]);

export type SupervisionChallenge = z.infer<typeof challengeSchema>;
export type SupervisionProof = z.infer<typeof proofSchema>;
export type ChallengeMessage = z.infer<typeof schema>;

export function parseChallengeMessage(body: string): ChallengeMessage | null {
  if (body.length > 1024) return null;
  const r = parseJsonWith(schema, body);
  return r.ok ? r.value : null;
}

/** 16 random bytes, base64url without padding: the same shape as a statement's nonce. */
export function newChallenge(): string {
  return bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}
