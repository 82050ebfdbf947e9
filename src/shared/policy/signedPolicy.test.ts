import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import example from '../../../resources/policy/example-policy.json';
import { bytesToBase64 } from './canonical';
import { parsePolicy, type OrgPolicy } from './schema';
import { agentsInScope, enrolledKeys, keyIdOf, mayUse, modesFor, signPolicy, teamsOf, verifySignedPolicy } from './signedPolicy';

const fuzz = { seed: 20261125, numRuns: 300 };
/** Hundreds of runs (some with signatures) take seconds on a loaded machine. */
const fuzzTimeout = 120_000;
const now = new Date('2026-11-25T12:00:00Z');
const d = (id: string) => `${id}@whisperline.test`;

async function adminKey() {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { ...pair, pub: bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))) };
}
let admin: Awaited<ReturnType<typeof adminKey>>;
let other: Awaited<ReturnType<typeof adminKey>>;
let signedText: string;
beforeAll(async () => {
  [admin, other] = await Promise.all([adminKey(), adminKey()]);
  signedText = JSON.stringify(await signPolicy(example, admin.privateKey, admin.pub));
});

const signed = async (policy: unknown, key = admin) => JSON.stringify(await signPolicy(policy, key.privateKey, key.pub));
const refusal = async (text: string, at = now) => {
  const r = await verifySignedPolicy(text, admin.pub, at);
  expect(r.ok).toBe(false);
  return r.ok ? { code: '', reason: '' } : r;
};

describe('verifySignedPolicy', () => {
  it('accepts a policy signed with the pinned admin key, however the file is laid out', async () => {
    const r = await verifySignedPolicy(signedText, admin.pub, now);
    expect(r.ok && r.policy.org).toBe('Example Contact Center');
    expect(r.ok && r.keyId).toBe(await keyIdOf(admin.pub));
    const file = JSON.parse(signedText);
    // Pretty-printed, keys reordered: the signature is over the canonical form, not the bytes on disk.
    const relaid = JSON.stringify({ signature: file.signature, policy: { ...file.policy, version: 1, org: file.policy.org } }, null, 4);
    expect((await verifySignedPolicy(relaid, admin.pub, now)).ok).toBe(true);
  });

  it('gives each kind of bad file its own reason', async () => {
    expect(await refusal('{"policy": ')).toMatchObject({ code: 'not-json', reason: expect.stringMatching(/^The policy file is not JSON/) });
    expect(await refusal(JSON.stringify(example))).toMatchObject({ code: 'wrong-shape', reason: expect.stringMatching(/unexpected field "version"/) });
    expect(await refusal('[]')).toMatchObject({ code: 'wrong-shape' });
    const file = JSON.parse(signedText);
    expect(await refusal(JSON.stringify({ policy: file.policy }))).toMatchObject({ code: 'wrong-shape', reason: expect.stringMatching(/signature is missing/) });
    expect(await refusal(JSON.stringify({ ...file, signature: file.signature.slice(4) }))).toMatchObject({ code: 'wrong-shape' });
  });

  it('refuses a policy edited after signing', async () => {
    const file = JSON.parse(signedText);
    file.policy.roles.qa.modes.barge = '*'; // a QA reviewer widening their own rights
    expect(await refusal(JSON.stringify(file))).toMatchObject({ code: 'bad-signature', reason: expect.stringMatching(/changed after signing/) });
  });

  it('refuses a policy signed with another key, saying so when the file names its key', async () => {
    const byOther = JSON.parse(await signed(example, other));
    expect(await refusal(JSON.stringify(byOther))).toMatchObject({ code: 'other-key', reason: expect.stringContaining(await keyIdOf(other.pub)) });
    delete byOther.keyId;
    expect(await refusal(JSON.stringify(byOther))).toMatchObject({ code: 'bad-signature' });
  });

  it('refuses a signed policy that is not a valid policy, naming the field', async () => {
    expect(await refusal(await signed({ ...example, audit: { retentionDays: 0 } }))).toMatchObject({ code: 'schema-invalid', reason: expect.stringMatching(/audit\.retentionDays/) });
  });

  it('refuses a policy outside its validity period, with a little clock skew for a new one', async () => {
    expect(await refusal(signedText, new Date('2028-01-01T00:00:00Z'))).toMatchObject({ code: 'expired', reason: 'The policy expired at 2028-01-01T00:00:00Z.' });
    expect((await verifySignedPolicy(signedText, admin.pub, new Date('2027-12-31T23:59:59Z'))).ok).toBe(true);
    expect(await refusal(signedText, new Date('2026-10-31T23:54:59Z'))).toMatchObject({ code: 'not-yet-valid' });
    expect((await verifySignedPolicy(signedText, admin.pub, new Date('2026-10-31T23:55:00Z'))).ok).toBe(true);
  });

  it('refuses everything when the pinned admin key itself is broken', async () => {
    for (const pin of ['', 'not base64', btoa('x'.repeat(31))]) {
      const r = await verifySignedPolicy(signedText, pin, now);
      expect(r).toMatchObject({ ok: false, code: 'bad-admin-key' });
    }
  });

  it('refuses every one-character change of a signed file (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: signedText.length - 1 }), fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 0xffff })), async (at, code) => {
        const ch = String.fromCharCode(code);
        fc.pre(signedText[at] !== ch);
        const changed = signedText.slice(0, at) + ch + signedText.slice(at + 1);
        expect((await verifySignedPolicy(changed, admin.pub, now)).ok).toBe(false);
      }),
      fuzz,
    );
  }, fuzzTimeout);

  it('refuses every one-character deletion of a signed file (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: signedText.length - 1 }), async (at) => {
        expect((await verifySignedPolicy(signedText.slice(0, at) + signedText.slice(at + 1), admin.pub, now)).ok).toBe(false);
      }),
      fuzz,
    );
  }, fuzzTimeout);

  it('never throws on arbitrary input (fuzz)', async () => {
    const inputs = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.record({ policy: fc.jsonValue({ maxDepth: 3 }), signature: fc.oneof(fc.string(), fc.uint8Array({ minLength: 64, maxLength: 64 }).map(bytesToBase64)), keyId: fc.option(fc.string(), { nil: undefined }) }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(inputs, async (text) => {
        const r = await verifySignedPolicy(text, admin.pub, now);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
      }),
      fuzz,
    );
  }, fuzzTimeout);
});

