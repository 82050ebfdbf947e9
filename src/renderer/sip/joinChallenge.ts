import { SessionState } from 'sip.js';
import type { SupervisionVerdict } from '../../shared/bridge';
import { parseChallengeMessage } from '../../shared/supervision/challenge';
import { parseSupervisionInfo } from '../../shared/supervision/modes';
import { notify } from '../store/phoneState';
import type { CallEntry } from './callEntry';
import { sendLegMessage, type SupervisionReply } from './supervisionCore';
import type { SupervisionPolicy } from './supervisionPolicy';

/** How long the agent's app waits for the answer before it hangs the leg up (the supervisor gives up at 6 s too). */
export const proofCeilingMs = 6000;
/**
 * The challenge is asked again until answered, soon at first and then less often: a B2BUA drops an
 * in-dialog request that arrives before it has bridged the two calls (FreeSWITCH relays INFO only to
 * a bridged partner, and the first challenge leaves with the 200 OK, before the ACK). Each entry is
 * the wait before the next repeat; the last one repeats until the ceiling.
 */
export const challengeRepeatMs = [150, 300, 600, 1000];

/**
 * The agent's side of a join's challenge (shared/supervision/challenge.ts). The leg is answered
 * with nothing of the call connected to it; this sends the challenge (again whenever the
 * supervisor's app repeats its request, since a B2BUA can drop a MESSAGE that overtakes the 200 OK),
 * checks the answer through the gate, and admits the leg only then. No answer within
 * `proofCeilingMs`, a wrong answer, or a leg that ends first: refused, recorded, hung up.
 */
export class JoinChallenge {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly repeats = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly policy: SupervisionPolicy,
    /** The answer passed: route the leg, tell the agent, confirm to the supervisor. */
    private readonly onProven: (entry: CallEntry, verdict: Extract<SupervisionVerdict, { ok: true }>) => void,
  ) {}

  /** The leg is up: ask, and start the ceiling. */
  start(entry: CallEntry): void {
    if (!entry.supervision?.challenge || this.timers.has(entry.id)) return;
    this.send(entry);
    this.timers.set(entry.id, setTimeout(() => void this.settle(entry, null), proofCeilingMs));
    this.repeat(entry, 0);
  }

  private repeat(entry: CallEntry, n: number): void {
    const wait = challengeRepeatMs[Math.min(n, challengeRepeatMs.length - 1)];
    this.repeats.set(
      entry.id,
      setTimeout(() => {
        if (!entry.supervision?.challenge || entry.session.state === SessionState.Terminated) return;
        if (entry.session.state === SessionState.Established) this.send(entry);
        this.repeat(entry, n + 1);
      }, wait),
    );
  }

  private send(entry: CallEntry): void {
    const sup = entry.supervision;
    if (!sup?.challenge) return;
    void sendLegMessage(entry, { type: 'challenge', challenge: sup.challenge, call: sup.binding, mode: sup.mode }).catch(() => undefined);
  }

  /** Anything on a leg not yet proven: only the answer counts; a repeated request gets the challenge again. */
  async onMessage(entry: CallEntry, reply: SupervisionReply, body: string): Promise<void> {
    const message = parseChallengeMessage(body);
    if (message?.type !== 'proof') {
      // The supervisor's app repeats its request until it hears from us: that is the cue to ask again.
      if (parseSupervisionInfo(body)?.type === 'mode') {
        reply.accept();
        this.send(entry);
      } else reply.reject(403, 'Supervision Not Proven');
      return;
    }
    await this.settle(entry, message.stmt, reply);
  }

  /** Checks an answer (null: none came); admits the leg, or refuses it and hangs up. */
  private async settle(entry: CallEntry, token: string | null, reply?: SupervisionReply): Promise<void> {
    const sup = entry.supervision;
    if (!sup?.challenge) return reply?.accept();
    const challenge = sup.challenge;
    // One answer per challenge: the gate takes it on the first look.
    sup.challenge = undefined;
    clearTimeout(this.timers.get(entry.id));
    this.timers.delete(entry.id);
    clearTimeout(this.repeats.get(entry.id));
    this.repeats.delete(entry.id);
    const verdict = await this.policy.check('proof', token, sup.caller, sup.callId, sup.mode, challenge);
    if (verdict.ok) {
      reply?.accept();
      if (entry.session.state === SessionState.Established) this.onProven(entry, verdict);
      return;
    }
    reply?.reject(verdict.status, verdict.reason);
    if (token !== null || entry.session.state === SessionState.Established) notify('warning', `Refused a supervision request from ${sup.supervisor}: ${verdict.reason}.`);
    if (entry.session.state === SessionState.Established) {
      void entry.session.bye({ requestOptions: { extraHeaders: [`Reason: SIP ;cause=${verdict.status} ;text="${verdict.reason}"`] } }).catch(() => undefined);
    }
  }

  /** The leg ended before it was proven: that join is recorded as refused. */
  legEnded(entry: CallEntry): void {
    if (entry.supervision?.challenge) void this.settle(entry, null);
  }
}
