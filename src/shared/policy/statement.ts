/**
 * Supervision statements: "supervisor S asks to <mode> agent A's call C", signed by a key on S's
 * device and valid for a minute or so. Carried in the supervision INVITE's header parameter and in
 * every in-dialog mode change, and checked by the agent's app before anything is answered.
 *
 * Token: `<payload>.<signature>.<public key>`, each unpadded base64url (RFC 4648 §5):
 * payload = canonicalJson({ v, sup, agent, call, mode, iat, exp, nonce }) as UTF-8, signature =
 * Ed25519 over exactly those bytes, public key = the signer's raw 32-byte key (checked against the
 * keys enrolled for `sup` in the policy after the signature, so forgery and non-enrolment are told
 * apart). Only [A-Za-z0-9_.-]: a SIP token (RFC 3261 §25.1) and a plain JSON string. At most
 * `maxStatementChars`, which the field limits below guarantee for every valid statement.
 */
import { z } from 'zod';
import { supervisionModes, type SupervisionMode } from '../supervision/modes';
import { base64ToBytes, base64UrlToBytes, bytesToBase64, bytesToBase64Url, canonicalJson } from './canonical';
import { maxIdentityChars, sipIdentityPattern, type OrgPolicy } from './schema';
import { ed25519Verify, enrolledKeys, importVerifyKey, keyIdOf, mayUse } from './signedPolicy';

export const maxStatementChars = 600;
export const maxStatementLifetimeSeconds = 300;
export const defaultStatementLifetimeSeconds = 60;
export const defaultSkewSeconds = 30;
/** Plain Call-IDs up to this length are named as they are; longer ones by hash (see callBinding). */
export const maxPlainCallIdChars = 96;

// Lower-case already (no transforms), so the parsed payload re-encodes to exactly the signed bytes.
const identity = z.string().max(maxIdentityChars).regex(sipIdentityPattern);
export const statementPayloadSchema = z
  .object({
    v: z.literal(1),
    sup: identity,
    agent: identity,
    call: z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,96}$/),
    mode: z.enum(supervisionModes),
    iat: z.number().int().min(0).max(2 ** 32),
    exp: z.number().int().min(0).max(2 ** 32),
    // Exactly 16 random bytes: 128 bits, and a fixed size keeps every valid token under the limit.
    nonce: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be 16 random bytes in base64url'),
  })
  .strict()
  .refine((p) => p.exp > p.iat, 'exp must be after iat');
export type StatementPayload = z.infer<typeof statementPayloadSchema>;

/**
 * A join names "the call the agent is on when this arrives": the supervisor cannot know the Call-ID
 * the agent's app sees (a B2BUA gives each side its own). Accepted for a join only, where the
 * single-use nonce, the one-minute lifetime and the SIP identity check bound it; the agent's app then
 * reports the call's binding and every later change of mode must name it.
 */
export const currentCallBinding = '*';

/**
 * How a statement names the call. Must name one call (no wildcard): a statement captured on the way
 * could otherwise open whatever call the agent is on next. A Call-ID that is short and needs no JSON
 * escaping is used as it is (readable in logs); any other is named by `#` + base64url of the first
 * 16 bytes of its SHA-256, so every Call-ID fits the token. A plain form never starts with `#`.
 */
export async function callBinding(callId: string): Promise<string> {
  if (callId !== currentCallBinding && callId.length <= maxPlainCallIdChars && /^[\x21\x24-\x5b\x5d-\x7e][\x21\x23-\x5b\x5d-\x7e]*$/.test(callId)) return callId;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(callId)));
  return `#${bytesToBase64Url(digest.subarray(0, 16))}`;
}

export interface StatementRequest {
  sup: string;
  agent: string;
  /** SIP Call-ID of the agent's customer call, as the agent's app sees it... */
  callId?: string;
  /** ...or the call as already named: currentCallBinding for a join, else what the agent's app reported. */
  binding?: string;
  mode: SupervisionMode;
  now: Date;
  lifetimeSeconds?: number;
  /** The agent's challenge being answered (shared/supervision/challenge.ts); else a fresh random nonce. */
  nonce?: string;
}

