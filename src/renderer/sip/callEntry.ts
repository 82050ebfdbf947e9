import type { SupervisionMode } from '../../shared/supervision/modes';
import type { Session } from 'sip.js';
import type { CallRecord } from '../../shared/callHistory';
import type { MixMode } from '../../shared/supervision/modes';
import type { AgentNotice } from '../../shared/policy/gate';
import type { PresentedCaller } from '../../shared/supervision/identity';
import type { CallLeg, SupervisionLeg } from '../audio/engine';
import type { LegMethod } from '../../shared/supervision/legMethod';

/** What the phone keeps per SIP session, beside the view state in the store. */
export interface CallEntry {
  id: string;
  session: Session;
  leg: CallLeg | null;
  holdStartedAt: number | null;
  holdMs: number;
  transfers: number;
  /** Supervision modes used on this call (customer call: by its supervisors; supervising leg: by me), for reports. */
  coachModes?: Set<SupervisionMode>;
  outcome: CallRecord['outcome'] | null;
  reason: string;
  ringing: boolean;
  /** Ended because an attended transfer replaced it with a new call. */
  replaced: boolean;
  /** 'supervised': the agent side of a supervisor's leg into customer call `customerCallId`. */
  kind: 'call' | 'supervising' | 'supervised';
  /**
   * Agent side. `seq`: the newest supervisor request applied (requests can arrive out of order).
   * `supervisorId`: who the verified statement named; `callerUri`: who the PBX said it was;
   * `callId`: the customer call's SIP Call-ID; `binding`: how statements name it; `joinedAt`: for the audit;
   * `notice`: what the agent is shown, from the org policy that allowed the join; `caller`: the
   * request's identities as presented; `proven`: the join's challenge was answered (until then
   * nothing of the call reaches the leg); `challenge`: the one still open.
   */
  supervision: {
    mode: MixMode;
    customerCallId: string;
    supervisor: string;
    seq?: number;
    supervisorId: string;
    callerUri: string;
    callId: string;
    binding: string;
    joinedAt: number;
    notice: AgentNotice;
    caller: PresentedCaller;
    proven: boolean;
    challenge?: string;
  } | null;
  /**
   * Supervision legs: the in-dialog method their messages travel by. MESSAGE by default (what
   * Asterisk and proxies relay); INFO through FreeSWITCH, which relays only INFO between bridged legs.
   */
  legMethod?: LegMethod;
  /** The far end hung up (its BYE): the text of its Reason header, '' without one. */
  byeReason?: string;
  /** Supervisor side: how the agent's app names the supervised call (statements for changes name it). */
  reportedCall?: string;
  /** Supervisor side: when the agent's app confirmed the join (the audit's duration). */
  confirmedAt?: number;
  supLeg: SupervisionLeg | null;
  /** Supervisor side: the agent's app said the supervised call was transferred to this extension. */
  movedTo?: string;
  /** Agent side: the supervisors of this transferred call are being told where it went. */
  moving?: Promise<void>;
  /** The supervisor is taking the customer over through this leg. */
  takingOver: boolean;
  /** Stops re-offering a call whose audio path has not come up (mediaWatchdog.ts). */
  stopMediaWatch?: () => void;
}

/** Remembers a mode used on a call, for its history record (reports count barge and takeover as escalations). */
export function noteCoachMode(entry: CallEntry | undefined, mode: SupervisionMode): void {
  if (entry) (entry.coachModes ??= new Set()).add(mode);
}
