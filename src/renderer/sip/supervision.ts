import { Invitation, Inviter, SessionState, UserAgent } from 'sip.js';
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web';
import type { Account } from '../../shared/settings';
import { toSipUri, userOf } from '../../shared/dialTarget';
import { authorizeSupervisor, serverHost, type SupervisionSettings } from '../../shared/supervision/authorize';
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
import { FeatureCodeSupervision } from './featureCodeSupervision';
import { withPtime } from '../../shared/sdp/ptime';
import { capabilities, resolveProfile, type Capability, type PbxProfile } from '../../shared/pbx/profiles';

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

/** The PBX did not pass the supervision request on: the agent's phone rang, or something else answered. */
export const strippedRequestAdvice =
  'the PBX delivered it to the agent as an ordinary call, so it was hung up. The PBX must pass the X-Whisperline-Supervise header on to the agent (README → "PBX compatibility": none needed on a SIP proxy; on Asterisk the whisperline-supervise pre-dial handler).';

/**
 * Both ends of a supervision leg ask for 10 ms Opus packets (see shared/sdp/ptime.ts for the
 * trade-off): the supervisor's voice reaches the agent sooner, and the call sooner the supervisor.
 */
const supervisionLegPtimeMs = 10;
const legModifiers = [async (d: RTCSessionDescriptionInit) => ({ ...d, sdp: d.sdp ? withPtime(d.sdp, supervisionLegPtimeMs) : d.sdp })];

/** How long the supervisor's app waits for the agent's app to confirm a join or a mode change. */
const confirmAnsweredMs = 6000;
const confirmUnansweredMs = 8000;
const confirmModeMs = 10_000;

/**
 * App-mixed supervision over plain SIP. Agent side: authorizes and auto-answers a supervisor's
 * INVITE, mixes the leg into the customer call's audio graph, applies mode changes sent as INFO, and
 * hands the customer over on takeover. Supervisor side: joins, switches modes, gates the microphone.
 */
export class Supervision {
  private readonly featureCode: FeatureCodeSupervision;

  constructor(private readonly core: PhoneCore) {
    this.featureCode = new FeatureCodeSupervision({ ...core, applySupervisorMic: (id) => this.applySupervisorMic(id), profile: () => this.profile() });
  }

  // ---- which path ----------------------------------------------------------------------------

  private profileError: string | null = null;

  /** The account's PBX profile; a damaged one falls back to app-mixed and the user is told once. */
  profile(): PbxProfile {
    const { profile, error } = resolveProfile(this.core.account()?.pbxProfile);
    if (error && error !== this.profileError) notify('warning', error);
    this.profileError = error ?? null;
    return profile;
  }

