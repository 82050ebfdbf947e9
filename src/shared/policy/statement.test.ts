import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import example from '../../../resources/policy/example-policy.json';
import { supervisionModes, type SupervisionMode } from '../supervision/modes';
import { bytesToBase64, bytesToBase64Url } from './canonical';
import { parsePolicy, type OrgPolicy } from './schema';
import { modesFor } from './signedPolicy';
import {
  callBinding,
  makeStatementPayload,
  maxStatementChars,
  NonceCache,
  parseStatementToken,
  signStatement,
  statementRefusals,
  verifyStatement,
  type StatementContext,
  type StatementPayload,
} from './statement';

const fuzz = { seed: 20261125, numRuns: 300 };
/** Hundreds of runs (some with signatures) take seconds on a loaded machine. */
const fuzzTimeout = 120_000;
const now = new Date('2026-11-25T12:00:00Z');
const nowSec = now.getTime() / 1000;
const d = (id: string) => `${id}@whisperline.test`;
const callId = 'a84b4c76e66710@pc33.atlanta.example.com';

type Key = CryptoKeyPair & { pub: string };
async function newKey(): Promise<Key> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { ...pair, pub: bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))) };
}

/** Supervisor 1101 leads Support (1001, 1002); trainer 1201 may listen/whisper anywhere; QA 1301 listens anywhere. */
const keys: Record<string, Key> = {};
let stranger: Key;
let policy: OrgPolicy;
beforeAll(async () => {
  for (const id of ['1101', '1201', '1301', '1001']) keys[id] = await newKey();
  stranger = await newKey();
  const p: any = structuredClone(example);
  for (const person of p.people) {
    const k = keys[person.id.split('@')[0]];
    person.supervisorKeys = k ? [{ publicKey: k.pub, enrolledAt: '2026-11-01T00:00:00Z', label: `${person.name}'s laptop` }] : [];
  }
  const r = parsePolicy(p);
  if (!r.ok) throw new Error(r.reason);
  policy = r.policy;
});

const payload = (over: Partial<StatementPayload> = {}): StatementPayload => ({
  v: 1,
  sup: d('1101'),
  agent: d('1001'),
  call: callId,
  mode: 'whisper',
  iat: nowSec - 5,
  exp: nowSec + 55,
  nonce: bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16))),
  ...over,
});
const token = (over: Partial<StatementPayload> = {}, key: Key = keys['1101']) => signStatement(payload(over), key);
const ctx = (over: Partial<StatementContext> = {}): StatementContext => ({
  policy,
  agentId: d('1001'),
  callId,
  sipIdentity: d('1101'),
  requestedMode: 'whisper',
  now,
  seenNonces: new NonceCache(),
  ...over,
});
async function refused(t: string | Promise<string>, c: Partial<StatementContext> = {}) {
  const r = await verifyStatement(await t, ctx(c));
  expect(r.ok).toBe(false);
  return r.ok ? { code: 'accepted' } : r;
}

