import type { HistoryItem } from '../../shared/callHistory';
import type { Settings } from '../../shared/settings';
import type { OrgPolicyStatus } from '../../shared/bridge';
import type { AgentNotice } from '../../shared/policy/gate';
import { createStore } from './createStore';
import type { MixMode, SupervisionMode } from '../../shared/supervision/modes';

export type RegistrationState = 'unconfigured' | 'connecting' | 'registered' | 'unregistered' | 'reconnecting' | 'failed';

export type CallState = 'ringing' | 'dialing' | 'active' | 'held' | 'transferring' | 'ended';

export interface CallView {
  id: string;
  direction: 'inbound' | 'outbound';
  remoteUri: string;
  remoteName: string;
  state: CallState;
  muted: boolean;
  startedAt: number;
  answeredAt: number | null;
  /** Digits actually sent on RTP (RFC 4733) or by INFO, as the far end receives them. */
  dtmfSent: string;
  dtmfReceived: string;
  /** When this call is the consultation leg of an attended transfer: the call being transferred. */
  consultFor: string | null;
  note: string | null;
  /** 'supervising': this is a supervisor's leg into an agent's call (supervisor side). */
  kind: 'call' | 'supervising';
  /** Supervisor side: the agent being supervised and the current mode. */
  /** `confirmed`: the agent's app has reported the leg is mixed in (end to end, through any PBX). */
  /** `talked`: how long the supervisor's microphone has carried, for the over-coaching guard. */
  /** `recording`: what the agent's app said of the call's recording (absent: not recorded, or not said). */
  supervising: {
    agent: string;
    mode: SupervisionMode;
    talk: boolean;
    ptt: boolean;
    confirmed: boolean;
    talked: TalkTime;
    recording?: { state: 'recording' | 'paused' | 'failed'; reason: string | null };
  } | null;
  /**
   * Agent side, on the customer call: who supervises it and how; `notice` is the org policy's rule
   * (whether a silent listener is shown, whether the agent may decline coaching).
   */
  supervisedBy: { supervisor: string; supervisorId: string; mode: MixMode; notice: AgentNotice } | null;
  /** Agent side: the supervisor who took this call over (set as the customer is handed over). */
  takenOverBy?: string | null;
  /** Agent side: this call's recording, when the org policy records it. */
  recording?: { state: 'recording' | 'paused' | 'failed'; mayPause: boolean; notice: boolean; reason: string | null } | null;
  /** Agent is holding the talk-back key: the customer does not hear the agent. */
  talkBack: boolean;
  /** Text coaching: prompts sent (supervisor side) or received (agent side, on the customer call). */
  prompts: CoachingPrompt[];
}

export interface CoachingPrompt {
  id: number;
  text: string;
  /** Who sent it (agent side). */
  from: string;
  at: number;
  acknowledged: boolean;
  /** Agent side: closed by the agent (still counted). Supervisor side: the PBX or the agent's app refused it. */
  dismissed: boolean;
  failed?: string;
}

/** `ms` closed stretches, plus the open one since `since`. */
export interface TalkTime {
  ms: number;
  since: number | null;
}

export function talkedMs(t: TalkTime, now = Date.now()): number {
  return t.ms + (t.since === null ? 0 : now - t.since);
}

export interface DeviceOption {
  deviceId: string;
  label: string;
}

export type NoticeSeverity = 'info' | 'warning' | 'error' | 'success';
export interface Notice {
  id: number;
  severity: NoticeSeverity;
  text: string;
}

export interface PhoneState {
  settings: Settings | null;
  hasPassword: boolean;
  /** connectingAt/registeredAt: when sign-in started and when the registrar last said 200 OK. */
  registration: { state: RegistrationState; message: string | null; connectingAt: number | null; registeredAt: number | null };
  calls: CallView[];
  agentState: 'ready' | 'not-ready' | 'wrap-up';
  /** The agent asks the team's supervisors for help on the current call (cleared when it ends). */
  raisedHand: { reason: string; since: string } | null;
  wrapUpFor: { callId: string; remote: string } | null;
  devices: { inputs: DeviceOption[]; outputs: DeviceOption[] };
  history: HistoryItem[];
  notices: Notice[];
  /** The org policy as this desk's host last reported it; null until first asked. */
  orgPolicy: OrgPolicyStatus | null;
  /** Supervisor side: supervised calls that were transferred, offered for rejoin. */
  rejoinOffers: RejoinOffer[];
  /** A sip:/tel: link from another app, checked, waiting for the agent to confirm the call. */
  dialRequest: { target: string; display: string } | null;
  /** The latest screen-reader announcement (calls ringing, held, ended); `seq` repeats an equal text. */
  announcement: { seq: number; text: string; urgent: boolean } | null;
}

export interface RejoinOffer {
  id: number;
  /** The agent who transferred it, and the extension it went to. */
  from: string;
  to: string;
  mode: MixMode;
  at: number;
}

/** Before the settings are read: no account, no calls. */
export const initialPhoneState: PhoneState = {
  settings: null,
  hasPassword: false,
  registration: { state: 'unconfigured', message: null, connectingAt: null, registeredAt: null },
  calls: [],
  agentState: 'ready',
  raisedHand: null,
  wrapUpFor: null,
  devices: { inputs: [], outputs: [] },
  history: [],
  notices: [],
  orgPolicy: null,
  rejoinOffers: [],
  dialRequest: null,
  announcement: null,
};

export const phoneStore = createStore<PhoneState>(initialPhoneState);

let noticeSeq = 0;
export function notify(severity: NoticeSeverity, text: string): void {
  phoneStore.update((s) => ({ ...s, notices: [...s.notices.filter((n) => n.text !== text), { id: ++noticeSeq, severity, text }] }));
}
export function dismissNotice(id: number): void {
  phoneStore.update((s) => ({ ...s, notices: s.notices.filter((n) => n.id !== id) }));
}

export function patchCall(id: string, patch: Partial<CallView>): void {
  phoneStore.update((s) => ({ ...s, calls: s.calls.map((c) => (c.id === id ? { ...c, ...patch } : c)) }));
}
