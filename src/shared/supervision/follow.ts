import { z } from 'zod';
import { parseJsonWith } from '../parseJson';

/**
 * Supervision follows the call: when the agent transfers a supervised call, the agent's app tells
 * the supervisor where it went (an in-dialog MESSAGE on the supervision leg, before the leg ends),
 * so the supervisor can rejoin the new leg in one click. The supervisor's app answers with its own
 * `moved-ack`: a B2BUA PBX answers the MESSAGE itself and relays it later, so only that reply says
 * the word arrived and the leg may end.
 */
const callMovedSchema = z.object({
  type: z.literal('moved'),
  /** The extension (SIP user) the call was transferred to. */
  to: z.string().regex(/^[A-Za-z0-9._+-]{1,64}$/),
});
const callMovedAckSchema = z.object({ type: z.literal('moved-ack') });
const followMessageSchema = z.discriminatedUnion('type', [callMovedSchema, callMovedAckSchema]);

export type CallMoved = z.infer<typeof callMovedSchema>;
export type FollowMessage = z.infer<typeof followMessageSchema>;

export function parseFollowMessage(body: string): FollowMessage | null {
  if (body.length > 512) return null;
  const r = parseJsonWith(followMessageSchema, body);
  return r.ok ? r.value : null;
}
