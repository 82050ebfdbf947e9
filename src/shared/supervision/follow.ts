import { z } from 'zod';
import { parseJsonWith } from '../parseJson';

/**
 * Supervision follows the call: when the agent transfers a supervised call, the agent's app tells
 * the supervisor where it went (an in-dialog MESSAGE on the supervision leg, before the leg ends),
 * so the supervisor can rejoin the new leg in one click.
 */
export const callMovedSchema = z.object({
  type: z.literal('moved'),
  /** The extension (SIP user) the call was transferred to. */
  to: z.string().regex(/^[A-Za-z0-9._+-]{1,64}$/),
});
export type CallMoved = z.infer<typeof callMovedSchema>;

export function parseCallMoved(body: string): CallMoved | null {
  if (body.length > 512) return null;
  const r = parseJsonWith(callMovedSchema, body);
  return r.ok ? r.value : null;
}
