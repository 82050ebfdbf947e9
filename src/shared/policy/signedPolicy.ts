/**
 * The signed policy file and the questions the apps ask of a verified policy.
 *
 * File: `{ "policy": {...}, "signature": "<base64 Ed25519 signature>", "keyId": "<optional>" }`, the
 * signature made with the org's admin key over canonicalJson(policy) as UTF-8. Verification uses
 * WebCrypto, so this module runs unchanged in the agent's renderer, the web build and Node (admin CLI).
 * Whatever fails, the answer is a refusal with a reason; the caller falls back to "no supervision".
 */
import { supervisionModes, type SupervisionMode } from '../supervision/modes';
import { base64ToBytes, bytesToBase64, bytesToBase64Url, canonicalBytes } from './canonical';
import { maxPolicyChars, parsePolicy, type OrgPolicy, type Person, type SupervisorKey, type Team, type TeamScope } from './schema';

const ed25519 = { name: 'Ed25519' } as const;

export interface SignedPolicyFile {
  policy: unknown;
  signature: string;
  /** keyIdOf(admin public key): lets a refusal say "signed with another key" instead of "tampered". */
  keyId?: string;
}

export type PolicyRefusalCode = 'too-large' | 'not-json' | 'wrong-shape' | 'bad-admin-key' | 'other-key' | 'bad-signature' | 'schema-invalid' | 'not-yet-valid' | 'expired';
export type PolicyVerification = { ok: true; policy: OrgPolicy; keyId: string } | { ok: false; code: PolicyRefusalCode; reason: string };

/** What is signed: one definition for the CLI (Node crypto) and for WebCrypto signers. */
export function policySigningBytes(policy: unknown): Uint8Array<ArrayBuffer> {
  return canonicalBytes(policy);
}

/** Short, stable name of a public key: base64url of the first 12 bytes of SHA-256(raw key). */
export async function keyIdOf(publicKey: Uint8Array<ArrayBuffer> | string): Promise<string> {
  const raw = typeof publicKey === 'string' ? base64ToBytes(publicKey.trim()) : publicKey;
  if (!raw || raw.length !== 32) throw new TypeError('not a raw 32-byte Ed25519 public key');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
  return bytesToBase64Url(digest.subarray(0, 12));
}

/** null when the bytes are not an Ed25519 public key WebCrypto accepts. */
export async function importVerifyKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey | null> {
  if (raw.length !== 32) return null;
  try {
    return await crypto.subtle.importKey('raw', raw, ed25519, false, ['verify']);
  } catch {
    return null;
  }
}

/** A verification error (malformed key material) is a failed verification, never an exception. */
export async function ed25519Verify(key: CryptoKey, signature: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  if (signature.length !== 64) return false;
  try {
    return await crypto.subtle.verify(ed25519, key, signature, data);
  } catch {
    return false;
  }
}

/** Signs with a WebCrypto key (tests, tools); the admin CLI signs the same bytes with Node's crypto. */
export async function signPolicy(policy: unknown, privateKey: CryptoKey, publicKeyB64: string): Promise<SignedPolicyFile> {
  const sig = new Uint8Array(await crypto.subtle.sign(ed25519, privateKey, policySigningBytes(policy)));
  return { policy, signature: bytesToBase64(sig), keyId: await keyIdOf(publicKeyB64) };
}

const refuse = (code: PolicyRefusalCode, reason: string): PolicyVerification => ({ ok: false, code, reason });

/**
 * `now` decides expiry; `skewSeconds` (default 300) tolerates a desktop clock a little behind the
 * admin's when a policy was just issued. Never throws.
 */
export async function verifySignedPolicy(text: string, adminPublicKeyB64: string, now: Date, options: { skewSeconds?: number } = {}): Promise<PolicyVerification> {
  if (typeof text !== 'string') return refuse('wrong-shape', 'The policy is not text.');
  if (text.length > maxPolicyChars) return refuse('too-large', `The policy file is larger than ${maxPolicyChars} characters.`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return refuse('not-json', `The policy file is not JSON (${(e as Error).message}).`);
  }
  const shape = envelopeProblem(raw);
  if (shape) return refuse('wrong-shape', `The policy file is not a signed policy { policy, signature, keyId? }: ${shape}.`);
  const file = raw as SignedPolicyFile;

  const adminRaw = typeof adminPublicKeyB64 === 'string' ? base64ToBytes(adminPublicKeyB64.trim()) : null;
  const adminKey = adminRaw ? await importVerifyKey(adminRaw) : null;
  if (!adminRaw || !adminKey) return refuse('bad-admin-key', 'The pinned admin public key is not a raw 32-byte Ed25519 key in base64.');
  const adminKeyId = await keyIdOf(adminRaw);
  if (file.keyId !== undefined && file.keyId !== adminKeyId) {
    return refuse('other-key', `The policy was signed with another admin key (key id ${file.keyId}); the pinned admin key is ${adminKeyId}.`);
  }

  let signed: Uint8Array<ArrayBuffer>;
  try {
    signed = policySigningBytes(file.policy);
  } catch (e) {
    return refuse('wrong-shape', `The policy cannot be put in canonical form (${(e as Error).message}).`);
  }
  const signature = base64ToBytes(file.signature) as Uint8Array<ArrayBuffer>;
  if (!(await ed25519Verify(adminKey, signature, signed))) {
    return refuse('bad-signature', 'The policy signature does not verify: the file was changed after signing, or it was signed with another key.');
  }

  const parsed = parsePolicy(file.policy);
  if (!parsed.ok) return refuse('schema-invalid', `The signed policy is not a valid policy: ${parsed.reason}.`);
  const policy = parsed.policy;
  const skewMs = (options.skewSeconds ?? 300) * 1000;
  const nowMs = now.getTime();
  if (Date.parse(policy.issuedAt) > nowMs + skewMs) return refuse('not-yet-valid', `The policy is not valid before ${policy.issuedAt}.`);
  if (Date.parse(policy.expiresAt) <= nowMs) return refuse('expired', `The policy expired at ${policy.expiresAt}.`);
  return { ok: true, policy, keyId: adminKeyId };
}

