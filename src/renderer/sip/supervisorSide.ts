import { Inviter, SessionState, UserAgent } from 'sip.js';
import { toSipUri, userOf } from '../../shared/dialTarget';
import { routing, formatSuperviseHeader, type MixMode, type SupervisionInfo, type SupervisionMode } from '../../shared/supervision/modes';
import type { PbxProfile } from '../../shared/pbx/profiles';
import { notify, patchCall } from '../store/phoneState';
import { noteCoachMode, type CallEntry } from './callEntry';
import type { FeatureCodeSupervision } from './featureCodeSupervision';
import { legModifiers, sendLegMessage, sendSupervisionMessage, type PhoneCore, type SupervisionReply } from './supervisionCore';
import type { SupervisionChallenge } from '../../shared/supervision/challenge';
import type { SupervisionPolicy } from './supervisionPolicy';

/** The PBX did not pass the supervision request on: the agent's phone rang, or something else answered. */
export const strippedRequestAdvice =
  'the PBX delivered it to the agent as an ordinary call, or did not pass the apps\' in-dialog requests between the two calls, so it was hung up. The PBX must pass the X-Whisperline-Supervise header on to the agent and relay those requests (README → "PBX compatibility": nothing on a SIP proxy; on Asterisk the whisperline-supervise pre-dial handler; on FreeSWITCH the profile\'s proxy-info-content-types).';

/** How long the supervisor's app waits for the agent's app to confirm a join or a mode change. */
const confirmAnsweredMs = 6000;
const confirmUnansweredMs = 8000;
const confirmModeMs = 10_000;
/**
 * A join answered but never confirmed is asked once more after this pause: a B2BUA can lose the
 * apps' in-dialog requests while it sets its bridge up (seen once in a CI run through FreeSWITCH, not
 * in about 100 joins here since), and the first leg has been let go of by then.
 */
const joinRetryMs = 1000;

/**
 * The supervisor's side of app-mixed supervision: joins with a signed statement, switches modes
 * (each change signed for the call the agent's app named), gates the microphone, and follows what
 * the agent's app reports. Feature-code profiles are handed to FeatureCodeSupervision.
 */
export class SupervisorSide {
  constructor(
    private readonly core: PhoneCore,
    private readonly policy: SupervisionPolicy,
    private readonly featureCode: FeatureCodeSupervision,
    private readonly profile: () => PbxProfile,
    /** The microphone started or stopped carrying the supervisor's voice (talk time). */
    private readonly onMicCarrying: (id: string, carrying: boolean) => void = () => undefined,
  ) {}

  /** Confirmations the supervisor's app is waiting for, per supervision leg. `resolve(null)`: confirmed; a string: why not. */
  private readonly pending = new Map<string, { mode: SupervisionMode; resolve: (failure: string | null) => void }>();

