import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import example from '../../../resources/policy/example-policy.json';
import { base64ToBytes } from '../../shared/policy/canonical';
import { parsePolicy, publicKeySchema, type OrgPolicy } from '../../shared/policy/schema';
import { keyIdOf } from '../../shared/policy/signedPolicy';
import { makeStatementPayload, NonceCache, parseStatementToken, verifyStatement, type StatementContext } from '../../shared/policy/statement';
import type { SafeStorageLike } from '../secrets';
import { openSupervisorKey } from './supervisorKey';

// Stands in for the OS keychain: reversible, but never the plain text (as in secrets.test.ts).
const keychain = (available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  encryptString: (p) => Buffer.from(`enc:${[...p].reverse().join('')}`),
  decryptString: (b) => {
    const s = b.toString();
    if (!s.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return [...s.slice(4)].reverse().join('');
  },
});

function slot(initial?: string) {
  let value = initial;
  const writes: (string | undefined)[] = [];
  return { get: () => value, set: (v: string | undefined) => (writes.push(v), (value = v)), peek: () => value, writes };
}

const now = new Date('2026-11-25T12:00:00Z');
const sup = '1101@whisperline.test';
const agent = '1001@whisperline.test';
const callId = 'a84b4c76e66710@pc33.atlanta.example.com';

function policyEnrolling(publicKey: string): OrgPolicy {
  const p = structuredClone(example) as { people: { id: string; supervisorKeys?: unknown[] }[] };
  p.people.find((person) => person.id === sup)!.supervisorKeys = [{ publicKey, enrolledAt: '2026-11-01T00:00:00Z', label: 'Demo Supervisor laptop' }];
  const r = parsePolicy(p);
  if (!r.ok) throw new Error(r.reason);
  return r.policy;
}
const ctx = (policy: OrgPolicy): StatementContext => ({ policy, agentId: agent, callId, sipIdentity: sup, requestedMode: 'whisper', now, seenNonces: new NonceCache() });