describe('statement token', () => {
  it('is three base64url segments of SIP token characters, and verifies', async () => {
    const t = await token();
    expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}\.[A-Za-z0-9_-]{43}$/);
    const r = await verifyStatement(t, ctx());
    expect(r).toMatchObject({ ok: true, statement: { sup: d('1101'), mode: 'whisper', call: callId }, keyLabel: "Demo Supervisor's laptop" });
  });

  it('fits the limit with the longest identities and Call-ID it carries as they are', async () => {
    const long = `${'u'.repeat(46)}@${'h'.repeat(17)}`;
    expect(long).toHaveLength(64);
    const t = await token({ sup: long, agent: long, call: 'c'.repeat(96), mode: 'takeover', iat: 2 ** 32 - 400, exp: 2 ** 32 });
    expect(t.length).toBeLessThanOrEqual(maxStatementChars);
  });

  it('names a long or awkward Call-ID by hash, so it still fits and still binds the call', async () => {
    const longId = `${'x'.repeat(500)}@pbx`;
    expect(await callBinding(callId)).toBe(callId);
    expect(await callBinding(longId)).toMatch(/^#[A-Za-z0-9_-]{22}$/);
    expect(await callBinding('abc"def\\@h')).toMatch(/^#/);
    expect(await callBinding('#abc')).not.toBe('#abc'); // a plain form never looks like a hash
    const p = await makeStatementPayload({ sup: d('1101'), agent: d('1001'), callId: longId, mode: 'listen', now });
    const t = await signStatement(p, keys['1101']);
    expect(t.length).toBeLessThanOrEqual(maxStatementChars);
    expect((await verifyStatement(t, ctx({ callId: longId, requestedMode: 'listen' }))).ok).toBe(true);
    expect(await refused(t, { callId: `${'x'.repeat(499)}y@pbx`, requestedMode: 'listen' })).toMatchObject({ code: 'other-call' });
  });

  it('makes fresh payloads: a 128-bit nonce each time, valid for a minute by default', async () => {
    const a = await makeStatementPayload({ sup: '1101@WhisperLine.test', agent: d('1001'), callId, mode: 'listen', now });
    const b = await makeStatementPayload({ sup: d('1101'), agent: d('1001'), callId, mode: 'listen', now });
    expect(a.nonce).not.toBe(b.nonce);
    expect(a).toMatchObject({ sup: d('1101'), iat: nowSec, exp: nowSec + 60 });
  });

  it('will not sign an invalid payload or one that overflows the header budget', async () => {
    await expect(signStatement(payload({ mode: 'shout' as SupervisionMode }), keys['1101'])).rejects.toThrow(/mode/);
    await expect(signStatement(payload({ exp: nowSec - 100 }), keys['1101'])).rejects.toThrow(/exp must be after iat/);
  });
});

