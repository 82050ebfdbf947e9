import type { OrgPolicyStatus, SupervisionAuditEvent, SupervisionCheck, SupervisionVerdict, WhisperlineBridge } from '../../shared/bridge';
import type { Account } from '../../shared/settings';
import { modesFor } from '../../shared/policy/signedPolicy';
import { callBinding, currentCallBinding } from '../../shared/policy/statement';
import { callerIdentity, normalizeIdentity, presentedIdentity, serverHost, type PresentedCaller } from '../../shared/supervision/identity';
import type { SupervisionMode } from '../../shared/supervision/modes';
import type { Capability } from '../../shared/pbx/profiles';

/** What supervision asks of the host (the bridge): checks, the audit trail, and the supervisor's key. */
export type PolicyHost = Pick<WhisperlineBridge, 'checkSupervision' | 'recordSupervision' | 'signSupervision'>;

/** Before the app has wired its bridge: nothing is allowed, nothing is signed. */
const noHost: PolicyHost = {
  checkSupervision: async () => ({ ok: false, status: 403, reason: 'No Supervision Policy', code: 'no-policy', detail: 'The app is still starting.' }),
  recordSupervision: async () => false,
  signSupervision: async () => ({ ok: false, reason: 'the app is still starting' }),
};

/**
 * The org policy's part in supervision, for the renderer: who this desk is, who a request comes
 * from, what the supervisor's buttons may offer, and the calls to the host that verify, sign and
 * record. The decisions themselves are made by the host (shared/policy/gate.ts).
 */
export class SupervisionPolicy {
  host: PolicyHost = noHost;
  /** The policy as the host last reported it (the supervisor's buttons); null until known. */
  status: OrgPolicyStatus | null = null;

  constructor(private readonly account: () => Account | null) {}

  /** This desk's identity, `user@domain`. */
  me(): string {
    const a = this.account();
    return a ? normalizeIdentity(a.extension, a.domain) : '';
  }

  /** An extension or URI typed or received, as the policy names people. */
  identityOf(target: string): string {
    const a = this.account();
    return a ? presentedIdentity(target, a.domain, [serverHost(a.server)]) : target.trim().toLowerCase();
  }

  /** The modes the policy lets this desk use on `agent`; why not, per mode. */
  allows(agent: string): Record<SupervisionMode, Capability> {
    const s = this.status;
    const allowed = s?.state === 'active' ? modesFor(s.policy, this.me(), this.identityOf(agent)) : [];
    const reason =
      s === null
        ? 'Checking the org policy…'
        : s.state === 'none'
          ? 'No org policy is in force here, so agents’ apps refuse supervision (Settings → Organisation).'
          : `The org policy does not allow you this on ${this.identityOf(agent)}.`;
    const cap = (m: SupervisionMode): Capability => (allowed.includes(m) ? { available: true } : { available: false, reason });
    return { listen: cap('listen'), whisper: cap('whisper'), barge: cap('barge'), takeover: cap('takeover') };
  }

  /** A supervision request's sender as the policy names people (see callerIdentity). */
  callerOf(caller: PresentedCaller): string {
    const a = this.account();
    return a ? callerIdentity(caller, a.domain, [serverHost(a.server)]) : caller.from.trim().toLowerCase();
  }

  async check(step: SupervisionCheck['step'], token: string | null, caller: PresentedCaller, callId: string | null, mode: SupervisionMode, challenge?: string): Promise<SupervisionVerdict> {
    try {
      return await this.host.checkSupervision({ step, token, agentId: this.me(), callId, sipIdentity: this.callerOf(caller), mode, ...(challenge ? { challenge } : {}) });
    } catch (e) {
      return { ok: false, status: 500, reason: 'Supervision Check Failed', code: 'malformed', detail: (e as Error).message };
    }
  }

  record(event: SupervisionAuditEvent): void {
    void this.host.recordSupervision(event).catch(() => false);
  }

  /** A statement for asking `mode` on `agent`'s call: the current call for a join, else the reported binding. */
  /** `nonce`: the agent's challenge being answered. */
  async sign(agent: string, mode: SupervisionMode, binding: string = currentCallBinding, nonce?: string): Promise<{ token: string } | { error: string }> {
    try {
      const r = await this.host.signSupervision({ sup: this.me(), agent: this.identityOf(agent), binding, mode, ...(nonce ? { nonce } : {}) });
      return r.ok ? { token: r.token } : { error: r.reason };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  /** How the agent's app names a customer call in statements (reported to the supervisor). */
  bindingOf(callId: string): Promise<string> {
    return callBinding(callId);
  }
}
