import { z } from 'zod';
import { parseJsonWith } from '../parseJson';

/**
 * Recording awareness for the supervisor: the agent's app, which records the call, tells each
 * supervisor on the supervision leg whether the call is being recorded, paused for card details,
 * or no longer recorded (and why). An in-dialog MESSAGE with the supervision content type, as
 * coaching prompts are, so B2BUA PBXs relay it; never on the customer's call.
 */
export const recordingStates = ['recording', 'paused', 'failed'] as const;
export type RecordingState = (typeof recordingStates)[number];

const reasonText = z
  .string()
  .transform((s) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 300));

export const recordingStatusSchema = z.object({
  type: z.literal('recording'),
  state: z.enum(recordingStates),
  reason: reasonText.optional(),
});
export type RecordingStatusMessage = z.infer<typeof recordingStatusSchema>;

/** A recording status, or null when the body is anything else. */
export function parseRecordingStatus(body: string): RecordingStatusMessage | null {
  if (body.length > 1024) return null;
  const r = parseJsonWith(recordingStatusSchema, body);
  return r.ok ? r.value : null;
}
