import {
  Invitation,
  Inviter,
  SessionState,
  UserAgent,
  type Referral,
  type Session,
  type Info,
  type Message,
} from 'sip.js';
import { completeGatheringOnHostCandidates } from './iceGathering';
import { warmUpWebRtc } from './warmUp';
import { Registration, reportRegistration } from './registration';
import { watchMediaStart } from './mediaWatchdog';
import { SessionDescriptionHandler, defaultSessionDescriptionHandlerFactory, type SessionDescriptionHandlerOptions } from 'sip.js/lib/platform/web';
import { SIPExtension } from 'sip.js/lib/api/user-agent-options';
import { authUserOf, type Account } from '../../shared/settings';
import type { CallRecord } from '../../shared/callHistory';
import { dtmfPattern, toSipUri, userOf } from '../../shared/dialTarget';
import { describeCallFailure } from '../../shared/sipErrors';
import type { AudioEngine, CallLeg } from '../audio/engine';
import type { CallEntry } from './callEntry';
import { Supervision, type SupervisionReply } from './supervision';
import { AgentPresence } from './agentPresence';
import { TeamWatch } from './teamWatch';
import { directContentType, pidfContentType, stateQueryBody } from '../../shared/presence/contentTypes';
import { agentNs } from '../../shared/presence/agentState';
import { superviseHeader, supervisionInfoContentType, supervisionModes, type SupervisionMode } from '../../shared/supervision/modes';
import type { Ringer } from '../audio/ringer';
import { pageLog } from '../diagnostics/pageLog';
import { notify, patchCall, phoneStore, talkedMs, type CallView } from '../store/phoneState';

export interface PhoneEvents {
  /** A call ended; `needsWrapUp` for customer calls the agent handled (not consultations or replaced legs). */
  onCallEnded(record: CallRecord, needsWrapUp: boolean): void;
}

let callSeq = 0;

/**
 * The agent's SIP user agent: registration, calls, transfers. It owns the SIP.js objects and turns
 * their events into store updates; views only call its methods and read the store.
 */
export class Phone {
  private ua: UserAgent | null = null;
  readonly supervision: Supervision;
  /** The team board: this agent's state for supervisors, and (supervisor) the team's. */
  readonly presence: AgentPresence;
  readonly team: TeamWatch;
  private registration: Registration | null = null;
  private account: Account | null = null;
  private readonly calls = new Map<string, CallEntry>();
  private readonly legsBySdh = new WeakMap<object, CallLeg>();
  dtmfMode: 'rfc4733' | 'info' = 'rfc4733';

  constructor(
    private readonly audio: AudioEngine,
    private readonly ringer: Ringer,
    private readonly events: PhoneEvents,
  ) {
    this.supervision = new Supervision({
      calls: this.calls,
      audio,
      account: () => this.account,
      ua: () => this.ua,
      addCall: (session, view, extra) => this.addCall(session, view, extra),
      view: (id) => this.view(id),
      invite: (entry, inviter, what, watch) => this.invite(entry, inviter, what, watch),
      hangup: (id) => this.hangup(id),
      sendDtmf: (id, digit) => this.sendDtmf(id, digit),
      completeAttendedTransfer: (id, consultId) => this.completeAttendedTransfer(id, consultId),
      onTerminated: (entry) => this.onTerminated(entry),
    });
    const board = { ua: () => this.ua, me: () => this.supervision.policy.me() };
    this.presence = new AgentPresence(board);
    this.team = new TeamWatch(board);
  }

  /** The page's WebRTC stack has been run once (see warmUp.ts). */
  private warmedUp = false;