  /** Joins an agent's current call in `mode` (listen by default), on the account's path. `attempt` 2: the automatic second try. */
  async supervise(agent: string, mode: MixMode = 'listen', attempt = 1): Promise<string | null> {
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
    const signed = await this.policy.sign(agent, mode);
    if ('error' in signed) {
      notify('error', `Could not ask to supervise ${userOf(target)}: ${signed.error}`);
      return null;
    }
    const inviter = new Inviter(ua, uri, { extraHeaders: [formatSuperviseHeader({ mode, callId: null, statement: signed.token })], sessionDescriptionHandlerModifiers: legModifiers });
    const entry = this.core.addCall(
      inviter,
      { direction: 'outbound', remoteUri: target, remoteName: userOf(target), state: 'dialing', consultFor: null, kind: 'supervising', supervising: { agent: userOf(target), mode, talk: true, ptt: false, confirmed: false, talked: { ms: 0, since: null } } },
      { kind: 'supervising' },
    );
    noteCoachMode(entry, mode);
    const name = userOf(target);
    // The agent's app never rings for a supervision request: ringing means the PBX dropped the marker.
    let gaveUp = false;
    // Set when this leg ends unconfirmed after an answer, on the first attempt: join again once it is gone.
    let again = false;
    let answered: ReturnType<typeof setTimeout> | undefined;
    const didNotStart = (why: string, retriable: boolean) => {
      if (retriable && attempt === 1) again = true;
      else notify('error', `Supervision of ${name} did not start${attempt > 1 ? ' (asked twice)' : ''}: ${why}`);
    };
    const giveUp = (why: string, retriable = false) => {
      // `confirmedAt`, not the view: a takeover turns the leg into a call (no `supervising`) while
      // this timer may still run, and on a busy machine before the customer's INVITE replaces it.
      if (gaveUp || entry.confirmedAt !== undefined) return;
      gaveUp = true;
      clearTimeout(unanswered);
      didNotStart(why, retriable);
      void this.core.hangup(entry.id);
    };
    const unanswered = setTimeout(() => giveUp(strippedRequestAdvice), confirmUnansweredMs);
    inviter.stateChange.addListener((state) => {
      if (state === SessionState.Established) {
        clearTimeout(unanswered);
        answered = setTimeout(() => giveUp(`no confirmation from ${name}'s app after it was answered: ${strippedRequestAdvice}`, true), confirmAnsweredMs);
        void this.askForState(entry);
      } else if (state === SessionState.Terminated) {
        // A leg that ended (left, taken over, transferred) has nothing left to confirm: no "did not start".
        clearTimeout(unanswered);
        clearTimeout(answered);
        // But the far end hanging up a leg it never confirmed is a join that did not start: through a
        // B2BUA the agent's reason (its BYE's Reason header) may not come with it.
        if (entry.byeReason !== undefined && entry.confirmedAt === undefined && !gaveUp) {
          gaveUp = true;
          didNotStart(`${name}'s side ended it without confirming${entry.byeReason ? ` (${entry.byeReason})` : ''}; ${strippedRequestAdvice}`, true);
        }
        if (again) setTimeout(() => void this.supervise(agent, mode, 2), joinRetryMs);
      }
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
      void sendSupervisionMessage(entry, { type: 'mode', mode: sup.mode, by: 'supervisor', seq: ++this.seq }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, confirmAnsweredMs / 6));
    }
  }

  /** The supervisor's request numbers, per supervision leg. */
  private seq = 0;

