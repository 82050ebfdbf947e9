import type { CallAction, HostCallState, WhisperlineBridge } from '../../shared/bridge';
import type { Phone } from '../sip/phone';
import { phoneStore } from '../store/phoneState';
import { commandFor, hostCallStateOf, sameHostCallState } from './hostCallState';

type CallControl = Pick<Phone, 'answer' | 'decline' | 'hangup' | 'hold' | 'setMuted'>;

/**
 * Keeps the host (tray, notification, mini window) in step with the store, and carries out what
 * they, a global key or the headset ask. Returns `act` for in-page sources (the headset).
 */
export function linkCallHost(
  bridge: WhisperlineBridge,
  phone: CallControl,
  display: () => HostCallState['display'],
  /** In-page followers of the same state (the headset's LEDs), told only when it changes. */
  onChange: (state: HostCallState) => void = () => undefined,
): { act(action: CallAction, callId?: string | null): void; publish(): void } {
  let published: HostCallState | null = null;
  const publish = () => {
    const next = hostCallStateOf(phoneStore.get(), display());
    if (sameHostCallState(published, next)) return;
    published = next;
    bridge.publishCallState(next);
    onChange(next);
  };
  phoneStore.subscribe(publish);
  publish();

  const act = (action: CallAction, callId: string | null = null) => {
    const cmd = commandFor(action, hostCallStateOf(phoneStore.get()), callId);
    if (!cmd) return;
    switch (cmd.kind) {
      case 'answer':
        return void phone.answer(cmd.id);
      case 'decline':
        return void phone.decline(cmd.id);
      case 'hangup':
        return void phone.hangup(cmd.id);
      case 'mute':
        return phone.setMuted(cmd.id, cmd.muted);
      case 'hold':
        return void phone.hold(cmd.id, cmd.onHold);
      case 'show':
        return window.focus();
    }
  };
  bridge.onCallAction(act);
  return { act, publish };
}
