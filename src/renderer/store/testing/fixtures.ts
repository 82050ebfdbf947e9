import { defaultSettings } from '../../../shared/settings';
import { initialPhoneState, type CallView, type PhoneState } from '../phoneState';

// Store states for unit tests: a signed-in agent, and calls as the phone puts them in the store.

export const signedInState: PhoneState = {
  ...initialPhoneState,
  settings: defaultSettings,
  hasPassword: true,
  registration: { state: 'registered', message: null, connectingAt: null, registeredAt: 1 },
};

/** An inbound call from 2001, ringing, unless `patch` says otherwise. */
export function callView(patch: Partial<CallView> = {}): CallView {
  return {
    id: 'c1',
    direction: 'inbound',
    remoteUri: 'sip:2001@whisperline.test',
    remoteName: '',
    state: 'ringing',
    muted: false,
    startedAt: 0,
    answeredAt: null,
    dtmfSent: '',
    dtmfReceived: '',
    consultFor: null,
    note: null,
    kind: 'call',
    supervising: null,
    supervisedBy: null,
    talkBack: false,
    prompts: [],
    ...patch,
  };
}
