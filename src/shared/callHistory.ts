import { z } from 'zod';
import { supervisionModes } from './supervision/modes';

export const wrapUpSchema = z.object({
  disposition: z.string().trim().min(1).max(64),
  resolved: z.boolean(),
  note: z.string().max(2000).default(''),
});
export type WrapUp = z.infer<typeof wrapUpSchema>;

export const callOutcomes = ['answered', 'missed', 'declined', 'failed', 'transferred', 'cancelled'] as const;

export const callRecordSchema = z.object({
  id: z.string().min(1).max(128),
  direction: z.enum(['inbound', 'outbound']),
  remote: z.string().max(512),
  remoteName: z.string().max(256).default(''),
  startedAt: z.string().max(40),
  answeredAt: z.string().max(40).nullable(),
  endedAt: z.string().max(40),
  holdSeconds: z.number().min(0).max(1e7).default(0),
  transfers: z.number().int().min(0).max(1000).default(0),
  outcome: z.enum(callOutcomes),
  reason: z.string().max(256).default(''),
  /**
   * Text and voice coaching on this call, for reports (the over-coaching guard). On the supervisor's
   * record of a supervision session: the agent, how long the supervisor's microphone carried, the
   * prompts sent. On the agent's record of the customer call: who coached, the prompts received.
   */
  coaching: z
    .object({
      role: z.enum(['supervisor', 'agent']),
      with: z.string().max(512),
      talkSeconds: z.number().min(0).max(1e7).optional(),
      prompts: z.number().int().min(0).max(10_000),
      acknowledged: z.number().int().min(0).max(10_000),
      /** Supervision modes used (absent in records from before reports): barge and takeover are escalations. */
      modes: z.array(z.enum(supervisionModes)).max(supervisionModes.length).optional(),
    })
    .optional(),
});
export type CallRecord = z.infer<typeof callRecordSchema>;

/** One line of the append-only history file: a call when it ends, its wrap-up later. */
export const historyEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('call'), call: callRecordSchema }),
  z.object({ kind: z.literal('wrapup'), callId: z.string().min(1).max(128), wrapUp: wrapUpSchema, at: z.string().max(40) }),
]);
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export type HistoryItem = CallRecord & { wrapUp: WrapUp | null };

export interface HistoryRead {
  items: HistoryItem[];
  /** Lines that could not be read (a torn last line after a crash, hand edits). */
  skippedLines: number;
}

/** One non-blank history line: the entry, or null when it cannot be read (torn, hand-edited). */
export function parseHistoryLine(line: string): HistoryEntry | null {
  try {
    const entry = historyEntrySchema.safeParse(JSON.parse(line));
    return entry.success ? entry.data : null;
  } catch {
    return null;
  }
}

/** Folds history lines into calls, newest first. Unreadable lines are counted, never fatal. */
export function foldHistory(lines: Iterable<string>): HistoryRead {
  const calls = new Map<string, HistoryItem>();
  const wrapUps = new Map<string, WrapUp>();
  let skippedLines = 0;
  for (const line of lines) {
    if (!line.trim()) continue;
    const entry = parseHistoryLine(line);
    if (!entry) {
      skippedLines++;
      continue;
    }
    if (entry.kind === 'call') calls.set(entry.call.id, { ...entry.call, wrapUp: null });
    else wrapUps.set(entry.callId, entry.wrapUp);
  }
  for (const [id, w] of wrapUps) {
    const call = calls.get(id);
    if (call) call.wrapUp = w;
  }
  const items = [...calls.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return { items, skippedLines };
}