describe('verifyStatement refusals', () => {
  it('has one SIP answer per check, 400 for malformed and 403 for refused', () => {
    const phrases = new Set(Object.values(statementRefusals).map((r) => r.reason));
    // Two pairs share a phrase on purpose (the machine code still tells them apart).
    expect(phrases.size).toBe(Object.keys(statementRefusals).length - 2);
    for (const [code, { status, reason }] of Object.entries(statementRefusals)) {
      expect(reason).toMatch(/^[A-Za-z ]{5,40}$/);
      expect(status).toBe(['missing', 'oversized', 'malformed'].includes(code) ? 400 : code === 'replay-cache-full' || code === 'replay-record-unavailable' ? 503 : 403);
    }
  });

  it('refuses missing, oversized and malformed tokens with 400', async () => {
    expect(await refused('')).toMatchObject({ status: 400, code: 'missing' });
    expect(await refused('A'.repeat(601))).toMatchObject({ status: 400, code: 'oversized', reason: 'Supervision Statement Too Long' });
    for (const bad of ['abc', 'a.b.c', 'a.b.c.d', `${bytesToBase64Url(new TextEncoder().encode('{}'))}.${'A'.repeat(86)}.${'A'.repeat(43)}`]) {
      expect(await refused(bad)).toMatchObject({ status: 400, code: 'malformed', reason: 'Malformed Supervision Statement' });
    }
  });

  it('refuses a correctly signed payload that is not in canonical form', async () => {
    const text = JSON.stringify(payload(), null, 1); // whitespace, schema order: same meaning, other bytes
    const bytes = new TextEncoder().encode(text);
    const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, keys['1101'].privateKey, bytes));
    const t = `${bytesToBase64Url(bytes)}.${bytesToBase64Url(sig)}.${bytesToBase64Url(Uint8Array.from(atob(keys['1101'].pub), (c) => c.charCodeAt(0)))}`;
    expect(await refused(t)).toMatchObject({ code: 'malformed', detail: expect.stringMatching(/canonical/) });
  });

  it('refuses everything when the app has no valid policy', async () => {
    expect(await refused(token(), { policy: null })).toMatchObject({ status: 403, code: 'no-policy' });
  });

  it('refuses a forged signature: another key passed off as the enrolled one, or a changed payload', async () => {
    const forged = (await token({}, stranger)).replace(/\.[^.]+$/, `.${bytesToBase64Url(Uint8Array.from(atob(keys['1101'].pub), (c) => c.charCodeAt(0)))}`);
    expect(await refused(forged)).toMatchObject({ status: 403, reason: 'Bad Supervision Signature', code: 'bad-signature' });
    const [p, s, k] = (await token({ mode: 'listen' })).split('.');
    const widened = bytesToBase64Url(new TextEncoder().encode(atob(p.replace(/-/g, '+').replace(/_/g, '/')).replace('"listen"', '"barge"')));
    expect(await refused(`${widened}.${s}.${k}`, { requestedMode: 'barge' })).toMatchObject({ code: 'bad-signature' });
  });

  it('refuses a key not enrolled for the supervisor named, even one enrolled for someone else', async () => {
    expect(await refused(token({}, stranger))).toMatchObject({ status: 403, reason: 'Supervisor Key Not Enrolled', code: 'key-not-enrolled' });
    expect(await refused(token({}, keys['1201']))).toMatchObject({ code: 'key-not-enrolled' }); // trainer's key claiming to be 1101
    expect(await refused(token({ sup: d('6666') }))).toMatchObject({ code: 'key-not-enrolled' });
  });

  it('accepts up to the skew past expiry and refuses after', async () => {
    expect((await verifyStatement(await token({ iat: nowSec - 90, exp: nowSec - 30 }), ctx())).ok).toBe(true);
    expect(await refused(token({ iat: nowSec - 91, exp: nowSec - 31 }))).toMatchObject({ status: 403, reason: 'Statement Expired', code: 'expired' });
    expect(await refused(token({ iat: nowSec - 91, exp: nowSec - 1 }), { skewSeconds: 0 })).toMatchObject({ code: 'expired' });
  });

  it('accepts a statement dated up to the skew ahead and refuses one further ahead', async () => {
    expect((await verifyStatement(await token({ iat: nowSec + 30, exp: nowSec + 90 }), ctx())).ok).toBe(true);
    expect(await refused(token({ iat: nowSec + 31, exp: nowSec + 91 }))).toMatchObject({ reason: 'Statement Not Yet Valid', code: 'not-yet-valid' });
  });

  it('refuses a statement valid for longer than five minutes', async () => {
    expect((await verifyStatement(await token({ iat: nowSec - 10, exp: nowSec + 290 }), ctx())).ok).toBe(true);
    expect(await refused(token({ iat: nowSec - 10, exp: nowSec + 291 }))).toMatchObject({ reason: 'Statement Lifetime Too Long', code: 'lifetime-too-long' });
    expect(await refused(token({ iat: nowSec - 10, exp: nowSec + 50 }), { maxLifetimeSeconds: 30 })).toMatchObject({ code: 'lifetime-too-long' });
  });

  it('refuses a replay, including two copies verified at the same moment', async () => {
    const t = await token();
    const seenNonces = new NonceCache();
    expect((await verifyStatement(t, ctx({ seenNonces }))).ok).toBe(true);
    expect(await refused(t, { seenNonces })).toMatchObject({ reason: 'Replayed Statement', code: 'replayed' });
    const u = await token();
    const both = await Promise.all([verifyStatement(u, ctx({ seenNonces })), verifyStatement(u, ctx({ seenNonces }))]);
    expect(both.map((r) => (r.ok ? 'ok' : r.code)).sort()).toEqual(['ok', 'replayed']);
  });

  it('does not let a refused attempt burn the nonce of a good statement', async () => {
    const t = await token({ mode: 'listen' });
    const seenNonces = new NonceCache();
    expect(await refused(t, { seenNonces, requestedMode: 'barge' })).toMatchObject({ code: 'mode-mismatch' });
    expect(await refused(t, { seenNonces, sipIdentity: d('1201'), requestedMode: 'listen' })).toMatchObject({ code: 'identity-mismatch' });
    expect((await verifyStatement(t, ctx({ seenNonces, requestedMode: 'listen' }))).ok).toBe(true);
  });

  it('refuses a statement for another agent, or for an agent outside the supervisor’s teams', async () => {
    expect(await refused(token({ agent: d('1002') }))).toMatchObject({ reason: 'Agent Outside Scope', code: 'agent-mismatch' });
    expect(await refused(token({ agent: d('1003') }), { agentId: d('1003') })).toMatchObject({ reason: 'Agent Outside Scope', code: 'agent-outside-scope' });
  });

  it('refuses mode escalation: a listen grant used to whisper or barge', async () => {
    for (const requestedMode of ['whisper', 'barge', 'takeover'] as const) {
      expect(await refused(token({ mode: 'listen' }), { requestedMode })).toMatchObject({ reason: 'Mode Not Allowed', code: 'mode-mismatch' });
    }
  });

  it('refuses a mode the role may not use', async () => {
    expect(await refused(token({ sup: d('1201'), mode: 'barge' }, keys['1201']), { requestedMode: 'barge', sipIdentity: d('1201') })).toMatchObject({
      reason: 'Mode Not Allowed',
      code: 'mode-not-allowed',
    });
  });

  it('refuses a statement for another call, or when the agent is on none', async () => {
    expect(await refused(token({ call: 'other-call@pc33' }))).toMatchObject({ reason: 'Statement For Another Call', code: 'other-call' });
    expect(await refused(token(), { callId: null })).toMatchObject({ code: 'other-call', detail: 'The agent is not on a call.' });
  });

  it('refuses a request whose SIP identity is not the signer named in the statement', async () => {
    expect(await refused(token(), { sipIdentity: d('1201') })).toMatchObject({ reason: 'Identity Mismatch', code: 'identity-mismatch' });
  });

  it('answers 503 rather than forget a live nonce when the replay cache is full', async () => {
    const seenNonces = new NonceCache(1);
    expect((await verifyStatement(await token(), ctx({ seenNonces }))).ok).toBe(true);
    expect(await refused(token(), { seenNonces })).toMatchObject({ status: 503, code: 'replay-cache-full' });
    // Once the first statement has expired, its nonce is forgotten and there is room again.
    const later = new Date(now.getTime() + 120_000);
    expect((await verifyStatement(await token({ iat: nowSec + 100, exp: nowSec + 160 }), ctx({ seenNonces, now: later }))).ok).toBe(true);
  });

  it('reports the first failing check in the documented order', async () => {
    // Unenrolled AND expired AND another agent AND another call: enrolment comes first.
    expect(await refused(token({ iat: nowSec - 500, exp: nowSec - 400, agent: d('1003'), call: 'x@y' }, stranger))).toMatchObject({ code: 'key-not-enrolled' });
    expect(await refused(token({ iat: nowSec - 500, exp: nowSec - 400, agent: d('1003'), call: 'x@y' }))).toMatchObject({ code: 'expired' });
    expect(await refused(token({ agent: d('1003'), mode: 'listen', call: 'x@y' }), { agentId: d('1003'), sipIdentity: 'x@y' })).toMatchObject({ code: 'agent-outside-scope' });
    expect(await refused(token({ mode: 'listen', call: 'x@y' }), { sipIdentity: 'x@y' })).toMatchObject({ code: 'mode-mismatch' });
    expect(await refused(token({ call: 'x@y' }), { sipIdentity: 'x@y' })).toMatchObject({ code: 'other-call' });
  });

  it('carries what the refused statement claimed, for the audit entry', async () => {
    expect(await refused(token({ mode: 'barge' }), { sipIdentity: d('1201'), requestedMode: 'barge' })).toMatchObject({ statement: { sup: d('1101'), mode: 'barge', agent: d('1001') } });
  });
});

