/**
 * Requests to the org service, signed by the desk that sends them: uploads (call records, wrap-ups,
 * supervision sessions, recordings), report queries, QA evaluations (make, list, acknowledge) and
 * reading recordings for review. The key is the one the desk already has for supervision
 * statements (every desk makes one; agents' keys are enrolled in the policy like supervisors').
 *
 * Wire: `{ envelope, signature }`; envelope = { v, kind, from, key, nonce, at, body }; signature =
 * Ed25519 over "whisperline-org-request\n" + canonicalJson(envelope), standard base64. The prefix
 * keeps an org request from ever verifying as a supervision statement or a policy, and back.
 *
 * What this module checks (everything but replay, which needs the service's memory of nonces):
 * shape, freshness (`at` within the skew), that `from` is in the policy, that `key` is enrolled for
 * `from`, and the signature. Each refusal has a code, an HTTP status and one sentence.
 */
import { z } from 'zod';
import { base64ToBytes, bytesToBase64, bytesToBase64Url, canonicalJson } from '../policy/canonical';
import { maxIdentityChars, sipIdentityPattern, type OrgPolicy } from '../policy/schema';
import { ed25519Verify, importVerifyKey, keyIdOf, personOf } from '../policy/signedPolicy';

export const orgRequestKinds = ['upload', 'report', 'evaluate', 'evaluations', 'acknowledge', 'recording-upload', 'recordings', 'recording', 'recording-track'] as const;
export type OrgRequestKind = (typeof orgRequestKinds)[number];

/** Requests older or newer than this (seconds) are refused as stale: a captured one cannot be sent later. */
export const orgRequestSkewSeconds = 300;

const signingPrefix = 'whisperline-org-request\n';

export const orgEnvelopeSchema = z
  .object({
    v: z.literal(1),
    kind: z.enum(orgRequestKinds),
    from: z.string().max(maxIdentityChars).regex(sipIdentityPattern, 'must be a SIP identity in lower case'),
    key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a raw 32-byte Ed25519 public key in base64'),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be 16 random bytes in base64url'),
    at: z.number().int().min(0).max(2 ** 33),
    body: z.unknown(),
  })
  .strict();
export type OrgEnvelope = z.infer<typeof orgEnvelopeSchema>;

export const signedOrgRequestSchema = z.object({ envelope: orgEnvelopeSchema, signature: z.string().max(100) }).strict();
export type SignedOrgRequest = z.infer<typeof signedOrgRequestSchema>;

export function orgSigningBytes(envelope: OrgEnvelope): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(signingPrefix + canonicalJson(envelope));
}

export interface OrgSigner {
  /** The desk's public key, raw 32 bytes in standard base64 (as enrolled). */
  publicKey: string;
  sign(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
}

/** A fresh request: a new 128-bit nonce, `at` = now. */
export async function makeOrgRequest(kind: OrgRequestKind, from: string, body: unknown, signer: OrgSigner, now: Date = new Date()): Promise<SignedOrgRequest> {
  const nonce = bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const envelope: OrgEnvelope = { v: 1, kind, from: from.trim().toLowerCase(), key: signer.publicKey, nonce, at: Math.floor(now.getTime() / 1000), body };
  return { envelope, signature: bytesToBase64(await signer.sign(orgSigningBytes(envelope))) };
}

export type OrgRefusalCode = 'malformed' | 'stale' | 'unknown-person' | 'key-not-enrolled' | 'bad-signature' | 'replayed' | 'out-of-scope' | 'too-large' | 'not-found';

export type OrgVerification =
  | { ok: true; envelope: OrgEnvelope; keyId: string }
  | { ok: false; code: OrgRefusalCode; status: number; reason: string; from?: string; keyId?: string };

export const refusalStatus: Record<OrgRefusalCode, number> = {
  malformed: 400,
  stale: 401,
  'unknown-person': 403,
  'key-not-enrolled': 403,
  'bad-signature': 401,
  replayed: 409,
  'out-of-scope': 403,
  'too-large': 413,
  'not-found': 404,
};

const refuse = (code: OrgRefusalCode, reason: string, from?: string, keyId?: string): OrgVerification => ({ ok: false, code, status: refusalStatus[code], reason, from, keyId });

/** Checks everything but replay. Never throws. */
export async function verifyOrgRequest(raw: unknown, policy: OrgPolicy, now: Date, skewSeconds = orgRequestSkewSeconds): Promise<OrgVerification> {
  const parsed = signedOrgRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return refuse('malformed', `Not a signed Whisperline request (${first.path.map(String).join('.') || 'request'}: ${first.message}).`);
  }
  const { envelope, signature } = parsed.data;
  const keyId = await keyIdOf(envelope.key).catch(() => undefined);
  const age = Math.floor(now.getTime() / 1000) - envelope.at;
  if (Math.abs(age) > skewSeconds) {
    return refuse('stale', `The request was signed ${Math.abs(age)} s ${age > 0 ? 'ago' : 'in the future'} (at most ${skewSeconds} s): send a fresh one, and check this desk's clock.`, envelope.from, keyId);
  }
  const person = personOf(policy, envelope.from);
  if (!person) return refuse('unknown-person', `${envelope.from} is not in the org policy.`, envelope.from, keyId);
  if (!person.supervisorKeys.some((k) => k.publicKey === envelope.key)) {
    return refuse('key-not-enrolled', `The key ${keyId ?? '?'} is not enrolled for ${envelope.from} in the org policy: give IT the key from Settings → Organisation.`, envelope.from, keyId);
  }
  const rawKey = base64ToBytes(envelope.key);
  const sig = base64ToBytes(signature);
  const verifyKey = rawKey ? await importVerifyKey(rawKey) : null;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = orgSigningBytes(envelope);
  } catch (e) {
    return refuse('malformed', `The request body cannot be read (${(e as Error).message}).`, envelope.from, keyId);
  }
  if (!verifyKey || !sig || !(await ed25519Verify(verifyKey, sig, bytes))) {
    return refuse('bad-signature', `The signature does not match the request and the key ${keyId ?? '?'}.`, envelope.from, keyId);
  }
  return { ok: true, envelope, keyId: keyId ?? '' };
}
