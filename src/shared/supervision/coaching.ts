import { z } from 'zod';
import { parseJsonWith } from '../parseJson';

/**
 * Text coaching inside a supervision session: the supervisor's prompt and the agent's
 * acknowledgement, sent as in-dialog MESSAGEs on the supervision leg with the supervision content
 * type (modes.ts), which B2BUA PBXs relay between the two bridged calls. The customer's call is
 * another dialog, so a prompt never travels on it.
 */
export const maxPromptChars = 280;
/** Quick phrases a supervisor can keep (Settings). */
export const maxQuickPhrases = 12;

export const defaultQuickPhrases = ['Verify the account first', 'Offer a callback', 'Slow down a little', 'Check the knowledge base', 'Great job, keep going'];

// Control characters would only garble the agent's card.
const promptText = z
  .string()
  .transform((s) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim())
  .pipe(z.string().min(1).max(maxPromptChars));

export const quickPhraseSchema = promptText;

const promptId = z.number().int().positive().max(2 ** 31);

export const coachingMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('coach'), id: promptId, text: promptText }),
  z.object({ type: z.literal('coach-ack'), id: promptId }),
]);
export type CoachingMessage = z.infer<typeof coachingMessageSchema>;

/** A coaching message, or null when the body is anything else (a mode change, a state, garbage). */
export function parseCoachingMessage(body: string): CoachingMessage | null {
  if (body.length > 2048) return null;
  const r = parseJsonWith(coachingMessageSchema, body);
  return r.ok ? r.value : null;
}

/** Quick phrases from settings text: one per line, blank lines dropped, bounded. */
export function quickPhrasesFromText(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const p = quickPhraseSchema.safeParse(line);
    if (p.success && !out.includes(p.data)) out.push(p.data);
    if (out.length === maxQuickPhrases) break;
  }
  return out;
}
