/**
 * The agent's side of "who may supervise whom": every supervision request (a join, and each change
 * of mode) is checked here against the verified org policy, and every outcome is written to the
 * audit trail BEFORE the answer goes back, so nothing is allowed that was not recorded. One
 * implementation for both hosts: the desktop app runs it in the main process (managed policy,
 * durable audit log), the web build in the page (policy from the hosting server).
 */
import type { SupervisionMode } from '../supervision/modes';
import type { OrgPolicy } from './schema';
import { modesFor } from './signedPolicy';
import { NonceCache, verifyStatement, type StatementRefusalCode } from './statement';

/** What the agent's app asks its host about one incoming supervision request. */
export interface SupervisionCheck {
  /** A join (the INVITE) or a change of mode on a running supervision leg. */
  step: 'join' | 'mode';
  /** The statement token from the request (`stmt=` in the header, `stmt` in a MESSAGE body). */
  token: string | null;
  /** This agent, `user@domain`. */
  agentId: string;
  /** SIP Call-ID of the agent's customer call the request is about; null when the agent is on none. */
  callId: string | null;
  /** The requester as the PBX presented it, normalised to `user@domain`. */
  sipIdentity: string;
  mode: SupervisionMode;
}

export type SupervisionGateCode = StatementRefusalCode | 'audit-unavailable';

/** What the agent is shown of a supervision: the org policy's rule, not the agent's own choice. */
export type AgentNotice = OrgPolicy['agentNotice'];

export type SupervisionVerdict =
  | { ok: true; supervisor: string; keyLabel: string; modes: SupervisionMode[]; notice: AgentNotice }
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

export interface GateHost {
  /** The verified policy in force, or null (none, refused, expired): then nothing is allowed. */
  policy(): Promise<OrgPolicy | null>;
  /** Appends durably; throws when it could not (disk full, log damaged). */
  audit(event: SupervisionAuditEvent): Promise<void>;
  now?(): Date;
}

/** Refusals that a policy published a moment ago might turn into an answer: look again once. */
const worthReloading = new Set<SupervisionGateCode>(['no-policy', 'key-not-enrolled', 'agent-outside-scope', 'mode-not-allowed']);

/** At most one policy reload per this long: a flood of junk requests must not become a flood of reloads. */
export const minReloadIntervalMs = 2000;

export class SupervisionGate {
  private readonly nonces = new NonceCache();
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
    if (!verdict.ok && worthReloading.has(verdict.code) && this.host.reloadPolicy && now - this.lastReload >= minReloadIntervalMs) {
      this.lastReload = now;
      await this.host.reloadPolicy().catch(() => undefined);
      verdict = await this.verify(req);
    }
    const claimed = verdict.ok ? verdict.supervisor : req.sipIdentity;
    const event: SupervisionAuditEvent = verdict.ok
      ? { actor: claimed, subject: req.agentId, call: req.callId ?? '-', action: req.step === 'mode' && req.mode === 'takeover' ? 'takeover' : req.step, mode: req.mode, result: 'ok' }
      : { actor: claimed, subject: req.agentId, call: req.callId ?? '-', action: 'refusal', mode: req.mode, result: 'refused', reason: `${verdict.status} ${verdict.reason}: ${verdict.detail}` };
    try {
      await this.host.audit(event);
    } catch (e) {
      // Not recorded, so not allowed: a supervision that leaves no trace must not happen.
      return refusal('audit-unavailable', 503, 'Audit Log Unavailable', `The audit trail could not be written (${(e as Error).message}).`);
    }
    return verdict;
  }

  private async verify(req: SupervisionCheck): Promise<SupervisionVerdict> {
    let policy: OrgPolicy | null;
    try {
      policy = await this.host.policy();
    } catch {
      policy = null;
    }
    const v = await verifyStatement(req.token ?? '', {
      policy,
      agentId: req.agentId,
      callId: req.callId,
      sipIdentity: req.sipIdentity,
      requestedMode: req.mode,
      now: this.host.now?.() ?? new Date(),
      seenNonces: this.nonces,
      allowCurrentCall: req.step === 'join',
    });
    if (!v.ok) return { ok: false, status: v.status, reason: v.reason, code: v.code, detail: v.detail };
    // verifyStatement allows nothing without a policy; the policy that allowed this request also says what the agent is shown.
    if (!policy) return refusal('no-policy', 403, 'No Supervision Policy', 'This app has no valid org policy, so it allows no supervision.');
    return { ok: true, supervisor: v.statement.sup, keyLabel: v.keyLabel, modes: modesFor(policy, v.statement.sup, req.agentId), notice: { ...policy.agentNotice } };
  }
}

function refusal(code: SupervisionGateCode, status: number, reason: string, detail: string): SupervisionVerdict {
  return { ok: false, status, reason, code, detail };
}
