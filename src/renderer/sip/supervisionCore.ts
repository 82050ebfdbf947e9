import type { Invitation, Inviter, UserAgent } from 'sip.js';
import type { Account } from '../../shared/settings';
import { withPtime } from '../../shared/sdp/ptime';
import { supervisionInfoContentType, type SupervisionInfo } from '../../shared/supervision/modes';
import type { CoachingMessage } from '../../shared/supervision/coaching';
import type { AudioEngine } from '../audio/engine';
import type { CallView } from '../store/phoneState';
import type { CallEntry } from './callEntry';

// What both sides of app-mixed supervision share: the phone they work through, how an in-dialog
// request is answered, the leg's SDP preference, and the in-dialog MESSAGE they talk with.

/** The parts of the phone that supervision works through. */
export interface PhoneCore {
  readonly calls: Map<string, CallEntry>;
  readonly audio: AudioEngine;
  account(): Account | null;
  ua(): UserAgent | null;
  addCall(
    session: Invitation | Inviter,
    view: Pick<CallView, 'direction' | 'remoteUri' | 'remoteName' | 'state' | 'consultFor'> & Partial<Pick<CallView, 'note' | 'kind' | 'supervising'>>,
    extra?: { kind?: CallEntry['kind'] },
  ): CallEntry;
  view(id: string): CallView | undefined;
  invite(entry: CallEntry, inviter: Inviter, what?: string, watch?: { onProgress?(statusCode: number): void; quiet?(): boolean }): void;
  hangup(id: string): Promise<void>;
  sendDtmf(id: string, digit: string): void;
  completeAttendedTransfer(id: string, consultId: string): Promise<void>;
  onTerminated(entry: CallEntry): void;
}

/** How an in-dialog supervision request (MESSAGE or INFO) is answered. */
export interface SupervisionReply {
  accept(): void;
  reject(statusCode: number, reasonPhrase: string): void;
}

/**
 * Both ends of a supervision leg ask for 10 ms Opus packets (see shared/sdp/ptime.ts for the
 * trade-off): the supervisor's voice reaches the agent sooner, and the call sooner the supervisor.
 */
const supervisionLegPtimeMs = 10;
export const legModifiers = [async (d: RTCSessionDescriptionInit) => ({ ...d, sdp: d.sdp ? withPtime(d.sdp, supervisionLegPtimeMs) : d.sdp })];


/** A supervision MESSAGE on a supervision leg, either way (B2BUA PBXs relay it; see modes.ts). */
export function sendSupervisionMessage(entry: CallEntry, body: Partial<SupervisionInfo> & Pick<SupervisionInfo, 'type' | 'mode' | 'by'>): Promise<void> {
  return sendLegMessage(entry, body);
}

/** A coaching prompt or its acknowledgement, on the same leg with the same content type. */
export function sendCoachingMessage(entry: CallEntry, body: CoachingMessage): Promise<void> {
  return sendLegMessage(entry, body);
}

/**
 * Any supervision-leg body (mode, state, coaching, the call moved), with the supervision content
 * type, by the leg's in-dialog method (shared/supervision/legMethod.ts).
 */
export function sendLegMessage(entry: CallEntry, body: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const options = {
      requestDelegate: {
        onAccept: () => resolve(),
        onReject: (r: { message: { statusCode?: number; reasonPhrase?: string } }) => reject(new Error(`${r.message.statusCode} ${r.message.reasonPhrase}`)),
      },
      requestOptions: { body: { contentDisposition: 'render', contentType: supervisionInfoContentType, content: JSON.stringify(body) } },
    };
    (entry.legMethod === 'INFO' ? entry.session.info(options) : entry.session.message(options)).catch(reject);
  });
}

/** Agent side: the supervision legs into customer call `customerCallId` (one per supervisor). */
export function supervisionLegsOf(core: Pick<PhoneCore, 'calls'>, customerCallId: string): CallEntry[] {
  return [...core.calls.values()].filter((e) => e.kind === 'supervised' && e.supervision?.customerCallId === customerCallId);
}
