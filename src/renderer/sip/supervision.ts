import { Invitation, Inviter, SessionState, UserAgent, type Info } from 'sip.js';
import type { Account } from '../../shared/settings';
import { toSipUri, userOf } from '../../shared/dialTarget';
import { authorizeSupervisor, type SupervisionSettings } from '../../shared/supervision/authorize';
import {
  formatSuperviseHeader,
  parseSuperviseHeader,
  parseSupervisionInfo,
  routing,
  supervisionInfoContentType,
  type MixMode,
  type SupervisionMode,
} from '../../shared/supervision/modes';
import type { AudioEngine, SupervisionLeg } from '../audio/engine';
import { notify, patchCall, type CallView } from '../store/phoneState';
import type { CallEntry } from './callEntry';

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
  invite(entry: CallEntry, inviter: Inviter, what?: string): void;
  completeAttendedTransfer(id: string, consultId: string): Promise<void>;
  onTerminated(entry: CallEntry): void;
}

/**
 * App-mixed supervision over plain SIP. Agent side: authorizes and auto-answers a supervisor's
 * INVITE, mixes the leg into the customer call's audio graph, applies mode changes sent as INFO, and
 * hands the customer over on takeover. Supervisor side: joins, switches modes, gates the microphone.
 */
export class Supervision {
  constructor(private readonly core: PhoneCore) {}

  // ---- agent side ----------------------------------------------------------------------------

  /** Who may supervise this agent; set by the app from settings. */
  supervisionSettings: SupervisionSettings = { supervisors: [], notifyAgent: true, allowDeclineWhisper: false };
  supervisorVolume = 1;

  onSuperviseInvite(invitation: Invitation, header: string): void {
    const caller = invitation.remoteIdentity.uri.toString();
    const callerName = invitation.remoteIdentity.displayName || userOf(caller);
    const request = parseSuperviseHeader(header);
    if (!request) {
      void invitation.reject({ statusCode: 400, reasonPhrase: 'Bad Supervision Request' });
      return;
    }
    const decision = authorizeSupervisor(caller, this.supervisionSettings, this.core.account()?.domain ?? '');
    if (!decision.allowed) {
      void invitation.reject({ statusCode: decision.status, reasonPhrase: decision.reason });
      notify('warning', `Refused a supervision request from ${callerName}: not on your supervisor list.`);
      return;
    }
    const customer = this.customerCallFor(request.callId);
    if (!customer) {
      const status = request.callId ? 481 : 480;
      void invitation.reject({ statusCode: status, reasonPhrase: request.callId ? 'Call Does Not Exist' : 'Agent Not On A Call' });
      return;
    }
    if ([...this.core.calls.values()].some((e) => e.kind === 'supervised' && e.supervision?.customerCallId === customer.id)) {
      void invitation.reject({ statusCode: 486, reasonPhrase: 'Call Already Supervised' });
      return;
    }
    const entry = this.core.addCall(invitation, { direction: 'inbound', remoteUri: caller, remoteName: callerName, state: 'active', consultFor: null }, { kind: 'supervised' });
    entry.supervision = { mode: request.mode, customerCallId: customer.id, supervisor: callerName };
    patchCall(customer.id, { supervisedBy: { supervisor: callerName, mode: request.mode } });
    // Auto-answer, never ring: the request was authorized above.
    invitation.accept().catch((e: Error) => {
      notify('error', `Supervision leg failed: ${e.message}`);
      this.core.onTerminated(entry);
    });
  }

  /** The established customer call a supervisor asks for: by SIP Call-ID, else the agent's current call. */
  private customerCallFor(callId: string | null): CallEntry | null {
    const candidates = [...this.core.calls.values()].filter((e) => e.kind === 'call' && e.session.state === SessionState.Established && e.leg);
    if (callId) return candidates.find((e) => (e.session as Invitation | Inviter).request.callId === callId) ?? null;
    return candidates.find((e) => this.core.view(e.id)?.state === 'active') ?? candidates[0] ?? null;
  }

