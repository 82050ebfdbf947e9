/**
 * The signed org policy the service decides by: the same file IT pushes to the desks, verified with
 * the admin's public key like the desks verify it. Read again when the file changes (looked at no
 * more than every `checkMs`), so enrolling a key or moving an agent takes effect without a restart.
 * A file that stops verifying leaves the service refusing everything with the reason: it never falls
 * back to an older, wider policy.
 */
import { readFile, stat } from 'node:fs/promises';
import type { OrgPolicy } from '../shared/policy/schema';
import { verifySignedPolicy } from '../shared/policy/signedPolicy';

export type PolicyState = { ok: true; policy: OrgPolicy; keyId: string } | { ok: false; reason: string };

export interface PolicySource {
  current(): Promise<PolicyState>;
}

export function filePolicySource(policyPath: string, adminKeyPath: string, options: { checkMs?: number; now?: () => Date } = {}): PolicySource {
  const checkMs = options.checkMs ?? 2000;
  const now = options.now ?? (() => new Date());
  let state: PolicyState = { ok: false, reason: 'The org policy has not been read yet.' };
  let seen = '';
  let checkedAt = 0;
  let verifiedAt = 0;
  let loading: Promise<PolicyState> | null = null;

  const load = async (): Promise<PolicyState> => {
    try {
      const [p, k] = await Promise.all([stat(policyPath), stat(adminKeyPath)]);
      const stamp = `${p.mtimeMs}:${p.size}:${k.mtimeMs}:${k.size}`;
      // Expiry is a matter of time, not of the file: verify again anyway once a minute.
      if (stamp === seen && state.ok && Date.now() - verifiedAt < 60_000) return state;
      const [text, adminKey] = await Promise.all([readFile(policyPath, 'utf8'), readFile(adminKeyPath, 'utf8')]);
      const v = await verifySignedPolicy(text, adminKey.trim(), now());
      seen = stamp;
      verifiedAt = Date.now();
      state = v.ok ? { ok: true, policy: v.policy, keyId: v.keyId } : { ok: false, reason: `The org policy ${policyPath} is not in force: ${v.reason}` };
    } catch (e) {
      state = { ok: false, reason: `Cannot read the org policy (${(e as Error).message}).` };
    }
    return state;
  };

  return {
    current() {
      if (Date.now() - checkedAt < checkMs && !loading) return Promise.resolve(state);
      loading ??= load().finally(() => {
        checkedAt = Date.now();
        loading = null;
      });
      return loading;
    },
  };
}

/** A fixed policy (tests, the demo, where the service runs beside the code that signed it). */
export function fixedPolicySource(get: () => PolicyState): PolicySource {
  return { current: async () => get() };
}