describe('who may do what', () => {
  let policy: OrgPolicy;
  beforeAll(() => {
    const r = parsePolicy(example);
    if (!r.ok) throw new Error(r.reason);
    policy = r.policy;
  });

  it('lets a supervisor use every mode on the team they lead, and nothing elsewhere', () => {
    expect(modesFor(policy, d('1101'), d('1001'))).toEqual(['listen', 'whisper', 'barge', 'takeover']);
    expect(mayUse(policy, d('1101'), d('1001'), 'barge')).toMatchObject({ allowed: true, teams: ['support'] });
    expect(modesFor(policy, d('1101'), d('1003'))).toEqual([]);
    expect(mayUse(policy, d('1101'), d('1003'), 'listen')).toMatchObject({ allowed: false, code: 'agent-outside-scope' });
  });

  it('tells a mode the role lacks apart from an agent out of reach', () => {
    expect(modesFor(policy, d('1201'), d('1003'))).toEqual(['listen', 'whisper']);
    expect(mayUse(policy, d('1201'), d('1003'), 'barge')).toMatchObject({ allowed: false, code: 'mode-not-allowed' });
    expect(mayUse(policy, d('1301'), d('1002'), 'whisper')).toMatchObject({ allowed: false, code: 'mode-not-allowed' });
  });

  it('gives agents, admins and strangers nothing', () => {
    expect(modesFor(policy, d('1002'), d('1001'))).toEqual([]);
    expect(modesFor(policy, d('1901'), d('1001'))).toEqual([]);
    expect(mayUse(policy, d('6666'), d('1001'), 'listen')).toMatchObject({ allowed: false, code: 'unknown-supervisor' });
  });

  it('treats "*" as every team, not every agent: an agent in no team is out of scope', () => {
    expect(mayUse(policy, d('1301'), d('1777'), 'listen')).toMatchObject({ allowed: false, code: 'agent-outside-scope', reason: '1777@whisperline.test is in no team.' });
  });

  it('combines the rights of several roles', () => {
    const both = structuredClone(policy);
    both.people.find((p) => p.id === d('1301'))!.roles = ['qa', 'supervisor'];
    both.teams[1].supervisors = [d('1301')];
    expect(modesFor(both, d('1301'), d('1002'))).toEqual(['listen']);
    expect(modesFor(both, d('1301'), d('1003'))).toEqual(['listen', 'whisper', 'barge', 'takeover']);
  });

  it('answers the same whatever the case of the identities asked about', () => {
    expect(modesFor(policy, ' 1101@WhisperLine.Test', '1001@WHISPERLINE.TEST')).toHaveLength(4);
    expect(teamsOf(policy, '1003@Whisperline.test').map((t) => t.id)).toEqual(['sales']);
    expect(enrolledKeys(policy, '1101@WHISPERLINE.TEST')).toHaveLength(1);
    expect(enrolledKeys(policy, d('1201'))).toEqual([]);
  });

  it('lists the agents on a supervisor board', () => {
    expect(agentsInScope(policy, d('1101'))).toEqual([d('1001'), d('1002')]);
    expect(agentsInScope(policy, d('1301'))).toEqual([d('1001'), d('1002'), d('1003')]);
    expect(agentsInScope(policy, d('1001'))).toEqual([]);
  });
});