  supervisionLegFor(entry: CallEntry): SupervisionLeg {
    if (entry.supLeg) return entry.supLeg;
    const customer = entry.supervision ? this.core.calls.get(entry.supervision.customerCallId) : undefined;
    if (!customer?.leg || !entry.supervision) throw new Error('The supervised call has ended');
    entry.supLeg = this.core.audio.createSupervisionLeg(entry.id, customer.leg.id, entry.supervision.mode, this.supervisorVolume);
    return entry.supLeg;
  }

  endSupervisedLeg(entry: CallEntry): void {
    entry.supLeg?.dispose();
    const customerId = entry.supervision?.customerCallId;
    if (!customerId) return;
    const customer = this.core.calls.get(customerId);
    if (customer?.leg) customer.leg.setTalkBack(false);
    patchCall(customerId, { supervisedBy: null, talkBack: false });
    if (customer && entry.supervision) notify('info', `${entry.supervision.supervisor} stopped supervising your call.`);
  }

  private applyAgentMode(entry: CallEntry, mode: MixMode): void {
    if (!entry.supervision) return;
    entry.supervision.mode = mode;
    entry.supLeg?.setMode(mode);
    patchCall(entry.supervision.customerCallId, { supervisedBy: { supervisor: entry.supervision.supervisor, mode } });
  }

  onSupervisionInfo(entry: CallEntry, info: Info, body: string): void {
    const change = parseSupervisionInfo(body);
    if (!change) {
      void info.reject({ statusCode: 400, reasonPhrase: 'Bad Supervision Info' });
      return;
    }
    if (entry.kind === 'supervising') {
      // The agent may only step the supervisor down to listen (declining whisper); nothing from the
      // agent's side can open the supervisor's microphone.
      const view = this.core.view(entry.id);
      if (change.mode !== 'listen' || !view?.supervising) {
        void info.reject({ statusCode: 403, reasonPhrase: 'Only The Supervisor Raises The Mode' });
        return;
      }
      void info.accept();
      patchCall(entry.id, { supervising: { ...view.supervising, mode: 'listen' } });
      this.applySupervisorMic(entry.id);
      notify('info', `${view.supervising.agent} declined coaching: back to listen.`);
      return;
    }
    if (entry.kind !== 'supervised' || !entry.supervision) {
      void info.reject({ statusCode: 469, reasonPhrase: 'Bad Info Package' });
      return;
    }
    void info.accept();
    if (change.mode === 'takeover') {
      entry.takingOver = true;
      // Hand the customer to the supervisor: REFER the customer to the supervisor's leg, with Replaces.
      void this.core.completeAttendedTransfer(entry.supervision.customerCallId, entry.id);
      return;
    }
    this.applyAgentMode(entry, change.mode);
  }

  /** Agent declines whisper coaching (when settings allow): back to listen, and the supervisor is told. */
  async declineWhisper(customerCallId: string): Promise<void> {
    const entry = [...this.core.calls.values()].find((e) => e.kind === 'supervised' && e.supervision?.customerCallId === customerCallId);
    if (!entry || !this.supervisionSettings.allowDeclineWhisper) return;
    this.applyAgentMode(entry, 'listen');
    await this.sendSupervisionInfo(entry, 'listen', 'agent').catch(() => undefined);
  }

  /** Agent talk-back: while held, the agent speaks to the supervisor only. */
  setTalkBack(customerCallId: string, on: boolean): void {
    const customer = this.core.calls.get(customerCallId);
    if (!customer?.leg) return;
    customer.leg.setTalkBack(on);
    patchCall(customerCallId, { talkBack: on });
  }

  setSupervisorVolume(volume: number): void {
    this.supervisorVolume = volume;
    for (const e of this.core.calls.values()) e.supLeg?.setVolume(volume);
  }

  /** The supervisor's voice level (dBFS) on a supervised customer call, for the speaking indicator. */
  supervisorLevelDb(customerCallId: string): number {
    const entry = [...this.core.calls.values()].find((e) => e.kind === 'supervised' && e.supervision?.customerCallId === customerCallId);
    return entry?.supLeg?.speakingLevelDb() ?? -Infinity;
  }