  /** What the supervisor's buttons may offer on this account's path, with reasons. */
  capabilities(): Record<SupervisionMode, Capability> {
    return capabilities(this.profile());
  }

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
    const account = this.core.account();
    const decision = authorizeSupervisor(caller, this.supervisionSettings, account?.domain ?? '', account ? [serverHost(account.server)] : []);
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
    invitation.accept({ sessionDescriptionHandlerModifiers: legModifiers }).catch((e: Error) => {
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

  /** The agent's side of a supervision leg is up: hear the supervisor (as the mode allows), confirm. */
  supervisedEstablished(entry: CallEntry): void {
    const sdh = entry.session.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    const tracks = sdh?.peerConnection?.getReceivers().map((r) => r.track).filter((t) => t.kind === 'audio') ?? [];
    if (tracks.length) entry.supLeg?.attachRemote(new MediaStream(tracks));
    if (entry.supervision) this.sendState(entry, entry.supervision.mode);
  }

  /** Tells the supervisor's app which mode the agent's graph now applies. */
  private sendState(entry: CallEntry, mode: SupervisionMode): void {
    void this.sendSupervisionMessage(entry, { type: 'state', mode, by: 'agent' }).catch(() => undefined);
  }

  /** A supervision MESSAGE (or INFO) on a supervision leg, either side. */
  onSupervisionRequest(entry: CallEntry, reply: SupervisionReply, body: string): void {
    const change = parseSupervisionInfo(body);
    if (!change) {
      reply.reject(400, 'Bad Supervision Request');
      return;
    }
    if (entry.kind === 'supervising') {
      reply.accept();
      this.onAgentReport(entry, change.type, change.mode);
      return;
    }
    if (entry.kind !== 'supervised' || !entry.supervision) {
      reply.reject(469, 'Bad Info Package');
      return;
    }
    reply.accept();
    if (change.type === 'state') return; // only the agent's app reports state
    if (change.seq !== undefined) {
      // A request older than one already applied arrived late: keep the newer mode, say so again.
      if (entry.supervision.seq !== undefined && change.seq <= entry.supervision.seq) {
        this.sendState(entry, entry.supervision.mode);
        return;
      }
      entry.supervision.seq = change.seq;
    }
    if (change.mode === 'takeover') {
      entry.takingOver = true;
      // Tell the supervisor first: through a B2BUA the PBX bridges the customer onto the existing
      // supervision call, so no new call reaches the supervisor's app to say it happened.
      // Hand the customer over (REFER with Replaces) once that word has left: through Asterisk, a
      // REFER that overtakes it tears the leg down before the PBX has relayed it (seen under load).
      const customerCallId = entry.supervision.customerCallId;
      const told = this.sendSupervisionMessage(entry, { type: 'state', mode: 'takeover', by: 'agent' }).catch(() => undefined);
      // A ceiling, not a wait: an unanswered MESSAGE would hold the customer for 32 s (Timer F).
      void Promise.race([told, new Promise((r) => setTimeout(r, 2000))]).then(() => this.core.completeAttendedTransfer(customerCallId, entry.id));
      return;
    }
    this.applyAgentMode(entry, change.mode);
    this.sendState(entry, change.mode);
  }

  /**
   * Supervisor side: what the agent's app says. A state confirms a join or the change we asked for;
   * the agent may only ever step us down to listen (declining whisper). Nothing from the agent's
   * side opens the supervisor's microphone.
   */
  private onAgentReport(entry: CallEntry, type: 'mode' | 'state', mode: SupervisionMode): void {
    const view = this.core.view(entry.id);
    if (!view?.supervising) return;
    if (!view.supervising.confirmed) patchCall(entry.id, { supervising: { ...view.supervising, confirmed: true } });
    if (type === 'state' && mode === 'takeover' && view.supervising.mode === 'takeover') {
      this.becomeCall(entry, view.supervising.agent);
      return;
    }
    const waiting = this.pending.get(entry.id);
    if (waiting && type === 'state' && waiting.mode === mode) {
      this.pending.delete(entry.id);
      waiting.resolve(true);
      return;
    }
    if (mode === 'listen' && view.supervising.mode !== 'listen') {
      patchCall(entry.id, { supervising: { ...(this.core.view(entry.id)?.supervising ?? view.supervising), mode: 'listen' } });
      this.applySupervisorMic(entry.id);
      if (type === 'mode') notify('info', `${view.supervising.agent} declined coaching: back to listen.`);
    }
  }

  /** Supervisor side of a takeover: the supervision leg is now an ordinary call with the customer. */
  private becomeCall(entry: CallEntry, agent: string): void {
    entry.kind = 'call';
    patchCall(entry.id, { kind: 'call', supervising: null, remoteName: `Customer of ${agent}`, note: `You took over ${agent}'s call` });
    entry.leg?.setMuted(false);
  }

  /** Agent declines whisper coaching (when settings allow): back to listen, and the supervisor is told. */
  async declineWhisper(customerCallId: string): Promise<void> {
    const entry = [...this.core.calls.values()].find((e) => e.kind === 'supervised' && e.supervision?.customerCallId === customerCallId);
    if (!entry || !this.supervisionSettings.allowDeclineWhisper) return;
    this.applyAgentMode(entry, 'listen');
    await this.sendSupervisionMessage(entry, { type: 'mode', mode: 'listen', by: 'agent' }).catch(() => undefined);
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

  /** Confirmations the supervisor's app is waiting for, per supervision leg. */
  private readonly pending = new Map<string, { mode: SupervisionMode; resolve: (ok: boolean) => void }>();

  /** Joins an agent's current call in `mode` (listen by default), on the account's path. */
  async supervise(agent: string, mode: MixMode = 'listen'): Promise<string | null> {
    const profile = this.profile();
    if (profile.path === 'feature-code') return this.featureCode.start(profile, agent, mode);
    const ua = this.core.ua();
    const account = this.core.account();
    const target = account ? toSipUri(agent, account.domain) : null;
    const uri = target ? UserAgent.makeURI(target) : undefined;
    if (!ua || !uri || !target) {
      notify('error', ua ? `"${agent}" is not an extension that can be supervised.` : 'Not signed in to a SIP server.');
      return null;
    }
    this.core.audio.resume();
    const inviter = new Inviter(ua, uri, { extraHeaders: [formatSuperviseHeader({ mode, callId: null })], sessionDescriptionHandlerModifiers: legModifiers });
    const entry = this.core.addCall(
      inviter,
      { direction: 'outbound', remoteUri: target, remoteName: userOf(target), state: 'dialing', consultFor: null, kind: 'supervising', supervising: { agent: userOf(target), mode, talk: true, ptt: false, confirmed: false } },
      { kind: 'supervising' },
    );
    const name = userOf(target);
    // The agent's app never rings for a supervision request: ringing means the PBX dropped the marker.
    let gaveUp = false;
    const giveUp = (why: string) => {
      if (gaveUp || this.core.view(entry.id)?.supervising?.confirmed) return;
      gaveUp = true;
      clearTimeout(unanswered);
      notify('error', `Supervision of ${name} did not start: ${why}`);
      void this.core.hangup(entry.id);
    };
    const unanswered = setTimeout(() => giveUp(strippedRequestAdvice), confirmUnansweredMs);
    inviter.stateChange.addListener((state) => {
      if (state === SessionState.Established) {
        clearTimeout(unanswered);
        setTimeout(() => giveUp(`no confirmation from ${name}'s app after it was answered: ${strippedRequestAdvice}`), confirmAnsweredMs);
        void this.askForState(entry);
      } else if (state === SessionState.Terminated) clearTimeout(unanswered);
    });
    this.core.invite(entry, inviter, `Supervision of ${name} refused`, {
      onProgress: (code) => {
        if (code === 180 || code === 183) giveUp(`${name}'s phone started ringing: ${strippedRequestAdvice}`);
      },
      // Our own CANCEL after giving up is not a refusal to report.
      quiet: () => gaveUp,
    });
    return entry.id;
  }

  /**
   * The agent's app confirms a join on its own, but that MESSAGE can overtake the 200 OK (a proxy's
   * workers, a B2BUA's two dialogs) and be dropped; so once answered, the supervisor repeats its
   * request (idempotent) until the agent's app reports its state.
   */
  private async askForState(entry: CallEntry): Promise<void> {
    for (let i = 0; i < 6; i++) {
      const sup = this.core.view(entry.id)?.supervising;
      if (!sup || sup.confirmed || entry.session.state !== SessionState.Established) return;
      void this.sendSupervisionMessage(entry, { type: 'mode', mode: sup.mode, by: 'supervisor', seq: ++this.seq }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, confirmAnsweredMs / 6));
    }
  }

  /** The supervisor's request numbers, per supervision leg. */
  private seq = 0;

  private sendSupervisionMessage(entry: CallEntry, body: { type: 'mode' | 'state'; mode: SupervisionMode; by: 'supervisor' | 'agent'; seq?: number }): Promise<void> {
    return new Promise((resolve, reject) => {
      entry.session
        .message({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (r) => reject(new Error(`${r.message.statusCode} ${r.message.reasonPhrase}`)),
          },
          requestOptions: { body: { contentDisposition: 'render', contentType: supervisionInfoContentType, content: JSON.stringify(body) } },
        })
        .catch(reject);
    });
  }

  /** Resolves true once the agent's app reports `mode`, false after a ceiling. */
  private agentConfirms(id: string, mode: SupervisionMode): Promise<boolean> {
    this.pending.get(id)?.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(false);
      }, confirmModeMs);
      this.pending.set(id, {
        mode,
        resolve: (ok) => {
          clearTimeout(timer);
          resolve(ok);
        },
      });
    });
  }

  /**
   * Supervisor switches mode on a live supervision leg: a MESSAGE, applied by the agent's graph and
   * confirmed by the agent's app (through a B2BUA the PBX, not the agent, answers the request).
   */
  async setSupervisionMode(id: string, mode: SupervisionMode): Promise<void> {
    if (this.featureCode.owns(id)) return this.featureCode.setMode(id, mode);
    const entry = this.core.calls.get(id);
    const view = this.core.view(id);
    if (!entry || !view?.supervising || entry.session.state !== SessionState.Established) return;
    const previous = view.supervising.mode;
    // Closing the microphone happens before asking. Opening it happens at the same time as asking,
    // not after the confirmation (that round trip was ~150 ms of the switch): what the supervisor
    // says is routed only by the agent's graph, which holds the old mode until the request arrives,
    // so early audio is heard by nobody in listen and never reaches the customer outside barge.
    // Takeover opens it too, as it is asked: through a B2BUA the agent's "done" can be lost while the
    // PBX swaps the bridge, and the customer must not meet a silent supervisor.
    const closing = mode === 'listen';
    if (closing || mode === 'takeover') {
      patchCall(id, { supervising: { ...view.supervising, mode } });
      this.applySupervisorMic(id);
    } else {
      this.applySupervisorMic(id, mode);
    }
    const confirmed = mode === 'takeover' ? Promise.resolve(true) : this.agentConfirms(id, mode);
    let failure: string | null = null;
    try {
      await this.sendSupervisionMessage(entry, { type: 'mode', mode, by: 'supervisor', seq: ++this.seq });
      if (!(await confirmed)) failure = `${view.supervising.agent}'s app did not confirm it`;
    } catch (e) {
      failure = (e as Error).message;
    }
    const now = this.core.view(id);
    if (failure) {
      notify('warning', `Could not switch to ${mode}: ${failure}`);
      if (now?.supervising) patchCall(id, { supervising: { ...now.supervising, mode: previous } });
      this.applySupervisorMic(id);
      return;
    }
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
  applySupervisorMic(id: string, mode?: SupervisionMode): void {
    const entry = this.core.calls.get(id);
    const sup = this.core.view(id)?.supervising;
    if (!entry?.leg || !sup) return;
    // `mode`: the one being asked for, before the view shows it (the mic opens with the request).
    const m = mode ?? sup.mode;
    const carries = m === 'takeover' || routing[m].supervisorMicOpen;
    entry.leg.setMuted(!(carries && (sup.talk || sup.ptt)));
  }
}
