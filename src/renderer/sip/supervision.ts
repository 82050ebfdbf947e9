import { Invitation, Inviter, SessionState } from 'sip.js';
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web';
import { userOf } from '../../shared/dialTarget';
import { parseSuperviseHeader, parseSupervisionInfo, type MixMode, type SupervisionMode } from '../../shared/supervision/modes';
import { capabilities, resolveProfile, type Capability, type PbxProfile } from '../../shared/pbx/profiles';
import type { SupervisionLeg } from '../audio/engine';
import { notify, patchCall, phoneStore } from '../store/phoneState';
import { noteCoachMode, type CallEntry } from './callEntry';
import type { AgentNotice } from '../../shared/policy/gate';
import { FeatureCodeSupervision } from './featureCodeSupervision';
import { legMethodFor } from '../../shared/supervision/legMethod';
import { legModifiers, sendSupervisionMessage, supervisionLegsOf, type PhoneCore, type SupervisionReply } from './supervisionCore';
import { SupervisionPolicy } from './supervisionPolicy';
import { SupervisorSide } from './supervisorSide';
import { Coaching } from './coaching';
import { FollowCall } from './followCall';
import { parseFollowMessage } from '../../shared/supervision/follow';
import { parseCoachingMessage } from '../../shared/supervision/coaching';
import { parseChallengeMessage } from '../../shared/supervision/challenge';
import { viaCount, type PresentedCaller } from '../../shared/supervision/identity';
import { JoinChallenge } from './joinChallenge';
import { parseRecordingStatus, RecordingNotice } from './recordingNotice';

export type { PhoneCore, SupervisionReply } from './supervisionCore';

/**
 * Supervision over plain SIP. Agent side (here): verifies a supervisor's INVITE against the org
 * policy and auto-answers it, mixes the leg into the customer call's audio graph, applies verified
 * mode changes, and hands the customer over on takeover. Supervisor side: supervisorSide.ts.
 */
export class Supervision {
  /** The org policy's part: verifying requests (agent), signing them (supervisor), the audit trail. */
  readonly policy: SupervisionPolicy;
  private readonly supervisor: SupervisorSide;
  /** Text prompts on the supervision leg and the supervisor's talk time. */
  readonly coaching: Coaching;
  /** A transferred supervised call: told where it went, offered for rejoin. */
  readonly follow: FollowCall;
  /** Agent side: a join is proven by answering a challenge before the leg gets any audio. */
  private readonly joinChallenge: JoinChallenge;
  /** Whether the supervised call is being recorded, told to its supervisors. */
  readonly recording: RecordingNotice;