  /**
   * Resolves null once the agent's app reports `mode`, or why not: its refusal, or silence past a
   * ceiling (`silence`: null where silence is expected, as in a takeover through a B2BUA).
   */
  private agentConfirms(id: string, mode: SupervisionMode, silence: string | null): Promise<string | null> {
    this.pending.get(id)?.resolve('another change was asked for');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(silence);
      }, confirmModeMs);
      this.pending.set(id, {
        mode,
        resolve: (failure) => {
          clearTimeout(timer);
          resolve(failure);
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
    noteCoachMode(entry, mode);
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
    // Through a B2BUA the agent's "done" for a takeover can be lost while the PBX swaps the bridge:
    // only a refusal undoes a takeover, never silence.
    const confirmed = this.agentConfirms(id, mode, mode === 'takeover' ? null : `${view.supervising.agent}'s app did not confirm it`);
    let failure: string | null = null;
    try {
      if (!entry.reportedCall) throw new Error(`${view.supervising.agent}'s app has not named the call yet`);
      const signed = await this.policy.sign(view.supervising.agent, mode, entry.reportedCall);
      if ('error' in signed) throw new Error(signed.error);
      await sendSupervisionMessage(entry, { type: 'mode', mode, by: 'supervisor', seq: ++this.seq, stmt: signed.token });
      const sent = this.core.view(id);
      if (mode === 'takeover' && sent?.supervising) patchCall(id, { note: 'Taking over the customer…' });
      failure = await confirmed;
    } catch (e) {
      this.pending.get(id)?.resolve(null);
      this.pending.delete(id);
      failure = (e as Error).message;
    }
    const now = this.core.view(id);
    if (failure) {
      notify('warning', `Could not switch to ${mode}: ${failure}`);
      if (now?.supervising) patchCall(id, { supervising: { ...now.supervising, mode: previous }, ...(mode === 'takeover' ? { note: null } : {}) });
      this.applySupervisorMic(id);
      return;
    }
    if (now?.supervising && !closing) {
      patchCall(id, { supervising: { ...now.supervising, mode } });
      this.applySupervisorMic(id);
    }
    if (mode !== 'takeover') this.recordMine(entry, 'mode', mode);
    // Silence past the ceiling is no refusal: through a B2BUA the agent's "done" can be lost while
    // the PBX bridges the customer onto this leg (seen under load), so the leg is the customer call.
    else if (entry.kind === 'supervising' && entry.session.state === SessionState.Established && now?.supervising) this.becomeCall(entry, now.supervising.agent);
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
    const open = carries && (sup.talk || sup.ptt);
    entry.leg.setMuted(!open);
    this.onMicCarrying(id, open);
  }

  /**
   * Supervisor side: what the agent's app says. A state confirms a join or the change we asked for;
   * the agent may only ever step us down to listen (declining whisper). Nothing from the agent's
   * side opens the supervisor's microphone.
   */
  onAgentReport(entry: CallEntry, change: SupervisionInfo): void {
    const { type, mode } = change;
    const view = this.core.view(entry.id);
    if (!view?.supervising) return;
    if (change.call) entry.reportedCall = change.call;
    if (!view.supervising.confirmed) {
      patchCall(entry.id, { supervising: { ...view.supervising, confirmed: true } });
      entry.confirmedAt = Date.now();
      this.recordMine(entry, 'join', view.supervising.mode);
    }
    const waiting = this.pending.get(entry.id);
    if (type === 'state' && mode === 'takeover' && view.supervising.mode === 'takeover') {
      waiting?.resolve(null);
      this.becomeCall(entry, view.supervising.agent);
      return;
    }
    if (waiting && type === 'state' && (change.refused || waiting.mode === mode)) {
      this.pending.delete(entry.id);
      waiting.resolve(change.refused ?? null);
      return;
    }
    if (mode === 'listen' && view.supervising.mode !== 'listen') {
      patchCall(entry.id, { supervising: { ...(this.core.view(entry.id)?.supervising ?? view.supervising), mode: 'listen' } });
      this.applySupervisorMic(entry.id);
      if (type === 'mode') notify('info', `${view.supervising.agent} declined coaching: back to listen.`);
    }
  }

  /**
   * The agent's app asks this leg to prove the join (shared/supervision/challenge.ts): a statement
   * for the call it names, carrying its challenge as the nonce, signed by this desk's key. Only on
   * a leg this app opened and that is not confirmed yet, and only for the mode it asked for.
   */
  async onChallenge(entry: CallEntry, reply: SupervisionReply, challenge: SupervisionChallenge): Promise<void> {
    reply.accept();
    const sup = this.core.view(entry.id)?.supervising;
    if (!sup || sup.confirmed || challenge.mode !== sup.mode || entry.session.state !== SessionState.Established) return;
    const signed = await this.policy.sign(sup.agent, sup.mode, challenge.call, challenge.challenge);
    if ('error' in signed) {
      notify('error', `Could not answer ${sup.agent}'s app: ${signed.error}`);
      return;
    }
    entry.reportedCall = challenge.call;
    void sendLegMessage(entry, { type: 'proof', stmt: signed.token }).catch(() => undefined);
  }

  /** The supervisor's own audit entry (the agent's app keeps its own). */
  private recordMine(entry: CallEntry, action: 'join' | 'mode' | 'leave' | 'takeover', mode: SupervisionMode, extra: { durationMs?: number; result?: 'ok' | 'failed'; reason?: string } = {}): void {
    const agent = this.core.view(entry.id)?.supervising?.agent ?? userOf(this.core.view(entry.id)?.remoteUri ?? '-');
    this.policy.record({ actor: this.policy.me(), subject: this.policy.identityOf(agent), call: entry.reportedCall ?? '-', action, mode, result: extra.result ?? 'ok', durationMs: extra.durationMs, reason: extra.reason });
  }

  /** Supervisor side: the supervision leg ended (left, refused, or the agent's call ended). */
  supervisingEnded(entry: CallEntry): void {
    if (entry.confirmedAt === undefined) return;
    const mode = this.core.view(entry.id)?.supervising?.mode ?? 'listen';
    this.recordMine(entry, 'leave', mode, { durationMs: Date.now() - entry.confirmedAt });
  }

  /** Supervisor side of a takeover (audited): the supervision leg is now an ordinary call with the customer. */
  private becomeCall(entry: CallEntry, agent: string): void {
    this.recordMine(entry, 'takeover', 'takeover');
    entry.kind = 'call';
    patchCall(entry.id, { kind: 'call', supervising: null, prompts: [], remoteName: `Customer of ${agent}`, note: `You took over ${agent}'s call` });
    entry.leg?.setMuted(false);
  }
}
