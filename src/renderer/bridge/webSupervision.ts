// The web build's side of supervision policy: the same gate as the desktop app (shared/policy/gate),
// run in the page against the policy published by the hosting server, and an audit trail in this
// browser profile. A page cannot fsync, so "durable" here means "in localStorage before the answer";
// the desktop app keeps the real append-only file (README → For IT).
import type { AuditCheck, OrgPolicyStatus, SignedStatement, StatementAsk, SupervisionAuditEvent, WhisperlineBridge } from '../../shared/bridge';
import { canonicalJson } from '../../shared/policy/canonical';
import { SupervisionGate, type ReplayRecord } from '../../shared/policy/gate';
import type { OrgPolicy } from '../../shared/policy/schema';
import { makeStatementPayload, signStatement } from '../../shared/policy/statement';
import { fetchOrgPolicy, webSupervisorKeyPair } from './webOrg';

type Entry = SupervisionAuditEvent & { seq: number; at: string; prevHash: string; hash: string };
const genesis = '0'.repeat(64);
/** Oldest entries go first past this many: localStorage is a few MB per site. */
const maxEntries = 5000;

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const hashOf = (entry: Omit<Entry, 'hash'>) => sha256Hex(canonicalJson(entry));

/**
 * Statements this browser profile accepted, until each could no longer pass the expiry check: a
 * reload does not reopen a replay. In localStorage before the gate answers; a damaged value is
 * started afresh (the challenge still stops a replay), a full one refuses the request.
 */
export function webReplayRecord(storage: Storage, key: string): ReplayRecord {
  const read = (): Record<string, number> => {
    try {
      const v = JSON.parse(storage.getItem(key) ?? '{}') as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, number>) : {};
    } catch {
      return {};
    }
  };
  return {
    load: async () => Object.entries(read()).filter(([, t]) => Number.isSafeInteger(t)).map(([k, forgetAfterSec]) => ({ key: k, forgetAfterSec })),
    remember: async (k, forgetAfterSec) => {
      const now = Math.floor(Date.now() / 1000);
      const live = Object.fromEntries(Object.entries(read()).filter(([, t]) => Number.isSafeInteger(t) && t >= now));
      live[k] = forgetAfterSec;
      storage.setItem(key, JSON.stringify(live));
    },
  };
}

type Methods = Pick<WhisperlineBridge, 'getOrgPolicy' | 'checkSupervision' | 'recordSupervision' | 'signSupervision' | 'verifyAudit'>;

export function createWebSupervision(storage: Storage, profile: string): Methods {
  const auditKey = `whisperline${profile}.audit`;
  // One copy of the published policy for the page's status and the gate: a policy IT replaced or
  // withdrew takes effect on the app's next look (every minute, or "Check the policy again").
  const inForce = (s: OrgPolicyStatus): OrgPolicy | null => (s.state === 'active' ? s.policy : null);
  let policy: Promise<OrgPolicy | null> | null = null;
  const fetchStatus = (): Promise<OrgPolicyStatus> => {
    const status = fetchOrgPolicy();
    policy = status.then(inForce);
    return status;
  };
  const loadPolicy = () => fetchStatus().then(inForce);
  // One append at a time: each entry names the hash of the one before.
  let tail: Promise<unknown> = Promise.resolve();

  const read = (): Entry[] => {
    const text = storage.getItem(auditKey);
    return text ? (JSON.parse(text) as Entry[]) : [];
  };
  const append = (event: SupervisionAuditEvent): Promise<void> => {
    const run = tail.then(async () => {
      const entries = read();
      const prev = entries[entries.length - 1];
      const body = { ...event, seq: (prev?.seq ?? 0) + 1, at: new Date().toISOString(), prevHash: prev?.hash ?? genesis };
      entries.push({ ...body, hash: await hashOf(body) });
      // Thrown when storage is full: the gate then refuses (nothing happens unrecorded).
      storage.setItem(auditKey, JSON.stringify(entries.slice(-maxEntries)));
    });
    tail = run.catch(() => undefined);
    return run;
  };
  const gate = new SupervisionGate({
    policy: () => policy ?? loadPolicy(),
    reloadPolicy: async () => void (await loadPolicy()),
    audit: append,
    replay: webReplayRecord(storage, `whisperline${profile}.usedStatements`),
  });

  return {
    getOrgPolicy: fetchStatus,
    checkSupervision: (check) => gate.check(check),
    async recordSupervision(event) {
      return append(event).then(
        () => true,
        () => false,
      );
    },
    async signSupervision(ask: StatementAsk): Promise<SignedStatement> {
      try {
        const { pair } = await webSupervisorKeyPair(`supervisor${profile}`);
        const payload = await makeStatementPayload({ sup: ask.sup, agent: ask.agent, binding: ask.binding, mode: ask.mode, now: new Date(), ...(ask.nonce ? { nonce: ask.nonce } : {}) });
        return { ok: true, token: await signStatement(payload, pair) };
      } catch (e) {
        return { ok: false, reason: `This browser could not sign the request (${(e as Error).message}).` };
      }
    },
    async verifyAudit(): Promise<AuditCheck> {
      let entries: Entry[];
      try {
        entries = read();
      } catch {
        return { ok: false, entries: 0, message: 'The audit trail in this browser is not readable (edited by hand?).' };
      }
      // Entries cut off the front (the oldest, past maxEntries) start the chain at a later link.
      for (let i = 0; i < entries.length; i++) {
        const { hash, ...body } = entries[i];
        const prev = entries[i - 1];
        if (prev && (body.prevHash !== prev.hash || body.seq !== prev.seq + 1)) return { ok: false, entries: entries.length, message: `Entry ${body.seq} does not follow entry ${prev.seq}: removed or reordered entries.` };
        if ((await hashOf(body)) !== hash) return { ok: false, entries: entries.length, message: `Entry ${body.seq} was changed after it was written.` };
      }
      return { ok: true, entries: entries.length, message: `${entries.length} entries, chain intact.` };
    },
  };
}