  /** Connects and registers; replaces any earlier account. Resolves once the first attempt settled. */
  async start(account: Account, password: string): Promise<void> {
    // The old registration is on its way out from here: never show it as this account's.
    if (this.ua) reportRegistration('connecting');
    await this.stop();
    this.account = account;
    const uri = UserAgent.makeURI(`sip:${account.extension}@${account.domain}`);
    if (!uri) {
      reportRegistration('failed', `Invalid SIP address sip:${account.extension}@${account.domain}`);
      return;
    }
    // Every call leg's outgoing audio comes from the engine's graph, not straight from getUserMedia.
    const mediaStreamFactory = async (_c: MediaStreamConstraints, sdh: SessionDescriptionHandler) => {
      const entry = [...this.calls.values()].find((e) => e.session.sessionDescriptionHandler === sdh);
      if (entry?.kind === 'supervised') return this.supervision.supervisionLegFor(entry).outgoing;
      let leg = this.legsBySdh.get(sdh);
      if (!leg) {
        // A supervisor's leg sends only the microphone: straight to WebRTC, no Web Audio hop.
        leg = this.audio.createLeg(`leg-${++callSeq}`, { direct: entry?.kind === 'supervising' });
        this.legsBySdh.set(sdh, leg);
        // A supervisor's microphone starts closed: listen mode sends silence.
        if (entry?.kind === 'supervising') leg.setMuted(true);
      }
      return leg.outgoing;
    };
    const baseFactory = defaultSessionDescriptionHandlerFactory(mediaStreamFactory);
    const iceServers: RTCIceServer[] = [];
    const ua = new UserAgent({
      uri,
      displayName: account.displayName || account.extension,
      authorizationUsername: authUserOf(account),
      authorizationPassword: password,
      transportOptions: { server: account.server, connectionTimeout: 5, keepAliveInterval: 20 },
      sessionDescriptionHandlerFactory: (session, options) => {
        const sdh = baseFactory(session, options) as SessionDescriptionHandler;
        completeGatheringOnHostCandidates(sdh, iceServers.length === 0);
        return sdh;
      },
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers },
        // A ceiling, not a wait: without STUN gathering ends in ~0.2 s. An offer sent before any
        // candidate (c=0.0.0.0) is read as hold by B2BUAs such as Asterisk: no audio on a busy PC.
        iceGatheringTimeout: 2000,
      },
      sipExtensionReplaces: SIPExtension.Supported,
      // 180 Ringing is ours to send: never for a supervision request (a supervisor's app reads
      // ringing as "the PBX stripped the request"), only for a call that really rings.
      sendInitialProvisionalResponse: false,
      // We run our own back-off (SIP.js only knows a fixed delay).
      reconnectionAttempts: 0,
      logBuiltinEnabled: false,
      logLevel: 'error',
      // Every SIP message, redacted as it enters the page's ring buffer, for "Collect logs".
      logConnector: pageLog.logConnector,
      delegate: {
        onInvite: (invitation) => this.onInvite(invitation),
        onMessage: (message) => this.onTeamMessage(message),
        onDisconnect: (error) => registration.onDisconnect(error),
        onConnect: () => registration.onConnect(),
      },
    });
    const registration = new Registration(ua, account.server, () => {
      // Signed in, or back after a reconnect (the server may have restarted and forgotten).
      this.presence.start();
      this.team.restart();
    });
    this.ua = ua;
    this.registration = registration;
    if (!this.warmedUp) {
      this.warmedUp = true;
      void warmUpWebRtc({ iceServers });
    }
    await registration.start();
  }

  async stop(): Promise<void> {
    const ua = this.ua;
    const registration = this.registration;
    if (!ua || !registration) return;
    registration.halt();
    // The "signed out" state goes out through the UA (on a B2BUA, by MESSAGE) before it is let go.
    await this.presence.stop().catch(() => undefined);
    this.ua = null;
    this.registration = null;
    try {
      await registration.unregister();
      await ua.stop();
    } catch {
      // Stopping a UA whose transport is already gone: nothing left to clean up remotely.
    }
    reportRegistration('unregistered');
  }

  /** Signs out: no new calls are offered, but calls in progress and the connection stay up. */
  async unregister(): Promise<void> {
    await this.presence.stop();
    await this.registration?.signOut();
  }

  /** Signs back in on the same connection; false when there is none to use. */
  async reregister(): Promise<boolean> {
    return (await this.registration?.signIn()) ?? false;
  }

  // ---- calls -------------------------------------------------------------------------------

  private addCall(
    session: Session,
    view: Pick<CallView, 'direction' | 'remoteUri' | 'remoteName' | 'state' | 'consultFor'> & Partial<Pick<CallView, 'note' | 'kind' | 'supervising'>>,
    extra: { kind?: CallEntry['kind'] } = {},
  ): CallEntry {
    const id = `call-${Date.now().toString(36)}-${++callSeq}`;
    const entry: CallEntry = { id, session, leg: null, holdStartedAt: null, holdMs: 0, transfers: 0, outcome: null, reason: '', ringing: false, replaced: false, kind: extra.kind ?? 'call', supervision: null, supLeg: null, takingOver: false };
    this.calls.set(id, entry);
    // The agent side of a supervision leg is not a call of its own: it shows on the customer call.
    if (entry.kind !== 'supervised') {
      const fresh: CallView = { id, muted: false, startedAt: Date.now(), answeredAt: null, dtmfSent: '', dtmfReceived: '', note: null, kind: 'call', supervising: null, supervisedBy: null, talkBack: false, prompts: [], ...view };
      phoneStore.update((s) => ({ ...s, calls: [...s.calls, fresh] }));
    }
    session.delegate = {
      onBye: (bye) => {
        entry.byeReason = /text="([^"]{0,120})"/.exec(bye.request.getHeader('Reason') ?? '')?.[1] ?? '';
        void bye.accept().catch(() => undefined);
      },
      onRefer: (referral) => this.onRefer(entry, referral),
      onInfo: (info) => this.onInfo(entry, info),
      onMessage: (message) => this.onMessage(entry, message),
    };
    session.stateChange.addListener((state) => this.onSessionState(entry, state));
    return entry;
  }

  /** A connected customer call (not a supervision leg), which a new call puts on hold. */
  private isActiveCall(id: string): boolean {
    const view = this.view(id);
    return view?.kind === 'call' && view.state === 'active';
  }

  private view(id: string): CallView | undefined {
    return phoneStore.get().calls.find((c) => c.id === id);
  }

  private onSessionState(entry: CallEntry, state: SessionState): void {
    if (state === SessionState.Established && entry.kind === 'supervised') {
      this.supervision.supervisedEstablished(entry);
    } else if (state === SessionState.Established) {
      this.stopRinging(entry);
      const sdh = entry.session.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
      const leg = sdh ? this.legsBySdh.get(sdh) ?? null : null;
      entry.leg = leg;
      if (sdh && leg) {
        const tracks = sdh.peerConnection?.getReceivers().map((r) => r.track).filter((t) => t.kind === 'audio') ?? [];
        if (tracks.length) leg.attachRemote(new MediaStream(tracks));
        const sender = sdh.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio');
        if (sender) leg.attachSender(sender);
        const dtmf = sender?.dtmf;
        if (dtmf) {
          // A tone counts as sent when the browser actually starts it on RTP (RFC 4733).
          dtmf.ontonechange = (ev) => {
            if (ev.tone) patchCall(entry.id, { dtmfSent: (this.view(entry.id)?.dtmfSent ?? '') + ev.tone });
          };
        }
      }
      const pc = sdh?.peerConnection;
      if (pc && !entry.stopMediaWatch) {
        entry.stopMediaWatch = watchMediaStart(entry.session, pc, {
          onReoffer: (n) => console.warn(`call ${entry.id}: no audio path ${n === 1 ? '' : 'again '}after answer; re-offered`),
          onGiveUp: () => notify('warning', `No audio path on the call with ${this.view(entry.id)?.remoteName || 'the other party'}: the network or PBX did not connect it. Hang up and call again.`),
        });
      }
      patchCall(entry.id, { state: 'active', answeredAt: Date.now() });
      entry.outcome = 'answered';
      if (entry.kind === 'supervising') this.supervision.applySupervisorMic(entry.id);
    } else if (state === SessionState.Terminated) {
      this.onTerminated(entry);
    }
  }

  private onTerminated(entry: CallEntry): void {
    if (!this.calls.has(entry.id)) return;
    this.calls.delete(entry.id);
    entry.stopMediaWatch?.();
    if (entry.kind === 'supervised') {
      this.supervision.endSupervisedLeg(entry);
      return;
    }
    if (entry.kind === 'supervising') this.supervision.supervisingEnded(entry);
    // A customer call that ends takes its supervision legs with it, except the one the customer is
    // being handed to (takeover): the customer's INVITE with Replaces still has to find that dialog.
    for (const e of this.calls.values()) {
      if (e.kind === 'supervised' && e.supervision?.customerCallId === entry.id && !e.takingOver) void (entry.moving ?? Promise.resolve()).then(() => e.session.bye()).catch(() => undefined);
    }
    this.stopRinging(entry);
    if (entry.holdStartedAt) entry.holdMs += Date.now() - entry.holdStartedAt;
    entry.leg?.dispose();
    const view = this.view(entry.id);
    phoneStore.update((s) => ({ ...s, calls: s.calls.filter((c) => c.id !== entry.id) }));
    if (!view) return;
    const record: CallRecord = {
      id: entry.id,
      direction: view.direction,
      remote: view.remoteUri,
      remoteName: view.remoteName,
      startedAt: new Date(view.startedAt).toISOString(),
      answeredAt: view.answeredAt ? new Date(view.answeredAt).toISOString() : null,
      endedAt: new Date().toISOString(),
      holdSeconds: Math.round(entry.holdMs / 100) / 10,
      transfers: entry.transfers,
      outcome: entry.outcome ?? (view.direction === 'inbound' ? 'missed' : 'cancelled'),
      reason: entry.reason,
      coaching: coachingSummary(view, entry.coachModes),
    };
    const handled = record.answeredAt !== null && (record.outcome === 'answered' || record.outcome === 'transferred');
    // A monitoring leg is not a customer call: kept for its coaching numbers, never wrapped up.
    if (entry.kind === 'supervising') return this.events.onCallEnded(record, false);
    this.events.onCallEnded(record, handled && !view.consultFor && !entry.replaced);
  }

  private stopRinging(entry: CallEntry): void {
    if (entry.ringing) {
      entry.ringing = false;
      this.ringer.stop();
    }
  }

  private onInvite(invitation: Invitation): void {
    const supervise = invitation.request.getHeaders(superviseHeader);
    if (supervise.length > 0) {
      // Two of them is ambiguous (which one did a proxy or the PBX look at?): refused as malformed.
      void this.supervision.onSuperviseInvite(invitation, supervise.length === 1 ? supervise[0] : null);
      return;
    }
    const remote = invitation.remoteIdentity;
    const remoteUri = remote.uri.toString();
    const remoteName = remote.displayName || userOf(remoteUri);
    // An INVITE with Replaces takes the place of a call we already have (attended transfer): answer it.
    if (invitation.replacee) {
      for (const e of this.calls.values()) if (e.session === invitation.replacee) e.replaced = true;
      const entry = this.addCall(invitation, { direction: 'inbound', remoteUri, remoteName, state: 'ringing', consultFor: null, note: 'Transferred to you' });
      void this.acceptInvitation(entry, invitation);
      return;
    }
    const agentState = phoneStore.get().agentState;
    if (agentState !== 'ready') {
      void invitation.reject({ statusCode: 480, reasonPhrase: agentState === 'wrap-up' ? 'Agent In Wrap-up' : 'Agent Not Ready' });
      notify('info', `Call from ${remoteName} was not offered: you are ${agentState === 'wrap-up' ? 'in wrap-up' : 'not ready'}.`);
      return;
    }
    const entry = this.addCall(invitation, { direction: 'inbound', remoteUri, remoteName, state: 'ringing', consultFor: null });
    entry.ringing = true;
    this.ringer.start();
    void invitation.progress().catch(() => undefined);
    invitation.delegate = {
      ...invitation.delegate,
      onCancel: () => {
        entry.outcome = 'missed';
        entry.reason = 'Caller hung up';
      },
    };
  }

  private async acceptInvitation(entry: CallEntry, invitation: Invitation): Promise<void> {
    this.audio.resume();
    try {
      await invitation.accept();
    } catch (e) {
      entry.outcome = 'failed';
      entry.reason = (e as Error).message;
      notify('error', `Could not answer: ${(e as Error).message}`);
    }
  }

  async answer(id: string): Promise<void> {
    const entry = this.calls.get(id);
    if (!entry || !(entry.session instanceof Invitation)) return;
    // Call waiting: answering the second call puts the current one on hold first.
    for (const other of this.calls.values()) {
      if (other !== entry && this.isActiveCall(other.id)) await this.hold(other.id, true);
    }
    this.stopRinging(entry);
    await this.acceptInvitation(entry, entry.session);
  }

  async decline(id: string): Promise<void> {
    const entry = this.calls.get(id);
    if (!entry || !(entry.session instanceof Invitation)) return;
    entry.outcome = 'declined';
    await entry.session.reject({ statusCode: 486 }).catch(() => undefined);
  }

  /** Places a call; with `consultFor`, the new call is the consultation leg of an attended transfer. */
  async dial(input: string, consultFor: string | null = null): Promise<string | null> {
    const ua = this.ua;
    const account = this.account;
    if (!ua || !account) {
      notify('error', 'Not signed in to a SIP server.');
      return null;
    }
    const target = toSipUri(input, account.domain);
    const uri = target ? UserAgent.makeURI(target) : undefined;
    if (!target || !uri) {
      notify('error', `"${input}" is not a number or SIP address that can be dialled.`);
      return null;
    }
    this.audio.resume();
    for (const other of this.calls.values()) {
      if (this.isActiveCall(other.id)) await this.hold(other.id, true);
    }
    const inviter = new Inviter(ua, uri);
    const entry = this.addCall(inviter, { direction: 'outbound', remoteUri: target, remoteName: userOf(target), state: 'dialing', consultFor });
    this.invite(entry, inviter);
    return entry.id;
  }

  /** Sends the INVITE; a rejection is told to the user as `<what>: <reason (code)>`. */
  private invite(
    entry: CallEntry,
    inviter: Inviter,
    what = `Call to ${userOf(inviter.remoteIdentity.uri.toString())}`,
    watch: { onProgress?(statusCode: number): void; quiet?(): boolean } = {},
  ): void {
    inviter
      .invite({
        requestDelegate: {
          onProgress: (response) => watch.onProgress?.(response.message.statusCode ?? 0),
          onReject: (response) => {
            const { statusCode = 0, reasonPhrase = '' } = response.message;
            entry.outcome = 'failed';
            entry.reason = describeCallFailure(statusCode, reasonPhrase);
            if (!watch.quiet?.()) notify('warning', `${what}: ${entry.reason}`);
          },
        },
      })
      .catch((e: Error) => {
        entry.outcome = 'failed';
        entry.reason = e.message;
        notify('error', `Call failed: ${e.message}`);
      });
  }

  async hangup(id: string): Promise<void> {
    const entry = this.calls.get(id);
    if (!entry) return;
    const s = entry.session;
    try {
      if (s.state === SessionState.Established) await s.bye();
      else if (s instanceof Inviter) {
        entry.outcome = 'cancelled';
        await s.cancel();
      } else if (s instanceof Invitation) await this.decline(id);
    } catch (e) {
      notify('error', `Hang up failed: ${(e as Error).message}`);
      // Make sure the call never stays stuck in the UI.
      this.onTerminated(entry);
    }
  }

  async hold(id: string, onHold: boolean): Promise<void> {
    const entry = this.calls.get(id);
    const view = this.view(id);
    if (!entry || !view || entry.session.state !== SessionState.Established) return;
    if ((view.state === 'held') === onHold) return;
    const session = entry.session;
    const options = session.sessionDescriptionHandlerOptionsReInvite as SessionDescriptionHandlerOptions;
    session.sessionDescriptionHandlerOptionsReInvite = { ...options, hold: onHold } as SessionDescriptionHandlerOptions;
    await new Promise<void>((resolve) => {
      session
        .invite({
          requestDelegate: {
            onAccept: () => {
              entry.leg?.setHeld(onHold);
              if (onHold) entry.holdStartedAt = Date.now();
              else if (entry.holdStartedAt) {
                entry.holdMs += Date.now() - entry.holdStartedAt;
                entry.holdStartedAt = null;
              }
              patchCall(id, { state: onHold ? 'held' : 'active' });
              resolve();
            },
            onReject: (r) => {
              session.sessionDescriptionHandlerOptionsReInvite = { ...options, hold: !onHold } as SessionDescriptionHandlerOptions;
              notify('warning', `${onHold ? 'Hold' : 'Resume'} refused (${r.message.statusCode})`);
              resolve();
            },
          },
        })
        .catch((e: Error) => {
          notify('error', `${onHold ? 'Hold' : 'Resume'} failed: ${e.message}`);
          resolve();
        });
    });
  }

  /** What a recording of call `id` needs: its audio leg in the engine and its SIP Call-ID (null once gone). */
  recordingSource(id: string): { legId: string; sipCallId: string } | null {
    const entry = this.calls.get(id);
    if (!entry?.leg || entry.kind !== 'call') return null;
    return { legId: entry.leg.id, sipCallId: (entry.session as Invitation | Inviter).request.callId };
  }

  setMuted(id: string, muted: boolean): void {
    const entry = this.calls.get(id);
    if (!entry) return;
    entry.leg?.setMuted(muted);
    patchCall(id, { muted });
  }

  sendDtmf(id: string, digit: string): void {
    const entry = this.calls.get(id);
    if (!entry || entry.session.state !== SessionState.Established || !dtmfPattern.test(digit)) return;
    if (this.dtmfMode === 'info') {
      void entry.session
        .info({
          requestOptions: {
            body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=160\r\n` },
          },
        })
        .then(() => patchCall(id, { dtmfSent: (this.view(id)?.dtmfSent ?? '') + digit }))
        .catch((e: Error) => notify('error', `DTMF failed: ${e.message}`));
      return;
    }
    const sdh = entry.session.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    const dtmf = sdh?.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio')?.dtmf;
    if (!dtmf?.canInsertDTMF) {
      notify('warning', 'This call cannot send DTMF tones.');
      return;
    }
    // insertDTMF replaces what is still queued, so append to it: fast typing must not drop digits.
    dtmf.insertDTMF(dtmf.toneBuffer + digit, 120, 70);
  }

  /** Blind transfer: the far end is asked to call `target`; our leg ends once it agrees. */
  async blindTransfer(id: string, target: string): Promise<void> {
    const entry = this.calls.get(id);
    const account = this.account;
    if (!entry || !account) return;
    const uri = toSipUri(target, account.domain);
    const parsed = uri ? UserAgent.makeURI(uri) : undefined;
    if (!parsed) {
      notify('error', `"${target}" is not a valid transfer target.`);
      return;
    }
    await this.refer(entry, parsed, `Transferred to ${userOf(uri!)}`, uri!);
  }

  /** Attended transfer: join the held call `id` with the consultation call `consultId` (REFER with Replaces). */
  async completeAttendedTransfer(id: string, consultId: string): Promise<void> {
    const entry = this.calls.get(id);
    const consult = this.calls.get(consultId);
    if (!entry || !consult) return;
    // A takeover hands the call to the supervisor: nothing to follow.
    const movedTo = consult.supervision ? null : (this.view(consultId)?.remoteUri ?? null);
    await this.refer(entry, consult.session, consult.supervision ? `Taken over by ${consult.supervision.supervisor}` : `Transferred to ${this.view(consultId)?.remoteName ?? 'consultation'}`, movedTo);
  }

  private async refer(entry: CallEntry, target: Session | ReturnType<typeof UserAgent.makeURI> & object, note: string, movedTo: string | null): Promise<void> {
    patchCall(entry.id, { state: 'transferring', note: 'Transferring…' });
    await new Promise<void>((resolve) => {
      entry.session
        .refer(target as never, {
          requestDelegate: {
            onAccept: () => {
              entry.transfers++;
              entry.outcome = 'transferred';
              entry.reason = note;
              // Its supervisors are told where it went before their legs end (onTerminated).
              if (movedTo) entry.moving = this.supervision.follow.callMoved(entry.id, movedTo);
              // The transferee now calls the target itself; our leg is no longer needed.
              void entry.session.bye().catch(() => undefined);
              resolve();
            },
            onReject: (r) => {
              patchCall(entry.id, { state: this.view(entry.id)?.answeredAt ? 'held' : 'active', note: null });
              notify('warning', `Transfer refused (${r.message.statusCode} ${r.message.reasonPhrase})`);
              resolve();
            },
          },
        })
        .catch((e: Error) => {
          notify('error', `Transfer failed: ${e.message}`);
          patchCall(entry.id, { state: 'held', note: null });
          resolve();
        });
    });
  }

  /** The far end asked us to call someone else (we are being transferred). */
  private onRefer(entry: CallEntry, referral: Referral): void {
    // Only the far end of a customer call may transfer us; a supervision leg never redirects a call.
    if (!this.ua || entry.kind !== 'call') {
      void referral.reject({ statusCode: 403, reasonPhrase: 'Transfer Not Allowed Here' }).catch(() => undefined);
      return;
    }
    void referral.accept().then(() => {
      const inviter = referral.makeInviter();
      const target = inviter.remoteIdentity.uri.toString();
      const next = this.addCall(inviter, { direction: 'outbound', remoteUri: target, remoteName: userOf(target), state: 'dialing', consultFor: null, note: 'Transferred call' });
      inviter.stateChange.addListener((state) => {
        if (state === SessionState.Established && entry.session.state === SessionState.Established) {
          entry.outcome = 'transferred';
          void entry.session.bye().catch(() => undefined);
        }
      });
      this.invite(next, inviter);
    }).catch((e: Error) => notify('error', `Transfer request failed: ${e.message}`));
  }

  private onInfo(entry: CallEntry, info: Info): void {
    const body = info.request.body ?? '';
    const type = info.request.getHeader('content-type') ?? '';
    if (type.toLowerCase().startsWith(supervisionInfoContentType)) {
      // Answer by the method the other app used: it is the one the PBX between us relays.
      entry.legMethod = 'INFO';
      void this.supervision.onSupervisionRequest(entry, replyTo(info), body);
      return;
    }
    const signal = /signal\s*=\s*([0-9A-D#*])/i.exec(body);
    if (/dtmf-relay/i.test(type) && signal) {
      patchCall(entry.id, { dtmfReceived: (this.view(entry.id)?.dtmfReceived ?? '') + signal[1].toUpperCase() });
      void info.accept();
      return;
    }
    // Unknown INFO packages are refused cleanly (RFC 6086: 469 Bad Info Package).
    void info.reject({ statusCode: 469, reasonPhrase: 'Bad Info Package' });
  }

  /** Out-of-dialog MESSAGE: the team board's agent states and state queries (PBXs with no presence server). */
  private onTeamMessage(message: Message): void {
    const type = (message.request.getHeader('content-type') ?? '').toLowerCase();
    // As the policy names people (a B2BUA may present the sender at its own host name).
    const from = this.supervision.policy.identityOf(message.request.from.uri.toString());
    const body = message.request.body ?? '';
    const plain = type.startsWith(directContentType);
    if ((type.startsWith(pidfContentType) || (plain && body.includes(agentNs))) && this.team.onAgentMessage(from, body)) {
      void message.accept().catch(() => undefined);
      return;
    }
    if (plain && body.trim() === stateQueryBody) {
      void message.accept().catch(() => undefined);
      this.presence.answerQuery(from);
      return;
    }
    void message.reject({ statusCode: 415, reasonPhrase: 'Unsupported Media Type' }).catch(() => undefined);
  }

  /** In-dialog MESSAGE: supervision requests and confirmations (what B2BUA PBXs relay); nothing else. */
  private onMessage(entry: CallEntry, message: Message): void {
    const type = message.request.getHeader('content-type') ?? '';
    if (type.toLowerCase().startsWith(supervisionInfoContentType)) {
      entry.legMethod = 'MESSAGE';
      void this.supervision.onSupervisionRequest(entry, replyTo(message), message.request.body ?? '');
      return;
    }
    void message.reject({ statusCode: 415, reasonPhrase: 'Unsupported Media Type' });
  }
}

/** What the history keeps of a call's coaching: the supervision session's numbers, or the prompts an agent got. */
function coachingSummary(view: CallView, coachModes: ReadonlySet<SupervisionMode> | undefined): CallRecord['coaching'] {
  const sent = view.prompts.filter((p) => !p.failed);
  const acknowledged = sent.filter((p) => p.acknowledged).length;
  const modes = supervisionModes.filter((m) => coachModes?.has(m));
  if (view.supervising) {
    return { role: 'supervisor', with: view.supervising.agent, talkSeconds: Math.round(talkedMs(view.supervising.talked) / 100) / 10, prompts: sent.length, acknowledged, modes };
  }
  if (!sent.length && !modes.length) return undefined;
  const coaches = [...new Set([...sent.map((p) => p.from), ...(view.supervisedBy ? [view.supervisedBy.supervisor] : []), ...(view.takenOverBy ? [view.takenOverBy] : [])])];
  return { role: 'agent', with: coaches.join(', ').slice(0, 512), prompts: sent.length, acknowledged, modes };
}

/** An INFO or MESSAGE as the supervision module answers it. */
function replyTo(request: Info | Message): SupervisionReply {
  return {
    accept: () => void request.accept().catch(() => undefined),
    reject: (statusCode, reasonPhrase) => void request.reject({ statusCode, reasonPhrase }).catch(() => undefined),
  };
}