describe('verifyStatement against a model of the rules (fuzz)', () => {
  it('accepts exactly when every rule holds', async () => {
    const people = ['1101', '1201', '1301', '1001'];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          sup: fc.constantFrom(...people),
          agent: fc.constantFrom('1001', '1003'),
          ctxAgent: fc.constantFrom('1001', '1003'),
          mode: fc.constantFrom(...supervisionModes),
          requested: fc.constantFrom(...supervisionModes),
          iatOffset: fc.integer({ min: -400, max: 100 }),
          lifetime: fc.integer({ min: 1, max: 400 }),
          caller: fc.constantFrom(...people),
          sameCall: fc.boolean(),
        }),
        async (c) => {
          const iat = nowSec + c.iatOffset;
          const exp = iat + c.lifetime;
          const t = await token({ sup: d(c.sup), agent: d(c.agent), mode: c.mode, iat, exp }, keys[c.sup]);
          const r = await verifyStatement(t, ctx({ agentId: d(c.ctxAgent), callId: c.sameCall ? callId : 'other@x', sipIdentity: d(c.caller), requestedMode: c.requested }));
          const expected =
            iat <= nowSec + 30 && nowSec <= exp + 30 && c.lifetime <= 300 && c.agent === c.ctxAgent && c.mode === c.requested && modesFor(policy, d(c.sup), d(c.agent)).includes(c.mode) && c.sameCall && c.caller === c.sup;
          expect(r.ok).toBe(expected);
        },
      ),
      { seed: 20261125, numRuns: 200 },
    );
  }, fuzzTimeout);
});

