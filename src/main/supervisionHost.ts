/**
 * The desktop app's supervision services (bridge.ts: checkSupervision, recordSupervision,
 * signSupervision, verifyAudit), made from injected parts so they run under plain Node: the
 * Electron wiring (index.ts) passes the managed policy watcher, the audit log and the keychain key.
 * Every answer is a value, never a rejection: the renderer gets a refusal or a sentence to show.
 */
import type { AuditCheck, SignedStatement, StatementAsk } from '../shared/bridge';
import { SupervisionGate, type ReplayRecord, type SupervisionAuditEvent, type SupervisionCheck, type SupervisionVerdict } from '../shared/policy/gate';
import type { OrgPolicy } from '../shared/policy/schema';
import { sipIdentityPattern } from '../shared/policy/schema';
import { statementPayloadSchema } from '../shared/policy/statement';
import { AuditLogError, verifyLogFile, type AuditLog } from './audit/log';
import type { SupervisorKey } from './policy/supervisorKey';

export interface SupervisionParts {
  /** The current verified managed policy, or null (none installed, refused). */
  policy: () => OrgPolicy | null;
  /** Loads the managed policy again once (the gate asks when a fresh policy might change its answer). */
  reloadPolicy?: () => Promise<void>;
  auditLog: AuditLog;
  /** Statements already used, on disk (policy/replayRecord.ts): a replay is refused after a restart too. */
  replay?: ReplayRecord;
  /** The supervisor's own key, opened on first use. */
  supervisorKey: () => Promise<SupervisorKey>;
  now?: () => Date;
}

export interface SupervisionServices {
  checkSupervision(check: SupervisionCheck): Promise<SupervisionVerdict>;
  recordSupervision(event: SupervisionAuditEvent): Promise<boolean>;
  signSupervision(ask: StatementAsk): Promise<SignedStatement>;
  verifyAudit(): Promise<AuditCheck>;
}

export function createSupervisionServices(parts: SupervisionParts): SupervisionServices {
  const now = parts.now ?? (() => new Date());
  // One gate for the whole process: its nonce cache is what refuses a replayed statement.
  const gate = new SupervisionGate({
    policy: async () => {
      const policy = parts.policy();
      // The watcher reloads at expiry, but a timer can fire late (sleep): never use an expired policy.
      return policy && Date.parse(policy.expiresAt) > now().getTime() ? policy : null;
    },
    // Resolves only once the entry is on disk (write + fsync): the gate answers after that.
    audit: async (event) => {
      await parts.auditLog.append(event);
    },
    now,
    ...(parts.replay ? { replay: parts.replay } : {}),
    ...(parts.reloadPolicy ? { reloadPolicy: parts.reloadPolicy } : {}),
  });

  return {
    checkSupervision: (check) => gate.check(check),

    async recordSupervision(event) {
      try {
        await parts.auditLog.append(event);
        return true;
      } catch (e) {
        console.error(`Supervision event not recorded: ${errorText(e)}`);
        return false;
      }
    },

    async signSupervision(ask) {
      const sup = ask.sup.trim().toLowerCase();
      const agent = ask.agent.trim().toLowerCase();
      // Checked here so the supervisor reads which field is wrong, not a schema path.
      if (!sipIdentityPattern.test(sup)) return { ok: false, reason: `Your identity "${clip(ask.sup)}" is not a SIP identity of the form user@domain, so no supervision statement can be signed for it.` };
      if (!sipIdentityPattern.test(agent)) return { ok: false, reason: `The agent "${clip(ask.agent)}" is not a SIP identity of the form user@domain, so no supervision statement can be signed for it.` };
      if (!statementPayloadSchema.shape.call.safeParse(ask.binding).success) return { ok: false, reason: 'The call binding is not one a statement can carry (1 to 96 printable characters, no quotes or backslashes).' };
      try {
        const key = await parts.supervisorKey();
        const token = await key.statementFor({ sup, agent, binding: ask.binding, mode: ask.mode, now: now(), ...(ask.nonce ? { nonce: ask.nonce } : {}) });
        return { ok: true, token };
      } catch (e) {
        return { ok: false, reason: `Your supervision key could not sign the request (${errorText(e)}).` };
      }
    },

    async verifyAudit() {
      try {
        return await verifyAudit(parts.auditLog);
      } catch (e) {
        return { ok: false, entries: 0, message: `The audit trail could not be checked (${errorText(e)}).` };
      }
    },
  };
}

async function verifyAudit(log: AuditLog): Promise<AuditCheck> {
  const attempt = async () => {
    // While the log is open, `open()` is a no-op queued behind the pending appends: waiting for it
    // means the file holds no half-written line of ours when it is read.
    if (log.openReport) await log.open().catch(() => undefined);
    const head = log.head;
    try {
      // The head this process last wrote must be in the file: shows entries cut off the end, which
      // a hash chain alone cannot.
      return await verifyLogFile(log.path, head ? { expectHead: head } : {});
    } catch (e) {
      const cause = e instanceof AuditLogError ? (e.cause as NodeJS.ErrnoException | undefined) : undefined;
      if (cause?.code === 'ENOENT' && !head) return null; // nothing recorded yet
      if (cause?.code === 'ENOENT') throw new Error(`the audit log ${log.path} is gone, though this app recorded entries up to seq ${head!.seq} in it`);
      throw e;
    }
  };
  let result = await attempt();
  // An append that began after the wait above can show as a torn last line: look once more.
  if (result && !result.ok && result.firstBad?.problem === 'truncated' && log.openReport) result = await attempt();
  if (!result) return { ok: true, entries: 0, message: '0 entries, chain intact (nothing recorded yet).' };
  const n = result.entries.length;
  const entries = `${n} ${n === 1 ? 'entry' : 'entries'}`;
  const pruned = result.prunedThrough ? ` (entries 1–${result.prunedThrough} removed under the org policy's retention)` : '';
  if (result.ok) return { ok: true, entries: n, message: `${entries}, chain intact${pruned}.` };
  const bad = result.firstBad!;
  return { ok: false, entries: n, message: `The audit trail is broken at line ${bad.line}: ${bad.detail} (${entries} before it verify).` };
}

function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.slice(0, 300) || 'unknown error';
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}
