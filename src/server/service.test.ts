import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from './blobStore';
import { examplePolicy } from '../node/adminCli';
import type { CallRecord, HistoryEntry } from '../shared/callHistory';
import { bytesToBase64 } from '../shared/policy/canonical';
import { parsePolicy, type OrgPolicy } from '../shared/policy/schema';
import { OrgClient } from '../shared/org/client';
import { makeOrgRequest, type OrgSigner } from '../shared/org/envelope';
import { derive } from '../shared/org/report';
import { newEvaluationId, type EvaluationInput } from '../shared/org/qa';
import { openPglite, type SqlDb } from './db';
import { migrate } from './migrations';
import { fixedPolicySource } from './policySource';
import { OrgService } from './service';

const domain = 'pbx.test';
const id = (ext: string) => `${ext}@${domain}`;

async function signerFor(): Promise<OrgSigner> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
  return { publicKey, sign: async (bytes) => new Uint8Array(await crypto.subtle.sign('Ed25519', pair.privateKey, bytes)) };
}

function call(n: number, o: Partial<CallRecord> = {}): CallRecord {
  const start = Date.parse('2026-11-10T09:00:00Z') + n * 600_000;
  return {
    id: `call-${n}`,
    direction: 'inbound',
    remote: 'sip:customer@trunk',
    remoteName: '',
    startedAt: new Date(start).toISOString(),
    answeredAt: new Date(start + 5_000).toISOString(),
    endedAt: new Date(start + 5_000 + 300_000).toISOString(),
    holdSeconds: 10,
    transfers: 0,
    outcome: 'answered',
    reason: '',
    ...o,
  };
}

