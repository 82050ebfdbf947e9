import type { TimelineKind } from '../../shared/recording/types';
import type { CallView } from '../store/phoneState';

export interface CallEvent {
  kind: TimelineKind;
  detail?: string;
}

/**
 * What happened on a recorded call between two views of it in the store: the same changes the
 * agent sees (and the audit trail records), as timeline events. Pure, so the timeline follows the
 * store and never reaches into SIP.js.
 */
export function callEvents(prev: CallView | undefined, next: CallView | undefined): CallEvent[] {
  if (!prev || !next) return [];
  const out: CallEvent[] = [];
  if (prev.state !== 'held' && next.state === 'held') out.push({ kind: 'held' });
  if (prev.state === 'held' && next.state === 'active') out.push({ kind: 'resumed' });
  if (prev.state !== 'transferring' && next.state === 'transferring' && !next.takenOverBy) out.push({ kind: 'transferred' });
  const a = prev.supervisedBy;
  const b = next.supervisedBy;
  if (!a && b) out.push({ kind: 'supervisor-joined', detail: `${b.supervisor} (${b.mode})` });
  else if (a && b && a.mode !== b.mode) out.push({ kind: 'mode-changed', detail: b.mode });
  else if (a && !b && !next.takenOverBy) out.push({ kind: 'supervisor-left', detail: a.supervisor });
  if (!prev.takenOverBy && next.takenOverBy) out.push({ kind: 'takeover', detail: next.takenOverBy });
  if (!prev.talkBack && next.talkBack) out.push({ kind: 'talk-back-on' });
  if (prev.talkBack && !next.talkBack) out.push({ kind: 'talk-back-off' });
  const seen = new Set(prev.prompts.map((p) => p.id));
  for (const p of next.prompts) if (!seen.has(p.id)) out.push({ kind: 'prompt', detail: p.text.slice(0, 500) });
  return out;
}