/** A fresh payload: 128-bit random nonce (or the challenge answered), issued now, valid for `lifetimeSeconds` (default 60). */
export async function makeStatementPayload(req: StatementRequest): Promise<StatementPayload> {
  const iat = Math.floor(req.now.getTime() / 1000);
  return {
    v: 1,
    sup: req.sup.trim().toLowerCase(),
    agent: req.agent.trim().toLowerCase(),
    call: req.binding ?? (await callBinding(req.callId ?? '')),
    mode: req.mode,
    iat,
    exp: iat + (req.lifetimeSeconds ?? defaultStatementLifetimeSeconds),
    nonce: req.nonce ?? bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16))),
  };
}

/** The supervisor's device key: a WebCrypto Ed25519 pair (publicKey may be the enrolled base64 string). */
export interface StatementSigner {
  privateKey: CryptoKey;
  publicKey: CryptoKey | string;
}

/** Throws (a programming error, not an input error) when the payload is invalid or the token too long. */
export async function signStatement(payload: StatementPayload, signer: StatementSigner): Promise<string> {
  const checked = statementPayloadSchema.safeParse(payload);
  if (!checked.success) throw new TypeError(`invalid statement: ${checked.error.issues[0].path.join('.')} ${checked.error.issues[0].message}`);
  const bytes = new TextEncoder().encode(canonicalJson(checked.data));
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, signer.privateKey, bytes));
  const pub = typeof signer.publicKey === 'string' ? signer.publicKey : bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', signer.publicKey)));
  const pubRaw = base64ToBytes(pub.trim());
  if (pubRaw?.length !== 32) throw new TypeError('signer public key is not a raw 32-byte Ed25519 key');
  const token = `${bytesToBase64Url(bytes)}.${bytesToBase64Url(sig)}.${bytesToBase64Url(pubRaw)}`;
  if (token.length > maxStatementChars) throw new TypeError(`statement is ${token.length} characters, more than ${maxStatementChars}`);
  return token;
}

// ---- verification ------------------------------------------------------------------------------

export type StatementRefusalCode =
  | 'missing'
  | 'oversized'
  | 'malformed'
  | 'no-policy'
  | 'bad-signature'
  | 'key-not-enrolled'
  | 'expired'
  | 'not-yet-valid'
  | 'lifetime-too-long'
  | 'replayed'
  | 'agent-mismatch'
  | 'agent-outside-scope'
  | 'mode-mismatch'
  | 'mode-not-allowed'
  | 'other-call'
  | 'identity-mismatch'
  | 'unproven'
  | 'replay-cache-full'
  | 'replay-record-unavailable';

/**
 * SIP answer per refusal. 400: the request is not well formed. 403: well formed, and refused; the
 * reason phrase tells the supervisor (and the audit log) which check failed. 503: the agent's app
 * cannot remember another nonce right now (or cannot write it down), so it cannot rule out a replay.
 */
export const statementRefusals: Record<StatementRefusalCode, { status: number; reason: string }> = {
  missing: { status: 400, reason: 'Missing Supervision Statement' },
  oversized: { status: 400, reason: 'Supervision Statement Too Long' },
  malformed: { status: 400, reason: 'Malformed Supervision Statement' },
  'no-policy': { status: 403, reason: 'No Supervision Policy' },
  'bad-signature': { status: 403, reason: 'Bad Supervision Signature' },
  'key-not-enrolled': { status: 403, reason: 'Supervisor Key Not Enrolled' },
  expired: { status: 403, reason: 'Statement Expired' },
  'not-yet-valid': { status: 403, reason: 'Statement Not Yet Valid' },
  'lifetime-too-long': { status: 403, reason: 'Statement Lifetime Too Long' },
  replayed: { status: 403, reason: 'Replayed Statement' },
  'agent-mismatch': { status: 403, reason: 'Agent Outside Scope' },
  'agent-outside-scope': { status: 403, reason: 'Agent Outside Scope' },
  'mode-mismatch': { status: 403, reason: 'Mode Not Allowed' },
  'mode-not-allowed': { status: 403, reason: 'Mode Not Allowed' },
  'other-call': { status: 403, reason: 'Statement For Another Call' },
  'identity-mismatch': { status: 403, reason: 'Identity Mismatch' },
  unproven: { status: 403, reason: 'Supervision Not Proven' },
  'replay-cache-full': { status: 503, reason: 'Replay Cache Full' },
  'replay-record-unavailable': { status: 503, reason: 'Replay Record Unavailable' },
};