describe('statement parser (fuzz)', () => {
  it('never throws on arbitrary strings and refuses them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 700 }), fc.string({ unit: fc.constantFrom(...'Aa0_-.'.split('')), maxLength: 700 })), async (s) => {
        expect(() => parseStatementToken(s)).not.toThrow();
        expect((await verifyStatement(s, ctx())).ok).toBe(false);
      }),
      fuzz,
    );
  }, fuzzTimeout);

  it('refuses well-formed tokens with arbitrary payloads, signatures and keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), async (v, sig, pub) => {
        const t = `${bytesToBase64Url(new TextEncoder().encode(JSON.stringify(v) ?? ''))}.${bytesToBase64Url(sig)}.${bytesToBase64Url(pub)}`;
        const r = await verifyStatement(t, ctx());
        expect(r.ok ? 'accepted' : r.code).toMatch(/^(missing|malformed|oversized|bad-signature)$/);
      }),
      fuzz,
    );
  }, fuzzTimeout);

  it('refuses every one-character change of a valid token', async () => {
    const t = await token();
    expect((await verifyStatement(t, ctx())).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: t.length - 1 }), fc.oneof(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'.split('')), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), async (at, ch) => {
        fc.pre(t[at] !== ch);
        const changed = t.slice(0, at) + ch + t.slice(at + 1);
        expect((await verifyStatement(changed, ctx())).ok).toBe(false);
      }),
      fuzz,
    );
  }, fuzzTimeout);
});

describe('NonceCache', () => {
  it('remembers a nonce until its statement could no longer pass, then forgets it', () => {
    const cache = new NonceCache(2);
    expect(cache.add('a', 100, 50)).toBe(true);
    expect(cache.has('a', 100)).toBe(true);
    expect(cache.has('a', 101)).toBe(false);
    expect(cache.add('b', 200, 50)).toBe(true);
    expect(cache.add('c', 200, 60)).toBe(false); // full of live nonces
    expect(cache.add('c', 200, 101)).toBe(true); // 'a' is swept
    expect(cache.size).toBe(2);
  });
});