  constructor(private readonly core: PhoneCore) {
    this.policy = new SupervisionPolicy(() => core.account());
    this.joinChallenge = new JoinChallenge(this.policy, (entry, verdict) => this.proven(entry, verdict.notice));
    this.coaching = new Coaching(core);
    this.recording = new RecordingNotice(core);
    this.follow = new FollowCall(core, (agent, mode) => this.join(agent, mode));
    const featureCode = new FeatureCodeSupervision({ ...core, applySupervisorMic: (id) => this.applySupervisorMic(id), profile: () => this.profile() });
    this.supervisor = new SupervisorSide(core, this.policy, featureCode, () => this.profile(), (id, carrying) => this.coaching.micCarrying(id, carrying));
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

  /**
   * What the supervisor's buttons may offer on this account's path, with reasons; on the app-mixed
   * path, also only what the org policy allows this supervisor on `agent` (agents' apps refuse the rest).
   */
  capabilities(agent?: string): Record<SupervisionMode, Capability> {
    const profile = this.profile();
    const path = capabilities(profile);
    if (profile.path !== 'app-mixed' || agent === undefined) return path;
    const policy = this.policy.allows(agent);
    const both = (m: SupervisionMode): Capability => (path[m].available ? policy[m] : path[m]);
    return { listen: both('listen'), whisper: both('whisper'), barge: both('barge'), takeover: both('takeover') };
  }

  // ---- agent side ----------------------------------------------------------------------------

  supervisorVolume = 1;

  /** `header`: the X-Whisperline-Supervise value; null when the request carried more than one. */
  async onSuperviseInvite(invitation: Invitation, header: string | null): Promise<void> {
    const caller = invitation.remoteIdentity.uri.toString();
    const callerName = invitation.remoteIdentity.displayName || userOf(caller);
    const presented: PresentedCaller = {
      from: caller,
      asserted: [...invitation.request.getHeaders('P-Asserted-Identity'), ...invitation.request.getHeaders('Remote-Party-ID')],
      builtByPbx: viaCount(invitation.request.getHeaders('Via')) === 1,
    };
    const refuse = (status: number, reason: string, mode?: MixMode, callId = '-') => {
      void invitation.reject({ statusCode: status, reasonPhrase: reason }).catch(() => undefined);
      this.policy.record({ actor: this.policy.callerOf(presented), subject: this.policy.me(), call: callId, action: 'refusal', mode, result: 'refused', reason: `${status} ${reason}` });
    };
    const request = header === null ? null : parseSuperviseHeader(header);
    if (!request) return refuse(400, 'Bad Supervision Request');
    const customer = this.customerCallFor(request.callId);
    if (!customer) return request.callId ? refuse(481, 'Call Does Not Exist', request.mode) : refuse(480, 'Agent Not On A Call', request.mode);
    const callId = (customer.session as Invitation | Inviter).request.callId;
    if (this.supervisedLegOf(customer.id)) return refuse(486, 'Call Already Supervised', request.mode, callId);
    // Signature, enrolment, scope, mode, freshness, replay, call and SIP identity; a refusal is recorded before the answer.
    const verdict = await this.policy.check('join', request.statement, presented, callId, request.mode);
    if (!verdict.ok) {
      void invitation.reject({ statusCode: verdict.status, reasonPhrase: verdict.reason }).catch(() => undefined);
      notify('warning', `Refused a supervision request from ${callerName}: ${verdict.reason}.`);
      return;
    }
    // The check took a moment: the supervisor may have given up, the call may have ended, another may have joined.
    if (invitation.state !== SessionState.Initial || !this.core.calls.has(customer.id) || this.supervisedLegOf(customer.id) || !verdict.challenge) {
      if (invitation.state === SessionState.Initial) void invitation.reject({ statusCode: 486, reasonPhrase: 'Call Already Supervised' }).catch(() => undefined);
      return;
    }
    const entry = this.core.addCall(invitation, { direction: 'inbound', remoteUri: caller, remoteName: callerName, state: 'active', consultFor: null }, { kind: 'supervised' });
    entry.legMethod = legMethodFor((name) => invitation.request.getHeader(name));
    entry.supervision = {
      mode: request.mode,
      customerCallId: customer.id,
      supervisor: callerName,
      supervisorId: verdict.supervisor,
      callerUri: caller,
      callId,
      binding: await this.policy.bindingOf(callId),
      joinedAt: Date.now(),
      notice: verdict.notice,
      caller: presented,
      proven: false,
      challenge: verdict.challenge,
    };
    // Auto-answer, never ring: the request passed its checks. Nothing of the call is connected to
    // the leg, and the agent is shown nothing, until the challenge is answered (joinChallenge.ts).
    invitation.accept({ sessionDescriptionHandlerModifiers: legModifiers }).catch((e: Error) => {
      notify('error', `Supervision leg failed: ${e.message}`);
      this.core.onTerminated(entry);
    });
  }

  private supervisedLegOf(customerCallId: string): CallEntry | undefined {
    return supervisionLegsOf(this.core, customerCallId)[0];
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
    entry.supLeg = this.core.audio.createSupervisionLeg(entry.id, customer.leg.id, this.supervisorVolume);
    if (entry.supervision.proven) entry.supLeg.admit(entry.supervision.mode);
    return entry.supLeg;
  }

  endSupervisedLeg(entry: CallEntry): void {
    entry.supLeg?.dispose();
    this.follow.legGone(entry);
    const sup = entry.supervision;
    if (sup && !sup.proven) return this.joinChallenge.legEnded(entry);
    if (sup && !entry.takingOver) {
      this.policy.record({ actor: sup.supervisorId, subject: this.policy.me(), call: sup.callId, action: 'leave', mode: sup.mode, durationMs: Date.now() - sup.joinedAt, result: 'ok' });
    }
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
    const { supervisor, supervisorId, notice } = entry.supervision;
    noteCoachMode(this.core.calls.get(entry.supervision.customerCallId), mode);
    patchCall(entry.supervision.customerCallId, { supervisedBy: { supervisor, supervisorId, mode, notice } });
  }

  /** The agent's side of a supervision leg is up: hear the supervisor (as the mode allows), confirm. */
  supervisedEstablished(entry: CallEntry): void {
    const sdh = entry.session.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    const tracks = sdh?.peerConnection?.getReceivers().map((r) => r.track).filter((t) => t.kind === 'audio') ?? [];
    if (tracks.length) entry.supLeg?.attachRemote(new MediaStream(tracks));
    if (entry.supervision?.proven) this.sendState(entry, entry.supervision.mode);
    else this.joinChallenge.start(entry);
  }

  /** The join's challenge was answered: the call reaches the leg, the agent sees who, the supervisor is told. */
  private proven(entry: CallEntry, notice: AgentNotice): void {
    const sup = entry.supervision;
    if (!sup || !this.core.calls.has(sup.customerCallId)) return;
    sup.proven = true;
    sup.notice = notice;
    sup.joinedAt = Date.now();
    this.supervisionLegFor(entry).admit(sup.mode);
    this.applyAgentMode(entry, sup.mode);
    this.sendState(entry, sup.mode);
    this.recording.legProven(entry);
  }

  /** Tells the supervisor's app which mode the agent's graph now applies. */
  private sendState(entry: CallEntry, mode: SupervisionMode, refused?: string): void {
    const call = entry.supervision?.binding;
    void sendSupervisionMessage(entry, { type: 'state', mode, by: 'agent', call, refused }).catch(() => undefined);
  }

  /** A supervision MESSAGE (or INFO) on a supervision leg, either side. */
  async onSupervisionRequest(entry: CallEntry, reply: SupervisionReply, body: string): Promise<void> {
    if (entry.kind === 'supervised' && entry.supervision && !entry.supervision.proven) return this.joinChallenge.onMessage(entry, reply, body);
    const challenge = parseChallengeMessage(body);
    if (challenge) {
      if (entry.kind === 'supervising' && challenge.type === 'challenge') return this.supervisor.onChallenge(entry, reply, challenge);
      // An answer repeated after the leg was proven: nothing left to do.
      return challenge.type === 'proof' && entry.kind === 'supervised' ? reply.accept() : reply.reject(400, 'Bad Supervision Request');
    }
    const follow = parseFollowMessage(body);
    if (follow) return this.follow.onMessage(entry, reply, follow);
    const prompt = parseCoachingMessage(body);
    if (prompt) return this.coaching.onMessage(entry, reply, prompt);
    const recording = parseRecordingStatus(body);
    if (recording) return this.recording.onMessage(entry, reply, recording);
    const change = parseSupervisionInfo(body);
    if (!change) {
      reply.reject(400, 'Bad Supervision Request');
      return;
    }
    if (entry.kind === 'supervising') {
      reply.accept();
      this.supervisor.onAgentReport(entry, change);
      return;
    }
    const sup = entry.supervision;
    if (entry.kind !== 'supervised' || !sup) {
      reply.reject(469, 'Bad Info Package');
      return;
    }
    if (change.type === 'state') return reply.accept(); // only the agent's app reports state
    if (change.seq !== undefined) {
      // A request older than one already applied arrived late: keep the newer mode, say so again.
      if (sup.seq !== undefined && change.seq <= sup.seq) {
        reply.accept();
        this.sendState(entry, sup.mode);
        return;
      }
      sup.seq = change.seq;
    }
    // The supervisor repeating the mode it already has (until our confirmation gets through) changes
    // nothing, so it needs no statement: just say the state again.
    if (change.mode === sup.mode) {
      reply.accept();
      this.sendState(entry, sup.mode);
      return;
    }
    const verdict = await this.policy.check('mode', change.stmt ?? null, sup.caller, sup.callId, change.mode);
    if (!verdict.ok) {
      // Through a B2BUA the PBX has answered already: the state tells the supervisor's app.
      reply.reject(verdict.status, verdict.reason);
      this.sendState(entry, sup.mode, `${verdict.status} ${verdict.reason}`);
      notify('warning', `Refused ${change.mode} from ${sup.supervisor}: ${verdict.reason}.`);
      return;
    }
    reply.accept();
    // A newer request was claimed while this one was checked: that one decides.
    if (change.seq !== undefined && sup.seq !== change.seq) return;
    if (!this.core.calls.has(entry.id)) return;
    if (change.mode === 'takeover') {
      entry.takingOver = true;
      noteCoachMode(this.core.calls.get(sup.customerCallId), 'takeover');
      patchCall(sup.customerCallId, { takenOverBy: sup.supervisor });
      // Tell the supervisor first: through a B2BUA the PBX bridges the customer onto the existing
      // supervision call, so no new call reaches the supervisor's app to say it happened.
      // Hand the customer over (REFER with Replaces) once that word has left: through Asterisk, a
      // REFER that overtakes it tears the leg down before the PBX has relayed it (seen under load).
      const customerCallId = sup.customerCallId;
      const told = sendSupervisionMessage(entry, { type: 'state', mode: 'takeover', by: 'agent', call: sup.binding }).catch(() => undefined);
      // A ceiling, not a wait: an unanswered MESSAGE would hold the customer for 32 s (Timer F).
      void Promise.race([told, new Promise((r) => setTimeout(r, 2000))]).then(() => this.core.completeAttendedTransfer(customerCallId, entry.id));
      return;
    }
    this.applyAgentMode(entry, change.mode);
    this.sendState(entry, change.mode);
  }

  /** Agent declines whisper coaching (when the org policy allows it): back to listen, and the supervisor is told. */
  async declineWhisper(customerCallId: string): Promise<void> {
    const entry = this.supervisedLegOf(customerCallId);
    if (!entry?.supervision?.notice.allowDecline) return;
    this.applyAgentMode(entry, 'listen');
    this.policy.record({ actor: this.policy.me(), subject: this.policy.me(), call: entry.supervision.callId, action: 'mode', mode: 'listen', result: 'ok', reason: `declined coaching from ${entry.supervision.supervisorId}` });
    await sendSupervisionMessage(entry, { type: 'mode', mode: 'listen', by: 'agent' }).catch(() => undefined);
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
    const entry = this.supervisedLegOf(customerCallId);
    return entry?.supLeg?.speakingLevelDb() ?? -Infinity;
  }

  // ---- supervisor side (supervisorSide.ts) ---------------------------------------------------

  supervise(agent: string, mode: MixMode = 'listen'): Promise<string | null> {
    return this.supervisor.supervise(agent, mode);
  }

  /** One click from the board: join in `mode`; a takeover joins in listen, then takes over once the agent's app confirms. */
  async join(agent: string, mode: SupervisionMode): Promise<void> {
    const id = await this.supervise(agent, mode === 'takeover' ? 'listen' : mode);
    const who = id ? this.core.view(id)?.supervising?.agent : undefined;
    if (!who || mode !== 'takeover') return;
    const live = await this.whenConfirmed(who);
    if (live) await this.setSupervisionMode(live, 'takeover');
  }

  /**
   * The leg on `agent` once the agent's app confirms it (the automatic second join's, if the first
   * was lost); null at the ceiling.
   */
  private whenConfirmed(agent: string, ceilingMs = 20_000): Promise<string | null> {
    return new Promise((resolve) => {
      const finish = (id: string | null) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(id);
      };
      const check = () => {
        const live = phoneStore.get().calls.find((c) => c.supervising?.agent === agent && c.supervising.confirmed);
        if (live) finish(live.id);
      };
      const timer = setTimeout(() => finish(null), ceilingMs);
      const unsubscribe = phoneStore.subscribe(check);
      check();
    });
  }

  setSupervisionMode(id: string, mode: SupervisionMode): Promise<void> {
    return this.supervisor.setSupervisionMode(id, mode);
  }

  setSupervisorTalk(id: string, change: { talk?: boolean; ptt?: boolean }): void {
    this.supervisor.setSupervisorTalk(id, change);
  }

  applySupervisorMic(id: string, mode?: SupervisionMode): void {
    this.supervisor.applySupervisorMic(id, mode);
  }

  supervisingEnded(entry: CallEntry): void {
    const sup = this.core.view(entry.id)?.supervising;
    if (sup) this.follow.legEnded(entry, sup.agent, sup.mode);
    this.supervisor.supervisingEnded(entry);
  }
}