export type StatementVerdict =
  | {
      ok: true;
      statement: StatementPayload;
      keyId: string;
      keyLabel: string;
      /** The signer's raw public key, base64 (a challenge's answer must come from the same key). */
      publicKey: string;
      /** What the replay record now holds for this statement, until when (seconds): to be kept durably. */
      seen: { key: string; forgetAfterSec: number };
    }
  | {
      ok: false;
      status: number;
      reason: string;
      code: StatementRefusalCode;
      /** One sentence for the audit log and the agent's notification. */
      detail: string;
      /** What the statement claimed, when it could be read (audit: who tried what). Not trusted. */
      statement?: StatementPayload;
    };

type Parsed = { ok: true; payload: StatementPayload; payloadBytes: Uint8Array<ArrayBuffer>; signature: Uint8Array<ArrayBuffer>; publicKey: Uint8Array<ArrayBuffer> };
type Refusal = Extract<StatementVerdict, { ok: false }>;

const refusal = (code: StatementRefusalCode, detail: string, statement?: StatementPayload): Refusal => ({ ok: false, ...statementRefusals[code], code, detail, ...(statement ? { statement } : {}) });

/** Structural decoding only (no signature, no policy); never throws. */
export function parseStatementToken(token: unknown): Parsed | Refusal {
  if (typeof token !== 'string' || token.length === 0) return refusal('missing', 'The request carries no supervision statement.');
  if (token.length > maxStatementChars) return refusal('oversized', `The statement is longer than ${maxStatementChars} characters.`);
  const parts = token.split('.');
  if (parts.length !== 3) return refusal('malformed', 'The statement is not payload.signature.key.');
  const [payloadBytes, signature, publicKey] = parts.map(base64UrlToBytes);
  if (!payloadBytes || signature?.length !== 64 || publicKey?.length !== 32) return refusal('malformed', 'The statement is not valid base64url, or its signature or key has the wrong size.');
  let text: string;
  let raw: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes);
    raw = JSON.parse(text);
  } catch {
    return refusal('malformed', 'The statement payload is not UTF-8 JSON.');
  }
  const parsed = statementPayloadSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refusal('malformed', `The statement payload is invalid: ${issue.path.join('.') || 'payload'} ${issue.message}.`);
  }
  // One encoding per statement: no duplicate keys, reordering or padding that still verifies.
  if (canonicalJson(parsed.data) !== text) return refusal('malformed', 'The statement payload is not in canonical form.');
  return { ok: true, payload: parsed.data, payloadBytes, signature, publicKey };
}

/**
 * Forgets each nonce once its statement could no longer pass the expiry check, and holds at most
 * `maxEntries`. When full of live nonces it refuses to record more rather than forget one early
 * (forgetting would reopen a replay).
 */
export class NonceCache {
  private readonly entries = new Map<string, number>();
  constructor(readonly maxEntries = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: string, nowSec: number): boolean {
    const forgetAfter = this.entries.get(key);
    return forgetAfter !== undefined && forgetAfter >= nowSec;
  }

  /** false when the cache is full of nonces that are still live. */
  add(key: string, forgetAfterSec: number, nowSec: number): boolean {
    if (this.entries.size >= this.maxEntries) this.sweep(nowSec);
    if (this.entries.size >= this.maxEntries) return false;
    this.entries.set(key, forgetAfterSec);
    return true;
  }

  sweep(nowSec: number): void {
    for (const [key, forgetAfter] of this.entries) if (forgetAfter < nowSec) this.entries.delete(key);
  }
}

