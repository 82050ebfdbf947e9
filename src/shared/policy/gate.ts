/**
 * The agent's side of "who may supervise whom": every supervision request (a join, the answer to
 * its challenge, and each change of mode) is checked here against the verified org policy, and
 * every grant and refusal is written to the audit trail BEFORE the answer goes back, so nothing is
 * allowed that was not recorded. One implementation for both hosts: the desktop app runs it in the
 * main process (managed policy, durable audit log), the web build in the page (policy from the
 * hosting server).
 *
 * A join that passes is not yet a grant: it gets a challenge (challenges.ts) that only the
 * supervisor's enrolled key can answer, and the join is granted (and recorded) with the answer.
 * Statements already used are remembered durably (`replay`), so a captured one is also refused
 * outright after a restart, for as long as it could otherwise pass.
 */
import type { SupervisionMode } from '../supervision/modes';
import { ChallengeBook } from './challenges';
import type { OrgPolicy } from './schema';
import { modesFor } from './signedPolicy';
import { NonceCache, parseStatementToken, statementRefusals, verifyStatement, type StatementRefusalCode } from './statement';

/** What the agent's app asks its host about one incoming supervision request. */
export interface SupervisionCheck {
  /** A join (the INVITE), the answer to the join's challenge, or a change of mode on a running supervision leg. */
  step: 'join' | 'proof' | 'mode';
  /** The statement token from the request (`stmt=` in the header, `stmt` in a MESSAGE body). */
  token: string | null;
  /** This agent, `user@domain`. */
  agentId: string;
  /** SIP Call-ID of the agent's customer call the request is about; null when the agent is on none. */
  callId: string | null;
  /** The requester as the PBX presented it, normalised to `user@domain`. */
  sipIdentity: string;
  mode: SupervisionMode;
  /** For `proof`: the challenge this app sent on the leg (what the join's verdict gave it). */
  challenge?: string;
}

export type SupervisionGateCode = StatementRefusalCode | 'audit-unavailable';

/** What the agent is shown of a supervision: the org policy's rule, not the agent's own choice. */
export type AgentNotice = OrgPolicy['agentNotice'];

export type SupervisionVerdict =
  | {
      ok: true;
      supervisor: string;
      keyLabel: string;
      modes: SupervisionMode[];
      notice: AgentNotice;
      /** A join: the challenge to send on the leg; nothing is granted until it is answered (step `proof`). */
      challenge?: string;
    }
  | { ok: false; status: number; reason: string; code: SupervisionGateCode; detail: string };

/** What both apps record (the audit log's event, without the chain fields). */
export interface SupervisionAuditEvent {
  actor: string;
  subject: string;
  call: string;
  action: 'join' | 'mode' | 'prompt' | 'leave' | 'takeover' | 'refusal';
  mode?: SupervisionMode;
  durationMs?: number;
  result: 'ok' | 'refused' | 'failed';
  reason?: string;
}

/** Statements already used, kept where a restart or reload finds them (desktop: a file; web: the browser profile). */
export interface ReplayRecord {
  /** What was recorded and may still be live; never throws for a damaged entry (it is skipped). */
  load(): Promise<Array<{ key: string; forgetAfterSec: number }>>;
  /** Resolves once it is durable; throws when it could not be kept (full disk). */
  remember(key: string, forgetAfterSec: number): Promise<void>;
}

export interface GateHost {
  /** The verified policy in force, or null (none, refused, expired): then nothing is allowed. */
  policy(): Promise<OrgPolicy | null>;
  /** Appends durably; throws when it could not (disk full, log damaged). */
  audit(event: SupervisionAuditEvent): Promise<void>;
  /** Without one, used statements are remembered for this process only (the challenge still holds). */
  replay?: ReplayRecord;
  now?(): Date;
}

/** Refusals that a policy published a moment ago might turn into an answer: look again once. */
const worthReloading = new Set<SupervisionGateCode>(['no-policy', 'key-not-enrolled', 'agent-outside-scope', 'mode-not-allowed']);

/** At most one policy reload per this long: a flood of junk requests must not become a flood of reloads. */
export const minReloadIntervalMs = 2000;

export class SupervisionGate {
  private readonly nonces = new NonceCache();
  private readonly challenges = new ChallengeBook();
  private replayLoaded: Promise<void> | null = null;
  private lastReload = -Infinity;

  constructor(private readonly host: GateHost & { reloadPolicy?(): Promise<void> }) {}

  /** Never throws: a failure to check is a refusal (500), recorded when the trail allows. */
  async check(req: SupervisionCheck): Promise<SupervisionVerdict> {
    try {
      return await this.checkOrThrow(req);
    } catch (e) {
      // Only a bug gets here (audit and policy errors are answered below). The shared codes have no
      // "internal error", so 'malformed' stands in; status 500 and the reason say what happened.
      const detail = `The supervision request could not be checked (${(e as Error)?.message ?? String(e)}).`.slice(0, 300);
      const event: SupervisionAuditEvent = { actor: req?.sipIdentity || '-', subject: req?.agentId || '-', call: req?.callId ?? '-', action: 'refusal', ...(req?.mode ? { mode: req.mode } : {}), result: 'refused', reason: `500 Supervision Check Failed: ${detail}` };
      await Promise.resolve()
        .then(() => this.host.audit(event))
        .catch(() => undefined);
      return refusal('malformed', 500, 'Supervision Check Failed', detail);
    }
  }

