import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { examplePolicy } from '../node/adminCli';
import { base64UrlToBytes, bytesToBase64, bytesToBase64Url, canonicalJson } from '../shared/policy/canonical';
import type { SupervisionCheck } from '../shared/policy/gate';
import type { OrgPolicy } from '../shared/policy/schema';
import { signPolicy, verifySignedPolicy } from '../shared/policy/signedPolicy';
import { callBinding } from '../shared/policy/statement';
import { AuditLog } from './audit/log';
import { FileReplayRecord } from './policy/replayRecord';
import { openSupervisorKey, type SupervisorKey } from './policy/supervisorKey';
import type { SafeStorageLike } from './secrets';
import { createSupervisionServices, type SupervisionParts } from './supervisionHost';

const now = new Date('2026-11-25T12:00:00Z');
const sup = '1101@whisperline.test';
const agent = '1001@whisperline.test';
const callId = 'a84b4c76e66710@pc33.atlanta.example.com';

// Stands in for the OS keychain (as in supervisorKey.test.ts).
const keychain: SafeStorageLike = {
  isEncryptionAvailable: () => true,
  encryptString: (p) => Buffer.from(`enc:${p}`),
  decryptString: (b) => b.toString().slice(4),
};

let supKey: SupervisorKey;
let policy: OrgPolicy;
beforeAll(async () => {
  let stored: string | undefined;
  supKey = await openSupervisorKey({ safeStorage: keychain, slot: { get: () => stored, set: (v) => (stored = v) } });
  // The example policy with this desk's key enrolled for 1101, signed by a fresh admin key and
  // verified as the managed loader does.
  const admin = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const adminPub = bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', admin.publicKey)));
  const input = examplePolicy({ domain: 'whisperline.test', issuedAt: '2026-11-01T00:00:00Z', expiresAt: '2027-11-01T00:00:00Z' });
  input.people.find((p) => p.id === sup)!.supervisorKeys = [{ publicKey: supKey.publicKey(), enrolledAt: '2026-11-01T00:00:00Z', label: 'Demo Supervisor laptop' }];
  const v = await verifySignedPolicy(JSON.stringify(await signPolicy(input, admin.privateKey, adminPub)), adminPub, now);
  if (!v.ok) throw new Error(v.reason);
  policy = v.policy;
});

let dir: string;
let logPath: string;
let log: AuditLog;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wl-supervision-'));
  logPath = join(dir, 'audit', 'audit.log');
  log = new AuditLog(logPath);
});
afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