export interface StatementContext {
  /** The verified org policy; null (none, or refused) means no supervision at all. */
  policy: OrgPolicy | null;
  /** This agent's SIP identity. */
  agentId: string;
  /** Call-ID of the agent's current customer call; null when there is none. */
  callId: string | null;
  /** The requester's identity as the PBX presented it, already normalised (normalizeIdentity). */
  sipIdentity: string;
  requestedMode: SupervisionMode;
  now: Date;
  seenNonces: NonceCache;
  skewSeconds?: number;
  maxLifetimeSeconds?: number;
  /** A join: `call` may be currentCallBinding (see there). Never for a change of mode. */
  allowCurrentCall?: boolean;
}

/**
 * All checks, in a fixed order; the first failure is the answer. The nonce is recorded only when
 * every check passed, so a refused statement cannot burn a legitimate one. Everything after the
 * signature check runs without an `await`: two concurrent copies of one token cannot both pass.
 */
export async function verifyStatement(token: string, ctx: StatementContext): Promise<StatementVerdict> {
  const parsed = parseStatementToken(token);
  if (!parsed.ok) return parsed;
  const p = parsed.payload;
  const { policy } = ctx;
  if (!policy) return refusal('no-policy', 'This app has no valid org policy, so it allows no supervision.', p);

  const key = await importVerifyKey(parsed.publicKey);
  if (!key || !(await ed25519Verify(key, parsed.signature, parsed.payloadBytes))) return refusal('bad-signature', 'The statement signature does not verify.', p);
  const keyId = await keyIdOf(parsed.publicKey);
  const expectedCall = ctx.callId === null ? null : await callBinding(ctx.callId);

  // ---- synchronous from here ----
  const pub = bytesToBase64(parsed.publicKey);
  const enrolled = enrolledKeys(policy, p.sup).find((k) => k.publicKey === pub);
  if (!enrolled) return refusal('key-not-enrolled', `Key ${keyId} is not enrolled for ${p.sup} in the policy.`, p);

  const nowSec = Math.floor(ctx.now.getTime() / 1000);
  const skew = ctx.skewSeconds ?? defaultSkewSeconds;
  if (nowSec > p.exp + skew) return refusal('expired', `The statement expired ${nowSec - p.exp} s ago.`, p);
  if (p.iat > nowSec + skew) return refusal('not-yet-valid', `The statement is dated ${p.iat - nowSec} s in the future.`, p);
  const maxLifetime = ctx.maxLifetimeSeconds ?? maxStatementLifetimeSeconds;
  if (p.exp - p.iat > maxLifetime) return refusal('lifetime-too-long', `The statement is valid for ${p.exp - p.iat} s; at most ${maxLifetime} s is accepted.`, p);
  const replayKey = `${p.sup} ${p.nonce}`;
  if (ctx.seenNonces.has(replayKey, nowSec)) return refusal('replayed', 'This statement was already used.', p);

  if (p.agent !== ctx.agentId.trim().toLowerCase()) return refusal('agent-mismatch', `The statement is for ${p.agent}, not this agent.`, p);
  const use = mayUse(policy, p.sup, p.agent, p.mode);
  if (!use.allowed && use.code !== 'mode-not-allowed') return refusal('agent-outside-scope', use.reason, p);
  if (p.mode !== ctx.requestedMode) return refusal('mode-mismatch', `The statement grants ${p.mode}; the request asks for ${ctx.requestedMode}.`, p);
  if (!use.allowed) return refusal('mode-not-allowed', use.reason, p);
  const namesThisCall = p.call === expectedCall || (p.call === currentCallBinding && ctx.allowCurrentCall === true);
  if (expectedCall === null || !namesThisCall) return refusal('other-call', expectedCall === null ? 'The agent is not on a call.' : 'The statement names another call.', p);
  if (ctx.sipIdentity.trim().toLowerCase() !== p.sup) return refusal('identity-mismatch', `The request comes from ${ctx.sipIdentity.slice(0, 80)}, the statement is signed for ${p.sup}.`, p);

  if (!ctx.seenNonces.add(replayKey, p.exp + skew, nowSec)) return refusal('replay-cache-full', 'Too many live statements to rule out a replay; try again shortly.', p);
  return { ok: true, statement: p, keyId, keyLabel: enrolled.label, publicKey: pub, seen: { key: replayKey, forgetAfterSec: p.exp + skew } };
}