describe('org service (embedded store)', () => {
  let db: SqlDb;
  let service: OrgService;
  let url: string;
  let policy: OrgPolicy;
  let blobDir: string;
  const keys: Record<string, OrgSigner> = {};
  const client = (ext: string, signer = keys[ext]) => new OrgClient({ url, identity: id(ext), signer });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { ok: boolean; code?: string; reason?: string } };
  };
  const refusals = () => db.query<{ code: string; claimed_from: string }>('select code, claimed_from from refusals order by id');
  const callCount = async () => (await db.query<{ n: number }>('select count(*)::int as n from calls'))[0].n;

  beforeAll(async () => {
    for (const ext of ['1001', '1002', '1003', '1101', '1301']) keys[ext] = await signerFor();
    const input = examplePolicy({ domain, issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2027-12-31T00:00:00Z' });
    input.people = input.people.map((p) => (keys[p.id.split('@')[0]] ? { ...p, supervisorKeys: [{ publicKey: keys[p.id.split('@')[0]].publicKey, enrolledAt: '2026-01-01T00:00:00Z', label: 'desk' }] } : p));
    input.orgService = { url: 'http://127.0.0.1:1' };
    input.qa = { scorecards: [{ id: 'basic', name: 'Basic call quality', items: [{ id: 'greeting', label: 'Greeting', points: 5 }, { id: 'resolution', label: 'Resolution', points: 10 }] }] };
    const parsed = parsePolicy(input);
    if (!parsed.ok) throw new Error(parsed.reason);
    policy = parsed.policy;
    db = await openPglite(':memory:');
    await migrate(db);
    blobDir = await mkdtemp(join(tmpdir(), 'wl-org-blobs-'));
    service = new OrgService({ db, blobs: new FileBlobStore(blobDir), policy: fixedPolicySource(() => ({ ok: true, policy, keyId: 'test' })), log: () => undefined });
    url = await service.listen(0);
  });
  afterAll(async () => {
    await service?.close();
    await db?.close();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  it('stores an agent’s calls and wrap-ups once, however often they are sent', async () => {
    const entries: HistoryEntry[] = [
      { kind: 'call', call: call(1) },
      { kind: 'call', call: call(2, { coaching: { role: 'agent', with: 'Demo Supervisor', prompts: 1, acknowledged: 1, modes: ['listen', 'whisper'] } }) },
      { kind: 'call', call: call(3, { coaching: { role: 'agent', with: 'Demo Supervisor', prompts: 0, acknowledged: 0, modes: ['barge'] }, transfers: 1 }) },
      { kind: 'wrapup', callId: 'call-1', wrapUp: { disposition: 'Resolved', resolved: true, note: '' }, at: '2026-11-10T09:06:00Z' },
      { kind: 'wrapup', callId: 'call-2', wrapUp: { disposition: 'Callback', resolved: false, note: '' }, at: '2026-11-10T09:16:00Z' },
    ];
    const first = await client('1001').upload(entries);
    expect(first).toMatchObject({ ok: true, value: { received: 5, stored: { calls: 3, wrapups: 2, sessions: 0 } } });
    // The acknowledgement was lost and the desk sends the batch again (a new request): nothing doubles.
    const again = await client('1001').upload(entries);
    expect(again).toMatchObject({ ok: true, value: { stored: { calls: 0 } } });
    expect(await callCount()).toBe(3);
  });

  it('refuses a captured request sent again, an old one, a forged one and another desk’s key, and records each', async () => {
    const before = await callCount();
    const body = { entries: [{ kind: 'call', call: call(10) }] };
    const captured = await makeOrgRequest('upload', id('1001'), body, keys['1001']);
    expect((await post('/v1/upload', captured)).status).toBe(200);
    const replay = await post('/v1/upload', captured);
    expect(replay).toMatchObject({ status: 409, body: { ok: false, code: 'replayed' } });
    // And after a restart of the service: the used nonces are in the database, not in its memory.
    await service.close();
    service = new OrgService({ db, blobs: new FileBlobStore(blobDir), policy: fixedPolicySource(() => ({ ok: true, policy, keyId: 'test' })), log: () => undefined });
    url = await service.listen(0);
    expect((await post('/v1/upload', captured)).body.code).toBe('replayed');

    const stale = await makeOrgRequest('upload', id('1001'), { entries: [{ kind: 'call', call: call(11) }] }, keys['1001'], new Date(Date.now() - 3600_000));
    expect((await post('/v1/upload', stale)).body.code).toBe('stale');

    const forged = { ...captured, envelope: { ...captured.envelope, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', body: { entries: [{ kind: 'call', call: call(12) }] } } };
    expect((await post('/v1/upload', forged)).body.code).toBe('bad-signature');

    // 1002's own, enrolled key, claiming to be 1001.
    expect((await client('1001', keys['1002']).upload([{ kind: 'call', call: call(13) }])).ok).toBe(false);
    const asOther = await post('/v1/upload', await makeOrgRequest('upload', id('1001'), body, keys['1002']));
    expect(asOther.body.code).toBe('key-not-enrolled');

    expect((await post('/v1/upload', '{"not":')).body.code).toBe('malformed');
    expect((await post('/v1/upload', { envelope: { v: 1 }, signature: '' })).body.code).toBe('malformed');
    const huge = await post('/v1/upload', 'x'.repeat(1024 * 1024 + 10));
    expect(huge).toMatchObject({ status: 413, body: { code: 'too-large' } });

    expect(await callCount()).toBe(before + 1);
    const codes = (await refusals()).map((r) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['replayed', 'stale', 'bad-signature', 'key-not-enrolled', 'malformed', 'too-large']));
  });

  it('refuses a supervision session on an agent outside the supervisor’s teams', async () => {
    const session = (n: number, agent: string): HistoryEntry => ({
      kind: 'call',
      call: call(n, { direction: 'outbound', remote: `sip:${agent}@${domain}`, coaching: { role: 'supervisor', with: agent, talkSeconds: 30, prompts: 2, acknowledged: 1, modes: ['listen', 'whisper'] } }),
    });
    const outside = await client('1101').upload([session(20, '1003')]);
    expect(outside).toMatchObject({ ok: false, status: 403, code: 'out-of-scope' });
    const inside = await client('1101').upload([session(21, '1001')]);
    expect(inside).toMatchObject({ ok: true, value: { stored: { sessions: 1 } } });
  });

  it('answers reports only within the asker’s scope, with the figures the calls give', async () => {
    await client('1003').upload([{ kind: 'call', call: call(30) }]);
    const lead = await client('1101').report({ from: '2026-11-01', to: '2026-11-30' });
    if (!lead.ok) throw new Error(lead.reason);
    expect(lead.value.scope).toBe('teams');
    expect(lead.value.agents.map((a) => a.agent).sort()).toEqual([id('1001'), id('1002')]);
    const agent = lead.value.agents.find((a) => a.agent === id('1001'))!;
    expect(agent.all.calls).toBe(4);
    expect(agent.coached.calls).toBe(2);
    expect(derive(agent.all).ahtSeconds).toBeCloseTo(300, 0);
    // Two wrapped up, one resolved.
    expect(derive(agent.all).fcr).toBeCloseTo(0.5, 5);
    expect(agent.all.escalated).toBe(1);
    expect(lead.value.supervisors).toEqual([expect.objectContaining({ supervisor: id('1101'), sessions: 1, talkSeconds: 30, prompts: 2, byMode: expect.objectContaining({ whisper: 1 }) })]);
    expect(lead.value.teams.map((t) => t.team)).toEqual(['support']);

    const outside = await client('1101').report({ from: '2026-11-01', to: '2026-11-30', teams: ['sales'] });
    expect(outside).toMatchObject({ ok: false, code: 'out-of-scope' });

    const own = await client('1002').report({ from: '2026-11-01', to: '2026-11-30' });
    expect(own.ok && own.value.agents.map((a) => a.agent)).toEqual([id('1002')]);

    const qa = await client('1301').report({ from: '2026-11-01', to: '2026-11-30' });
    expect(qa.ok && qa.value.scope).toBe('all');
    expect(qa.ok && qa.value.totals.all.calls).toBe(5);

    const empty = await client('1101').report({ from: '2026-12-01', to: '2026-12-02' });
    expect(empty.ok && empty.value.totals.all.calls).toBe(0);
    expect(empty.ok && derive(empty.value.totals.all).fcr).toBeNull();
  });

  it('lets a reviewer score a call in their scope, the agent alone acknowledge it, and reports count it', async () => {
    const evaluation = (o: Partial<EvaluationInput> = {}): EvaluationInput => ({
      id: newEvaluationId(),
      agent: id('1001'),
      callId: 'call-1',
      scorecard: 'basic',
      scores: { greeting: 4, resolution: 8 },
      comments: [{ atMs: 65_000, text: 'Good hold etiquette' }, { atMs: 5_000, text: 'Warm greeting' }],
      ...o,
    });
    const first = evaluation();
    const saved = await client('1301').evaluate(first);
    if (!saved.ok) throw new Error(saved.reason);
    expect(saved.value).toMatchObject({ points: 12, maxPoints: 15, evaluator: id('1301'), acknowledgedAt: null, comments: [{ atMs: 5_000 }, { atMs: 65_000 }] });
    // Sent again after a lost answer: the same evaluation, stored once.
    expect(await client('1301').evaluate(first)).toMatchObject({ ok: true, value: { id: first.id } });

    expect(await client('1001').evaluate(evaluation({ agent: id('1002') }))).toMatchObject({ ok: false, code: 'out-of-scope' });
    expect(await client('1101').evaluate(evaluation({ agent: id('1003'), callId: 'call-30' }))).toMatchObject({ ok: false, code: 'out-of-scope' });
    expect(await client('1301').evaluate(evaluation({ scores: { greeting: 6, resolution: 1 } }))).toMatchObject({ ok: false, code: 'malformed', reason: expect.stringMatching(/above its 5 points/) });
    expect(await client('1301').evaluate(evaluation({ scores: { greeting: 1 } }))).toMatchObject({ ok: false, code: 'malformed' });
    expect(await client('1301').evaluate(evaluation({ scorecard: 'nope' }))).toMatchObject({ ok: false, code: 'malformed' });

    expect(await client('1002').acknowledge({ id: first.id })).toMatchObject({ ok: false, code: 'not-found' });
    expect(await client('1002').evaluations({})).toMatchObject({ ok: true, value: [] });
    const mine = await client('1001').evaluations({ unacknowledged: true });
    expect(mine.ok && mine.value.map((e) => e.id)).toEqual([first.id]);
    const lead = await client('1101').evaluations({ agent: id('1001') });
    expect(lead.ok && lead.value).toHaveLength(1);
    expect(await client('1101').evaluations({ agent: id('1003') })).toMatchObject({ ok: false, code: 'out-of-scope' });

    const ack = await client('1001').acknowledge({ id: first.id, comment: 'Thanks, noted' });
    expect(ack).toMatchObject({ ok: true, value: { agentComment: 'Thanks, noted', acknowledgedAt: expect.any(String) } });
    expect(await client('1001').evaluations({ unacknowledged: true })).toMatchObject({ ok: true, value: [] });

    const report = await client('1101').report({ from: '2026-11-01', to: '2026-11-30' });
    const row = report.ok ? report.value.agents.find((a) => a.agent === id('1001')) : undefined;
    expect(row?.qa).toEqual({ evaluations: 1, points: 12, maxPoints: 15, acknowledged: 1 });
    expect(report.ok && report.value.totals.qa.evaluations).toBe(1);
  });

  it('keeps a desk’s own recordings only, assembles them byte for byte, and plays them to reviewers in scope alone', async () => {
    const wav = new Uint8Array(44 + 2 * 16_000 * 3).map((_, i) => (i * 13) & 0xff);
    const meta = {
      id: 'rec-0001-abcdef',
      callId: 'call-1',
      agent: id('1001'),
      remote: 'sip:customer@trunk',
      direction: 'inbound' as const,
      startedAt: '2026-11-10T09:10:00.000Z',
      sampleRate: 16_000,
      tracks: ['customer' as const],
      coachingStorage: 'with-call' as const,
      retentionDays: 0,
      coachingRetentionDays: 0,
      agentNotified: true,
    };
    const detail = { meta, endedAt: '2026-11-10T09:15:00.000Z', durationMs: 3000, timeline: [], trackBytes: { customer: wav.length } };
    const piece = (offset: number, length: number) => ({ part: 'piece' as const, id: meta.id, track: 'customer' as const, offset, data: Buffer.from(wav.subarray(offset, offset + length)).toString('base64') });

    // Another desk cannot send 1001's recording, nor add to it.
    expect(await client('1002').uploadRecording({ part: 'detail', detail })).toMatchObject({ ok: false, code: 'out-of-scope' });
    expect(await client('1001').uploadRecording(piece(0, 100))).toMatchObject({ ok: false, code: 'not-found' });
    expect(await client('1001').uploadRecording({ part: 'detail', detail })).toMatchObject({ ok: true });
    expect(await client('1002').uploadRecording(piece(0, 100))).toMatchObject({ ok: false, code: 'out-of-scope' });
    expect(await client('1001').uploadRecording({ ...piece(0, 100), offset: wav.length - 10 })).toMatchObject({ ok: false, code: 'malformed' });

    const half = 50_000;
    expect(await client('1001').uploadRecording(piece(0, half))).toMatchObject({ ok: true, value: { complete: false } });
    // Not listed until every piece is in.
    expect(await client('1101').recordings({})).toMatchObject({ ok: true, value: [] });
    // A piece sent twice (its answer lost) is stored once.
    expect(await client('1001').uploadRecording(piece(0, half))).toMatchObject({ ok: true, value: { complete: false } });
    expect(await client('1001').uploadRecording(piece(half, wav.length - half))).toMatchObject({ ok: true, value: { complete: true } });

    const listed = await client('1101').recordings({});
    expect(listed.ok && listed.value.map((r) => r.meta.id)).toEqual([meta.id]);
    const track = await client('1101').recordingTrack(meta.id, 'customer');
    expect(track.ok && Buffer.from(track.value).equals(Buffer.from(wav))).toBe(true);
    expect(await client('1101').recording(meta.id)).toMatchObject({ ok: true, value: { meta: { id: meta.id }, endedAt: detail.endedAt } });
    // The Sales agent may hear their own calls only; the QA reviewer hears every team's.
    expect(await client('1003').recordings({})).toMatchObject({ ok: true, value: [] });
    expect(await client('1003').recordingTrack(meta.id, 'customer')).toMatchObject({ ok: false, code: 'not-found' });
    expect(await client('1301').recordings({ agent: id('1001') })).toMatchObject({ ok: true, value: [expect.objectContaining({ meta: expect.objectContaining({ id: meta.id }) })] });
    expect(await client('1101').recordings({ agent: id('1003') })).toMatchObject({ ok: false, code: 'out-of-scope' });
  });
});