describe('supervisor key', () => {
  it('is made on first use, stored encrypted only, and the same key next time', async () => {
    const s = slot();
    const key = await openSupervisorKey({ safeStorage: keychain(), slot: s });
    expect(key.status).toEqual({ persisted: true, created: true, regenerated: false, message: null });
    const stored = s.peek()!;
    expect(stored).toBeDefined();
    const decoded = Buffer.from(stored, 'base64').toString();
    expect(decoded.startsWith('enc:')).toBe(true);
    expect(decoded).not.toContain('PRIVATE KEY');

    const again = await openSupervisorKey({ safeStorage: keychain(), slot: s });
    expect(again.status).toEqual({ persisted: true, created: false, regenerated: false, message: null });
    expect(again.publicKey()).toBe(key.publicKey());
    expect(s.writes).toHaveLength(1); // opening does not rewrite
  });

  it('shows its public key as the policy wants it, and its fingerprint as the admin CLI prints it', async () => {
    const key = await openSupervisorKey({ safeStorage: keychain(), slot: slot() });
    expect(publicKeySchema.safeParse(key.publicKey()).success).toBe(true);
    expect(base64ToBytes(key.publicKey())).toHaveLength(32);
    expect(key.fingerprint()).toBe(await keyIdOf(key.publicKey()));
    expect(() => policyEnrolling(key.publicKey())).not.toThrow();
  });

  it('signs bytes with a 64-byte Ed25519 signature that verifies with its public key', async () => {
    const key = await openSupervisorKey({ safeStorage: keychain(), slot: slot() });
    const data = new TextEncoder().encode('hello agent');
    const sig = key.sign(data);
    expect(sig).toHaveLength(64);
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKey(), 'base64').toString('base64url') }, format: 'jwk' });
    expect(nodeVerify(null, data, pub, sig)).toBe(true);
    expect(nodeVerify(null, new TextEncoder().encode('hello agenT'), pub, sig)).toBe(false);
  });

  it('signs statements an agent accepts when the policy enrols this key, and refuses when it enrols another', async () => {
    const key = await openSupervisorKey({ safeStorage: keychain(), slot: slot() });
    const other = await openSupervisorKey({ safeStorage: keychain(), slot: slot() });
    const token = await key.statementFor({ sup, agent, callId, mode: 'whisper', now });
    const parsed = parseStatementToken(token);
    expect(parsed.ok && Buffer.from(parsed.publicKey).toString('base64')).toBe(key.publicKey());

    const accepted = await verifyStatement(token, ctx(policyEnrolling(key.publicKey())));
    expect(accepted).toMatchObject({ ok: true, keyId: key.fingerprint(), keyLabel: 'Demo Supervisor laptop', statement: { sup, agent, mode: 'whisper' } });

    const refused = await verifyStatement(token, ctx(policyEnrolling(other.publicKey())));
    expect(refused).toMatchObject({ ok: false, code: 'key-not-enrolled', status: 403, reason: 'Supervisor Key Not Enrolled' });

    // signStatement with an explicit payload: the same format.
    const payload = await makeStatementPayload({ sup, agent, callId, mode: 'listen', now });
    const t2 = await key.signStatement(payload);
    expect((await verifyStatement(t2, { ...ctx(policyEnrolling(key.publicKey())), requestedMode: 'listen' })).ok).toBe(true);
  });

  it('without OS encryption keeps the key for this session only and writes nothing', async () => {
    const s = slot();
    const key = await openSupervisorKey({ safeStorage: keychain(false), slot: s });
    expect(key.status.persisted).toBe(false);
    expect(key.status.message).toBe(
      `Your supervision key cannot be saved because this computer offers no secure storage (OS keychain), so a key for this session only (fingerprint ${key.fingerprint()}) is used. It is not saved and changes when the app restarts, so it cannot stay enrolled.`,
    );
    expect(s.writes).toEqual([]);
    expect(s.peek()).toBeUndefined();
    const next = await openSupervisorKey({ safeStorage: keychain(false), slot: s });
    expect(next.publicKey()).not.toBe(key.publicKey());
  });

  it('leaves a stored key alone while the keychain is unavailable, and uses it again when it is back', async () => {
    const s = slot();
    const enrolled = await openSupervisorKey({ safeStorage: keychain(), slot: s });
    const stored = s.peek();
    const meanwhile = await openSupervisorKey({ safeStorage: keychain(false), slot: s });
    expect(meanwhile.status).toMatchObject({ persisted: false, regenerated: false });
    expect(meanwhile.status.message).toMatch(/^Your stored supervision key cannot be opened because this computer offers no secure storage/);
    expect(s.peek()).toBe(stored);
    expect((await openSupervisorKey({ safeStorage: keychain(), slot: s })).publicKey()).toBe(enrolled.publicKey());
  });

  it('replaces a stored key it cannot open, and says the admin must enrol the new one', async () => {
    const unreadable = [
      Buffer.from('garbage from another account').toString('base64'),
      Buffer.from('enc:not a pem').toString('base64'),
      'not base64 at all %%%',
    ];
    for (const bad of unreadable) {
      const s = slot(bad);
      const key = await openSupervisorKey({ safeStorage: keychain(), slot: s });
      expect(key.status).toMatchObject({ persisted: true, created: true, regenerated: true });
      expect(key.status.message).toBe(
        `Your supervision key could not be read (it was made under another user account or was damaged), so a new one was made. Give your admin the new public key (fingerprint ${key.fingerprint()}) to enrol in the org policy; until it is enrolled, agents' apps refuse your supervision requests.`,
      );
      expect(s.peek()).not.toBe(bad);
      expect((await openSupervisorKey({ safeStorage: keychain(), slot: s })).publicKey()).toBe(key.publicKey());
    }
  });

  it('refuses a stored key of another type', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const s = slot(keychain().encryptString(rsa).toString('base64'));
    const key = await openSupervisorKey({ safeStorage: keychain(), slot: s });
    expect(key.status.regenerated).toBe(true);
    expect(base64ToBytes(key.publicKey())).toHaveLength(32);
  });

  it('never writes the private key in plain text, even when encryption fails', async () => {
    const s = slot();
    const failing: SafeStorageLike = { ...keychain(), encryptString: () => { throw new Error('keychain locked'); } };
    const key = await openSupervisorKey({ safeStorage: failing, slot: s });
    expect(key.status.persisted).toBe(false);
    expect(key.status.message).toMatch(/^Your supervision key could not be saved to secure storage, so a key for this session only/);
    expect(s.writes).toEqual([]);
    // And the handle exposes no private material.
    expect(Object.keys(key).sort()).toEqual(['fingerprint', 'publicKey', 'sign', 'signStatement', 'statementFor', 'status']);
    expect(JSON.stringify(key)).not.toMatch(/PRIVATE/);
  });
});