function services(over: Partial<SupervisionParts> = {}) {
  return createSupervisionServices({ policy: () => policy, auditLog: log, supervisorKey: async () => supKey, now: () => now, ...over });
}
const onDisk = () =>
  readFileSync(logPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const req = (token: string | null, over: Partial<SupervisionCheck> = {}): SupervisionCheck => ({ step: 'join', token, agentId: agent, callId, sipIdentity: sup, mode: 'listen', ...over });

async function signed(s: ReturnType<typeof services>, binding = '*', mode: SupervisionCheck['mode'] = 'listen', nonce?: string): Promise<string> {
  const r = await s.signSupervision({ sup, agent, binding, mode, ...(nonce ? { nonce } : {}) });
  if (!r.ok) throw new Error(r.reason);
  return r.token;
}

/** A join as the apps make it: the INVITE's statement, then the answer to the agent's challenge. */
async function joinAndProve(s: ReturnType<typeof services>, token: string) {
  const join = await s.checkSupervision(req(token));
  if (!join.ok || !join.challenge) return join;
  return s.checkSupervision(req(await signed(s, await callBinding(callId), 'listen', join.challenge), { step: 'proof', challenge: join.challenge }));
}

describe('checkSupervision', () => {
  it('allows a valid join signed by this desk’s key once its challenge is answered, with the join on disk before the answer', async () => {
    const s = services();
    const token = await signed(s);
    const order: string[] = [];
    // Runs once the entry is written and fsync'ed, before append resolves.
    log.onAppend((e) => order.push(`on disk: ${e.action} (${onDisk().length} line)`));
    const join = await s.checkSupervision(req(token));
    // Passing the checks grants nothing yet: a challenge, and nothing recorded until it is answered.
    expect(join).toEqual({ ok: true, supervisor: sup, keyLabel: 'Demo Supervisor laptop', modes: ['listen', 'whisper', 'barge', 'takeover'], notice: policy.agentNotice, challenge: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    expect(order).toEqual([]);
    const challenge = join.ok ? join.challenge! : '';
    const answer = await signed(s, await callBinding(callId), 'listen', challenge);
    const verdict = await s.checkSupervision(req(answer, { step: 'proof', challenge })).then((v) => (order.push('answered'), v));
    expect(verdict).toEqual({ ok: true, supervisor: sup, keyLabel: 'Demo Supervisor laptop', modes: ['listen', 'whisper', 'barge', 'takeover'], notice: policy.agentNotice });
    expect(order).toEqual(['on disk: join (1 line)', 'answered']);
    expect(onDisk()).toEqual([expect.objectContaining({ seq: 1, action: 'join', actor: sup, subject: agent, call: callId, mode: 'listen', result: 'ok' })]);
  });

  it('refuses a join whose challenge is not answered, answered with a fresh random nonce, by another key, for another call, or twice', async () => {
    const s = services();
    const challenges: string[] = [];
    for (let i = 0; i < 5; i++) {
      const j = await s.checkSupervision(req(await signed(s)));
      challenges.push(j.ok ? j.challenge! : '');
    }
    const binding = await callBinding(callId);
    const proof = (token: string | null, challenge: string, over: Partial<SupervisionCheck> = {}) => s.checkSupervision(req(token, { step: 'proof', challenge, ...over }));
    // No answer (a replayed INVITE's sender has no key): the app asks the gate with none.
    expect(await proof(null, challenges[0])).toMatchObject({ ok: false, status: 403, reason: 'Supervision Not Proven', code: 'unproven' });
    // A valid statement, but not for this challenge (e.g. a captured mode change).
    expect(await proof(await signed(s, binding), challenges[1])).toMatchObject({ ok: false, code: 'unproven', detail: expect.stringMatching(/not signed for this challenge/) });
    // Another enrolled person's key, answering someone else's challenge.
    const other = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    const { makeStatementPayload, signStatement } = await import('../shared/policy/statement');
    const foreign = await signStatement(await makeStatementPayload({ sup, agent, binding, mode: 'listen', now, nonce: challenges[2] }), other as CryptoKeyPair);
    expect(await proof(foreign, challenges[2])).toMatchObject({ ok: false, code: 'key-not-enrolled' });
    expect(await proof(await signed(s, binding, 'listen', challenges[3]), challenges[3], { callId: 'another-call@pbx' })).toMatchObject({ ok: false, code: 'unproven', detail: expect.stringMatching(/another call/) });
    // A challenge is taken once, whatever the first answer was.
    const good = await signed(s, binding, 'listen', challenges[4]);
    expect(await proof(good, challenges[4])).toMatchObject({ ok: true });
    expect(await proof(await signed(s, binding, 'listen', challenges[4]), challenges[4])).toMatchObject({ ok: false, code: 'unproven', detail: expect.stringMatching(/unknown or no longer open/) });
    expect(await proof(good, 'AAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({ ok: false, code: 'unproven' });
    expect(onDisk().map((e) => `${e.action} ${e.result}`)).toEqual(['refusal refused', 'refusal refused', 'refusal refused', 'refusal refused', 'join ok', 'refusal refused', 'refusal refused']);
    expect(onDisk()[0].reason).toMatch(/^403 Supervision Not Proven: .*did not answer the challenge/);
  });

  it('answers with what the policy says the agent is shown, not a setting of the agent’s', async () => {
    const quiet = { ...policy, agentNotice: { notifyAgent: false, allowDecline: true } };
    const s = services({ policy: () => quiet });
    expect(await s.checkSupervision(req(await signed(s)))).toMatchObject({ ok: true, notice: { notifyAgent: false, allowDecline: true } });
  });

  it('refuses the same token again as a replay, and records the refusal', async () => {
    const s = services();
    const token = await signed(s);
    expect((await joinAndProve(s, token)).ok).toBe(true);
    expect(await s.checkSupervision(req(token))).toMatchObject({ ok: false, status: 403, reason: 'Replayed Statement', code: 'replayed' });
    expect(onDisk().map((e) => [e.action, e.result])).toEqual([
      ['join', 'ok'],
      ['refusal', 'refused'],
    ]);
    expect(onDisk()[1].reason).toMatch(/^403 Replayed Statement: /);
  });

  it('refuses a forged statement (payload changed after signing) and records it', async () => {
    const s = services();
    const [payload, sig, pub] = (await signed(s)).split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64UrlToBytes(payload)!));
    const forged = `${bytesToBase64Url(new TextEncoder().encode(canonicalJson({ ...claims, mode: 'barge' })))}.${sig}.${pub}`;
    expect(await s.checkSupervision(req(forged, { mode: 'barge' }))).toMatchObject({ ok: false, status: 403, reason: 'Bad Supervision Signature' });
    expect(onDisk()).toEqual([expect.objectContaining({ action: 'refusal', result: 'refused', actor: sup, mode: 'barge', reason: expect.stringMatching(/^403 Bad Supervision Signature/) })]);
  });

  it('allows a change of mode that names the call the agent reported', async () => {
    const s = services();
    const token = await signed(s, await callBinding(callId), 'whisper');
    expect(await s.checkSupervision(req(token, { step: 'mode', mode: 'whisper' }))).toMatchObject({ ok: true });
    // ...but never "the current call": that is for a join only.
    const loose = await signed(s, '*', 'whisper');
    expect(await s.checkSupervision(req(loose, { step: 'mode', mode: 'whisper' }))).toMatchObject({ ok: false, code: 'other-call' });
    expect(onDisk().map((e) => e.action)).toEqual(['mode', 'refusal']);
  });

  it('refuses everything without a policy, after asking for a reload once', async () => {
    const reloadPolicy = vi.fn(async () => undefined);
    const s = services({ policy: () => null, reloadPolicy });
    expect(await s.checkSupervision(req(await signed(s)))).toMatchObject({ ok: false, status: 403, reason: 'No Supervision Policy' });
    expect(reloadPolicy).toHaveBeenCalledTimes(1);
    expect(onDisk()).toEqual([expect.objectContaining({ action: 'refusal', reason: expect.stringMatching(/^403 No Supervision Policy/) })]);
  });

  it('uses a policy the reload found (the app was asked before its first load finished)', async () => {
    let current: OrgPolicy | null = null;
    const s = services({ policy: () => current, reloadPolicy: async () => void (current = policy) });
    expect(await joinAndProve(s, await signed(s))).toMatchObject({ ok: true });
    expect(onDisk().map((e) => e.action)).toEqual(['join']);
  });

  it('never uses a policy past its expiry, even before the watcher reloads', async () => {
    const later = new Date('2027-11-01T00:00:01Z');
    const s = services({ now: () => later });
    expect(await s.checkSupervision(req(await signed(s)))).toMatchObject({ ok: false, reason: 'No Supervision Policy' });
  });

  it('refuses with 503 when the audit log cannot be written (a folder where the file should be)', async () => {
    mkdirSync(logPath, { recursive: true });
    const s = services();
    const verdict = await joinAndProve(s, await signed(s));
    expect(verdict).toMatchObject({ ok: false, status: 503, reason: 'Audit Log Unavailable', code: 'audit-unavailable' });
    expect(verdict.ok).toBe(false);
    expect(await s.recordSupervision({ actor: sup, subject: agent, call: callId, action: 'leave', result: 'ok' })).toBe(false);
  });

  it('refuses with 503 once the audit log is closed', async () => {
    const s = services();
    await log.close();
    expect(await joinAndProve(s, await signed(s))).toMatchObject({ ok: false, status: 503, reason: 'Audit Log Unavailable' });
  });

  it('answers a bug with a refusal (500), not a rejection, and records it', async () => {
    const s = services();
    const broken = { ...req(await signed(s)), agentId: undefined as unknown as string };
    expect(await s.checkSupervision(broken)).toMatchObject({ ok: false, status: 500, reason: 'Supervision Check Failed' });
    expect(onDisk()).toEqual([expect.objectContaining({ action: 'refusal', subject: '-', reason: expect.stringMatching(/^500 Supervision Check Failed/) })]);
  });
});

describe('recordSupervision', () => {
  it('appends the event durably and says so', async () => {
    const s = services();
    expect(await s.recordSupervision({ actor: sup, subject: agent, call: callId, action: 'leave', mode: 'listen', durationMs: 4200, result: 'ok' })).toBe(true);
    expect(onDisk()).toEqual([expect.objectContaining({ action: 'leave', durationMs: 4200 })]);
  });
});

describe('signSupervision', () => {
  it('refuses what no statement can carry, in words', async () => {
    const s = services();
    expect(await s.signSupervision({ sup: 'not an identity', agent, binding: '*', mode: 'listen' })).toMatchObject({ ok: false, reason: expect.stringMatching(/Your identity "not an identity" is not a SIP identity/) });
    expect(await s.signSupervision({ sup, agent: '', binding: '*', mode: 'listen' })).toMatchObject({ ok: false, reason: expect.stringMatching(/The agent "" is not/) });
    expect(await s.signSupervision({ sup, agent, binding: 'a"b', mode: 'listen' })).toMatchObject({ ok: false, reason: expect.stringMatching(/binding/) });
  });

  it('says so when the key cannot be opened', async () => {
    const s = services({ supervisorKey: async () => Promise.reject(new Error('keychain locked')) });
    expect(await s.signSupervision({ sup, agent, binding: '*', mode: 'listen' })).toEqual({ ok: false, reason: 'Your supervision key could not sign the request (keychain locked).' });
  });

  it('normalises identities the way the gate compares them', async () => {
    const s = services();
    const r = await s.signSupervision({ sup: ' 1101@WhisperLine.test ', agent: '1001@WHISPERLINE.TEST', binding: '*', mode: 'listen' });
    expect(r.ok).toBe(true);
    expect(await s.checkSupervision(req(r.ok ? r.token : null))).toMatchObject({ ok: true });
  });
});

describe('verifyAudit', () => {
  const fill = async (s: ReturnType<typeof services>) => {
    expect((await joinAndProve(s, await signed(s))).ok).toBe(true);
    await s.recordSupervision({ actor: sup, subject: agent, call: callId, action: 'leave', result: 'ok' });
    await s.recordSupervision({ actor: sup, subject: agent, call: callId, action: 'prompt', result: 'ok' });
  };

  it('reports an empty trail as intact when nothing was recorded yet', async () => {
    expect(await services().verifyAudit()).toEqual({ ok: true, entries: 0, message: '0 entries, chain intact (nothing recorded yet).' });
  });

  it('reports an intact chain', async () => {
    const s = services();
    await fill(s);
    expect(await s.verifyAudit()).toEqual({ ok: true, entries: 3, message: '3 entries, chain intact.' });
  });

  it('finds one changed byte', async () => {
    const s = services();
    await fill(s);
    const text = readFileSync(logPath, 'utf8');
    const at = text.indexOf('"leave"') + 2;
    writeFileSync(logPath, `${text.slice(0, at)}L${text.slice(at + 1)}`); // leave → Leave, same length
    const r = await s.verifyAudit();
    expect(r).toMatchObject({ ok: false, entries: 1 });
    expect(r.message).toMatch(/^The audit trail is broken at line 2: /);
  });

  it('finds entries cut off the end, which the chain alone cannot show', async () => {
    const s = services();
    await fill(s);
    const text = readFileSync(logPath, 'utf8');
    truncateSync(logPath, text.lastIndexOf('\n', text.length - 2) + 1);
    const r = await s.verifyAudit();
    expect(r).toMatchObject({ ok: false, entries: 2 });
    expect(r.message).toMatch(/cut off the end/);
  });

  it('says the log is gone when it was deleted after this app wrote to it', async () => {
    const s = services();
    await fill(s);
    rmSync(logPath);
    expect(await s.verifyAudit()).toMatchObject({ ok: false, entries: 0, message: expect.stringMatching(/is gone, though this app recorded entries up to seq 3/) });
  });
});

describe('a captured join after the desktop app restarts (main process under Node, same userData)', () => {
  const replayPath = () => join(dir, 'audit', 'used-statements.jsonl');
  /** A fresh main process: a new audit log object and gate over the same files. */
  const restarted = async (at = now) => {
    await log.close();
    log = new AuditLog(logPath);
    return services({ replay: new FileReplayRecord(replayPath(), { now: () => at }), now: () => at });
  };

  it('is refused as a replay within its lifetime + skew, and as expired after; both recorded', async () => {
    const before = services({ replay: new FileReplayRecord(replayPath(), { now: () => now }) });
    const token = await signed(before);
    expect((await joinAndProve(before, token)).ok).toBe(true);
    const again = await restarted();
    expect(await again.checkSupervision(req(token))).toMatchObject({ ok: false, status: 403, reason: 'Replayed Statement' });
    // 60 s lifetime + 30 s skew: past that the expiry check answers, whatever the record holds.
    const later = await restarted(new Date(now.getTime() + 91_000));
    expect(await later.checkSupervision(req(token))).toMatchObject({ ok: false, status: 403, reason: 'Statement Expired' });
    expect(onDisk().map((e) => `${e.action} ${String(e.reason ?? '').replace(/:.*/, '')}`.trim())).toEqual(['join', 'refusal 403 Replayed Statement', 'refusal 403 Statement Expired']);
  });

  it('cannot answer a challenge made before the restart, even with a valid answer captured then', async () => {
    const before = services({ replay: new FileReplayRecord(replayPath(), { now: () => now }) });
    const join1 = await before.checkSupervision(req(await signed(before)));
    const challenge = join1.ok ? join1.challenge! : '';
    const answer = await signed(before, await callBinding(callId), 'listen', challenge);
    const again = await restarted();
    expect(await again.checkSupervision(req(answer, { step: 'proof', challenge }))).toMatchObject({ ok: false, status: 403, reason: 'Supervision Not Proven' });
  });

  it('a join whose statement nobody recorded (a second desk) still needs its own challenge answered', async () => {
    const token = await signed(services());
    const desk2 = services({ replay: new FileReplayRecord(join(dir, 'desk2.jsonl'), { now: () => now }) });
    const join2 = await desk2.checkSupervision(req(token));
    expect(join2).toMatchObject({ ok: true, challenge: expect.any(String) });
    // What the captured request's sender can send: no answer, or an answer made for another challenge.
    expect(await desk2.checkSupervision(req(null, { step: 'proof', challenge: join2.ok ? join2.challenge : '' }))).toMatchObject({ ok: false, reason: 'Supervision Not Proven' });
  });

  it('refuses with 503 when the record cannot be written, and records that', async () => {
    writeFileSync(join(dir, 'not-a-dir'), '');
    const s = services({ replay: new FileReplayRecord(join(dir, 'not-a-dir', 'used.jsonl')) });
    expect(await s.checkSupervision(req(await signed(s)))).toMatchObject({ ok: false, status: 503, reason: 'Replay Record Unavailable' });
    expect(onDisk()).toEqual([expect.objectContaining({ action: 'refusal', reason: expect.stringMatching(/^503 Replay Record Unavailable/) })]);
  });
});