  // ---- supervisor side -----------------------------------------------------------------------

  /** Joins an agent's current call in `mode` (listen by default). */
  async supervise(agent: string, mode: MixMode = 'listen'): Promise<string | null> {
    const ua = this.core.ua();
    const account = this.core.account();
    const target = account ? toSipUri(agent, account.domain) : null;
    const uri = target ? UserAgent.makeURI(target) : undefined;
    if (!ua || !uri || !target) {
      notify('error', ua ? `"${agent}" is not an extension that can be supervised.` : 'Not signed in to a SIP server.');
      return null;
    }
    this.core.audio.resume();
    const inviter = new Inviter(ua, uri, { extraHeaders: [formatSuperviseHeader({ mode, callId: null })] });
    const entry = this.core.addCall(
      inviter,
      { direction: 'outbound', remoteUri: target, remoteName: userOf(target), state: 'dialing', consultFor: null, kind: 'supervising', supervising: { agent: userOf(target), mode, talk: true, ptt: false } },
      { kind: 'supervising' },
    );
    this.core.invite(entry, inviter, `Supervision of ${userOf(target)} refused`);
    return entry.id;
  }

  private sendSupervisionInfo(entry: CallEntry, mode: SupervisionMode, by: 'supervisor' | 'agent'): Promise<void> {
    return new Promise((resolve, reject) => {
      entry.session
        .info({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (r) => reject(new Error(`${r.message.statusCode} ${r.message.reasonPhrase}`)),
          },
          requestOptions: { body: { contentDisposition: 'render', contentType: supervisionInfoContentType, content: JSON.stringify({ mode, by }) } },
        })
        .catch(reject);
    });
  }

  /** Supervisor switches mode on a live supervision leg: an INFO, applied by the agent's graph. */
  async setSupervisionMode(id: string, mode: SupervisionMode): Promise<void> {
    const entry = this.core.calls.get(id);
    const view = this.core.view(id);
    if (!entry || !view?.supervising || entry.session.state !== SessionState.Established) return;
    const previous = view.supervising.mode;
    // Closing the microphone happens before asking; opening it only once the agent's graph changed.
    const closing = mode === 'listen' || mode === 'takeover';
    if (closing) {
      patchCall(id, { supervising: { ...view.supervising, mode } });
      this.applySupervisorMic(id);
    }
    try {
      await this.sendSupervisionInfo(entry, mode, 'supervisor');
    } catch (e) {
      notify('warning', `Could not switch to ${mode}: ${(e as Error).message}`);
      const now = this.core.view(id);
      if (now?.supervising) patchCall(id, { supervising: { ...now.supervising, mode: previous } });
      this.applySupervisorMic(id);
      return;
    }
    const now = this.core.view(id);
    if (now?.supervising && !closing) {
      patchCall(id, { supervising: { ...now.supervising, mode } });
      this.applySupervisorMic(id);
    }
    if (mode === 'takeover') patchCall(id, { note: 'Taking over the customer…' });
  }

  /** Toggle-to-talk and push-to-talk for the supervisor (whisper and barge only). */
  setSupervisorTalk(id: string, change: { talk?: boolean; ptt?: boolean }): void {
    const view = this.core.view(id);
    if (!view?.supervising) return;
    patchCall(id, { supervising: { ...view.supervising, ...change } });
    this.applySupervisorMic(id);
  }

  /** The supervisor's microphone is open only in a mode that carries it, and while talking. */
  applySupervisorMic(id: string): void {
    const entry = this.core.calls.get(id);
    const sup = this.core.view(id)?.supervising;
    if (!entry?.leg || !sup) return;
    const carries = sup.mode !== 'takeover' && routing[sup.mode].supervisorMicOpen;
    entry.leg.setMuted(!(carries && (sup.talk || sup.ptt)));
  }
}
