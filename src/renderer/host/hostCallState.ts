import type { CallAction, HostCallState, HostRegistration } from '../../shared/bridge';
import type { CallView, PhoneState, RegistrationState } from '../store/phoneState';

const registrationOf: Record<RegistrationState, HostRegistration> = {
  unconfigured: 'unconfigured',
  connecting: 'connecting',
  reconnecting: 'connecting',
  registered: 'registered',
  unregistered: 'offline',
  failed: 'error',
};

/** The customer-facing calls: a supervisor's own legs into agents' calls are not "calls" for the tray. */
const customerCalls = (s: PhoneState) => s.calls.filter((c) => c.kind === 'call' && c.state !== 'ended');

export const peerOf = (c: CallView) => c.remoteName || c.remoteUri.replace(/^sips?:/i, '').replace(/@.*$/, '');

/** What the host (tray, notification, mini window) needs to know: derived, never stored twice. */
export function hostCallStateOf(s: PhoneState, display: HostCallState['display'] = { language: 'en', highContrast: false }): HostCallState {
  const calls = customerCalls(s);
  const ringing = calls.find((c) => c.direction === 'inbound' && c.state === 'ringing');
  // The call the agent is on: connected first, else one being dialled; a held one only when it is the only one.
  const active = calls.find((c) => c.state === 'active') ?? calls.find((c) => c.state === 'dialing' || c.state === 'transferring') ?? calls.find((c) => c.state === 'held');
  return {
    registration: registrationOf[s.registration.state],
    agentState: s.settings?.role === 'supervisor' ? null : s.agentState,
    incoming: ringing ? { id: ringing.id, caller: peerOf(ringing) } : null,
    active: active
      ? { id: active.id, peer: peerOf(active), onHold: active.state === 'held', muted: active.muted, connectedAt: active.answeredAt }
      : null,
    display,
  };
}

export function sameHostCallState(a: HostCallState | null, b: HostCallState): boolean {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}

/** What the phone does for an action from outside the page; null when it does not apply now. */
export type PhoneCommand =
  | { kind: 'answer' | 'decline' | 'hangup'; id: string }
  | { kind: 'mute'; id: string; muted: boolean }
  | { kind: 'hold'; id: string; onHold: boolean }
  | { kind: 'show' };

/**
 * Maps a tray / notification / key / headset action onto the call it means now. Answering while on a
 * call answers the waiting one (the phone holds the first); hang up ends the active call, or
 * declines a ringing one when there is nothing else, as a headset's hook button does.
 */
export function commandFor(action: CallAction, state: HostCallState, callId: string | null = null): PhoneCommand | null {
  const { incoming, active } = state;
  // Offered for one call (a notification's button): never acts on another that rang since.
  if (callId !== null && callId !== incoming?.id && callId !== active?.id) return null;
  switch (action) {
    case 'answer':
      return incoming ? { kind: 'answer', id: incoming.id } : null;
    case 'decline':
      return incoming ? { kind: 'decline', id: incoming.id } : null;
    case 'hangup':
      if (active) return { kind: 'hangup', id: active.id };
      return incoming ? { kind: 'decline', id: incoming.id } : null;
    case 'toggle-mute':
      return active && !active.onHold ? { kind: 'mute', id: active.id, muted: !active.muted } : null;
    case 'toggle-hold':
      return active && active.connectedAt !== null ? { kind: 'hold', id: active.id, onHold: !active.onHold } : null;
    case 'show':
      return { kind: 'show' };
  }
}