  private async checkOrThrow(req: SupervisionCheck): Promise<SupervisionVerdict> {
    let verdict = await this.verify(req);
    const now = Date.now();
    // Not for an answer: its challenge was taken by the first look.
    if (!verdict.ok && req.step !== 'proof' && worthReloading.has(verdict.code) && this.host.reloadPolicy && now - this.lastReload >= minReloadIntervalMs) {
      this.lastReload = now;
      await this.host.reloadPolicy().catch(() => undefined);
      verdict = await this.verify(req);
    }
    // A join that passed grants nothing yet: it is recorded with its answer (granted or refused).
    if (verdict.ok && req.step === 'join') return verdict;
    const claimed = verdict.ok ? verdict.supervisor : req.sipIdentity;
    const action = req.step === 'mode' ? (req.mode === 'takeover' ? 'takeover' : 'mode') : 'join';
    const event: SupervisionAuditEvent = verdict.ok
      ? { actor: claimed, subject: req.agentId, call: req.callId ?? '-', action, mode: req.mode, result: 'ok' }
      : { actor: claimed, subject: req.agentId, call: req.callId ?? '-', action: 'refusal', mode: req.mode, result: 'refused', reason: `${verdict.status} ${verdict.reason}: ${verdict.detail}` };
    try {
      await this.host.audit(event);
    } catch (e) {
      // Not recorded, so not allowed: a supervision that leaves no trace must not happen.
      return refusal('audit-unavailable', 503, 'Audit Log Unavailable', `The audit trail could not be written (${(e as Error).message}).`);
    }
    return verdict;
  }

  /** Statements used before this start (restart, reload), once; a failure to read is tried again next time. */
  private loadReplayRecord(): Promise<void> {
    const record = this.host.replay;
    if (!record) return Promise.resolve();
    this.replayLoaded ??= record.load().then(
      (seen) => {
        const nowSec = Math.floor((this.host.now?.() ?? new Date()).getTime() / 1000);
        for (const s of seen) if (s.forgetAfterSec >= nowSec) this.nonces.add(s.key, s.forgetAfterSec, nowSec);
      },
      (e: unknown) => {
        this.replayLoaded = null;
        throw e;
      },
    );
    return this.replayLoaded;
  }

  private async verify(req: SupervisionCheck): Promise<SupervisionVerdict> {
    try {
      await this.loadReplayRecord();
    } catch (e) {
      return refusal('replay-record-unavailable', 503, statementRefusals['replay-record-unavailable'].reason, `The record of used statements could not be read (${(e as Error).message}), so a replay cannot be ruled out.`);
    }
    let policy: OrgPolicy | null;
    try {
      policy = await this.host.policy();
    } catch {
      policy = null;
    }
    const nowDate = this.host.now?.() ?? new Date();
    const pending = req.step === 'proof' ? this.takeChallenge(req, nowDate) : null;
    if (pending && 'ok' in pending) return pending;
    const v = await verifyStatement(req.token ?? '', {
      policy,
      agentId: req.agentId,
      callId: req.callId,
      sipIdentity: req.sipIdentity,
      requestedMode: pending?.mode ?? req.mode,
      now: nowDate,
      seenNonces: this.nonces,
      allowCurrentCall: req.step === 'join',
    });
    if (!v.ok) return { ok: false, status: v.status, reason: v.reason, code: v.code, detail: v.detail };
    // verifyStatement allows nothing without a policy; the policy that allowed this request also says what the agent is shown.
    if (!policy) return refusal('no-policy', 403, 'No Supervision Policy', 'This app has no valid org policy, so it allows no supervision.');
    if (pending && (v.statement.sup !== pending.sup || v.publicKey !== pending.publicKey)) return unproven('The challenge was answered by another key than the one that asked to join.');
    try {
      await this.host.replay?.remember(v.seen.key, v.seen.forgetAfterSec);
    } catch (e) {
      return refusal('replay-record-unavailable', 503, statementRefusals['replay-record-unavailable'].reason, `The statement could not be recorded as used (${(e as Error).message}), so it could be replayed later.`);
    }
    const granted = { ok: true as const, supervisor: v.statement.sup, keyLabel: v.keyLabel, modes: modesFor(policy, v.statement.sup, req.agentId), notice: { ...policy.agentNotice } };
    if (req.step !== 'join' || req.callId === null) return granted;
    return { ...granted, challenge: this.challenges.issue({ sup: v.statement.sup, agent: v.statement.agent, callId: req.callId, mode: req.mode, publicKey: v.publicKey }, nowDate.getTime()) };
  }

  /** The join an answer is for: its challenge must be one this gate made, still open, for this call, and carried as the statement's nonce. */
  private takeChallenge(req: SupervisionCheck, now: Date): { sup: string; publicKey: string; mode: SupervisionMode } | SupervisionVerdict {
    const pending = req.challenge ? this.challenges.take(req.challenge, now.getTime()) : null;
    if (!pending) return unproven('The challenge is unknown or no longer open (answered already, expired, or made before this app restarted).');
    if (req.token === null) return unproven("The supervisor's app did not answer the challenge (a request replayed from the wire cannot).");
    if (pending.callId !== req.callId || pending.agent !== req.agentId.trim().toLowerCase()) return unproven('The challenge was made for another call.');
    const parsed = parseStatementToken(req.token);
    if (parsed.ok && parsed.payload.nonce !== req.challenge) return unproven('The answer is not signed for this challenge.');
    return pending;
  }
}

function unproven(detail: string): SupervisionVerdict {
  return refusal('unproven', 403, statementRefusals.unproven.reason, detail);
}

function refusal(code: SupervisionGateCode, status: number, reason: string, detail: string): SupervisionVerdict {
  return { ok: false, status, reason, code, detail };
}
