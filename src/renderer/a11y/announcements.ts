import type { CallView, PhoneState } from '../store/phoneState';
import { phoneStore } from '../store/phoneState';
import { peerOf } from '../host/hostCallState';

/** What a screen reader is told, and how urgently (an incoming call interrupts; the rest waits). */
export interface Announcement {
  text: string;
  urgent: boolean;
}

export type Translate = (key: string, vars?: Record<string, string>) => string;

/**
 * The events worth saying aloud, from one store state to the next: a call ringing (with the
 * caller), put on hold, resumed, ended; a supervisor joining. Derived from state changes, never from
 * a clock, so a ticking call timer is never read out.
 */
export function announcementsBetween(prev: PhoneState, next: PhoneState, t: Translate): Announcement[] {
  const out: Announcement[] = [];
  const before = new Map(prev.calls.map((c) => [c.id, c]));
  const now = new Map(next.calls.map((c) => [c.id, c]));
  for (const call of next.calls) {
    if (call.kind !== 'call') continue;
    const was = before.get(call.id);
    const peer = peerOf(call);
    if (!was && call.direction === 'inbound' && call.state === 'ringing') out.push({ text: t('announce.incoming', { caller: peer }), urgent: true });
    if (!was) continue;
    if (was.state !== 'held' && call.state === 'held') out.push({ text: t('announce.held', { peer }), urgent: false });
    if (was.state === 'held' && call.state === 'active') out.push({ text: t('announce.resumed', { peer }), urgent: false });
    if (was.state !== 'active' && was.state !== 'held' && call.state === 'active') out.push({ text: t('announce.connected', { peer }), urgent: false });
    if (was.muted !== call.muted) out.push({ text: t(call.muted ? 'announce.muted' : 'announce.unmuted'), urgent: false });
    if (!was.supervisedBy && call.supervisedBy) out.push({ text: t('announce.supervisor', { supervisor: call.supervisedBy.supervisor, mode: t(`announce.mode.${call.supervisedBy.mode}`) }), urgent: false });
  }
  for (const call of prev.calls) {
    if (call.kind !== 'call' || call.state === 'ended') continue;
    const gone = now.get(call.id);
    if (!gone || gone.state === 'ended') out.push({ text: t(wasAnswered(call) ? 'announce.ended' : 'announce.missed', { peer: peerOf(call) }), urgent: false });
  }
  return out;
}

const wasAnswered = (c: CallView) => c.answeredAt !== null || c.direction === 'outbound';

/** Feeds the store's `announcement` from its own changes; the live regions read it. */
export function watchAnnouncements(t: Translate): () => void {
  let prev = phoneStore.get();
  let seq = 0;
  return phoneStore.subscribe(() => {
    const next = phoneStore.get();
    const said = announcementsBetween(prev, next, t);
    prev = next;
    if (!said.length) return;
    const urgent = said.some((a) => a.urgent);
    const text = said.map((a) => a.text).join(' ');
    // Written in the next task: a store listener must not update the store it is being told about.
    queueMicrotask(() => phoneStore.update((s) => ({ ...s, announcement: { seq: ++seq, text, urgent } })));
  });
}
