import { parseRecordingStatus, type RecordingStatusMessage } from '../../shared/supervision/recordingStatus';
import { notify, patchCall } from '../store/phoneState';
import type { CallEntry } from './callEntry';
import { sendLegMessage, supervisionLegsOf, type PhoneCore, type SupervisionReply } from './supervisionCore';

export { parseRecordingStatus };

/**
 * Recording awareness across the supervision leg (shared/supervision/recordingStatus.ts). Agent
 * side: each proven supervision leg of a recorded call hears the recording's state when it joins
 * and at every change. Supervisor side: the state shows on the supervision card, and a recording
 * that stopped is said once.
 */
export class RecordingNotice {
  constructor(private readonly core: PhoneCore) {}

  /** Agent side: what a supervisor of customer call `customerCallId` should be told now, if anything. */
  private status(customerCallId: string): RecordingStatusMessage | null {
    const rec = this.core.view(customerCallId)?.recording;
    if (!rec) return null;
    return { type: 'recording', state: rec.state, ...(rec.reason ? { reason: rec.reason } : {}) };
  }

  /** Agent side: a supervision leg was proven; it learns whether the call is recorded. */
  legProven(leg: CallEntry): void {
    const status = leg.supervision && this.status(leg.supervision.customerCallId);
    if (status) void sendLegMessage(leg, status).catch(() => undefined);
  }

  /** Agent side: the recording of `customerCallId` changed state; every proven leg is told. */
  changed(customerCallId: string): void {
    const status = this.status(customerCallId);
    if (!status) return;
    for (const leg of supervisionLegsOf(this.core, customerCallId)) if (leg.supervision?.proven) void sendLegMessage(leg, status).catch(() => undefined);
  }

  /** Supervisor side: the agent's app said how the supervised call is being recorded. */
  onMessage(entry: CallEntry, reply: SupervisionReply, msg: RecordingStatusMessage): void {
    const view = this.core.view(entry.id);
    if (entry.kind !== 'supervising' || !view?.supervising) return reply.reject(469, 'Bad Info Package');
    reply.accept();
    const before = view.supervising.recording?.state;
    patchCall(entry.id, { supervising: { ...view.supervising, recording: { state: msg.state, reason: msg.reason ?? null } } });
    if (msg.state === 'failed' && before !== 'failed') {
      notify('warning', `${view.supervising.agent}'s call is no longer being recorded${msg.reason ? `: ${msg.reason}` : ''}.`);
    }
  }
}