function envelopeProblem(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not an object';
  const o = raw as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'policy' && k !== 'signature' && k !== 'keyId');
  if (extra.length) return `unexpected field "${extra[0].slice(0, 40)}"`;
  if (typeof o.policy !== 'object' || o.policy === null || Array.isArray(o.policy)) return 'policy is missing or not an object';
  if (typeof o.signature !== 'string' || base64ToBytes(o.signature)?.length !== 64) return 'signature is missing or not a 64-byte base64 Ed25519 signature';
  if (o.keyId !== undefined && (typeof o.keyId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(o.keyId))) return 'keyId is not a key id';
  return null;
}

// ---- questions asked of a verified policy -------------------------------------------------------
// Identities are compared as the schema stores them: trimmed and lower-cased.

const norm = (id: string): string => id.trim().toLowerCase();

export function personOf(policy: OrgPolicy, id: string): Person | undefined {
  const key = norm(id);
  return policy.people.find((p) => p.id === key);
}

/** The teams an agent is in. */
export function teamsOf(policy: OrgPolicy, agentId: string): Team[] {
  const key = norm(agentId);
  return policy.teams.filter((t) => t.agents.includes(key));
}

/** Public keys the admin enrolled for this supervisor; empty for someone not in the policy. */
export function enrolledKeys(policy: OrgPolicy, supervisorId: string): SupervisorKey[] {
  return personOf(policy, supervisorId)?.supervisorKeys ?? [];
}

function scopeTeams(policy: OrgPolicy, personId: string, scope: TeamScope | undefined): Team[] {
  if (scope === undefined) return [];
  if (scope === '*') return policy.teams;
  if (scope === 'own') return policy.teams.filter((t) => t.supervisors.includes(personId));
  return policy.teams.filter((t) => scope.includes(t.id));
}

/** Teams on which this person may use this mode, through any of their roles. */
export function teamsForMode(policy: OrgPolicy, supervisorId: string, mode: SupervisionMode): Team[] {
  const person = personOf(policy, supervisorId);
  if (!person) return [];
  const found = new Set<Team>();
  for (const role of person.roles) for (const t of scopeTeams(policy, person.id, policy.roles[role]?.modes[mode])) found.add(t);
  return policy.teams.filter((t) => found.has(t));
}

export type UseDecision =
  | { allowed: true; teams: string[]; reason: string }
  | { allowed: false; code: 'unknown-supervisor' | 'agent-outside-scope' | 'mode-not-allowed'; reason: string };

/**
 * May this person use this mode on this agent? Outside scope: no mode at all reaches any of the
 * agent's teams. Mode not allowed: some mode does, this one does not. An agent in no team is
 * outside everyone's scope (fail closed: `*` means every team, not everyone).
 */
export function mayUse(policy: OrgPolicy, supervisorId: string, agentId: string, mode: SupervisionMode): UseDecision {
  const person = personOf(policy, supervisorId);
  if (!person) return { allowed: false, code: 'unknown-supervisor', reason: `${norm(supervisorId)} is not in the policy.` };
  const agentTeams = new Set(teamsOf(policy, agentId));
  const hits = (m: SupervisionMode) => teamsForMode(policy, person.id, m).filter((t) => agentTeams.has(t));
  const teams = hits(mode);
  if (teams.length) return { allowed: true, teams: teams.map((t) => t.id), reason: `${person.id} may ${mode} on ${teams.map((t) => t.name).join(', ')}.` };
  if (!supervisionModes.some((m) => hits(m).length)) {
    const why = agentTeams.size ? `is in no team ${person.id} may supervise` : 'is in no team';
    return { allowed: false, code: 'agent-outside-scope', reason: `${norm(agentId)} ${why}.` };
  }
  return { allowed: false, code: 'mode-not-allowed', reason: `${person.id} (${person.roles.join(', ')}) may not ${mode} on ${norm(agentId)}'s teams.` };
}

/** The modes the supervisor's UI should offer for this agent, in the usual order. */
export function modesFor(policy: OrgPolicy, supervisorId: string, agentId: string): SupervisionMode[] {
  return supervisionModes.filter((m) => mayUse(policy, supervisorId, agentId, m).allowed);
}

/** Agents this person may supervise in at least one mode (the supervisor's board). */
export function agentsInScope(policy: OrgPolicy, supervisorId: string): string[] {
  const agents = new Set<string>();
  for (const m of supervisionModes) for (const t of teamsForMode(policy, supervisorId, m)) for (const a of t.agents) agents.add(a);
  return [...agents].sort();
}
