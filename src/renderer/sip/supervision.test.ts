import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SessionState, type Invitation } from 'sip.js';
import type { CallEntry } from './callEntry';
import { Supervision, type PhoneCore } from './supervision';
import type { CallView } from '../store/phoneState';
import { SupervisionGate, type SupervisionAuditEvent } from '../../shared/policy/gate';
import type { OrgPolicy } from '../../shared/policy/schema';
import { makeOrgPolicy, newKeyPair, statementFrom } from '../../../tests/support/policy';

// The agent side's decisions on a supervisor's INVITE, with SIP.js sessions replaced by plain
// objects and the host's gate run in memory against a real signed policy (1101 leads 1001's team).

let policy: OrgPolicy;
let supKeys: CryptoKeyPair;
beforeAll(async () => {
  const k = await newKeyPair();
  supKeys = k.pair;
  policy = (await makeOrgPolicy('pbx.test', { '1101': k.publicKey })).policy;
});
const stmt = (mode: 'listen' | 'whisper' | 'barge' | 'takeover', binding?: string, nonce?: string) => statementFrom(supKeys, { sup: '1101@pbx.test', agent: '1001@pbx.test', mode, binding, nonce });

function customerCall(id: string, callId: string): CallEntry {
  return {
    id,
    session: { state: SessionState.Established, request: { callId } } as unknown as CallEntry['session'],
    leg: { id: `leg-${id}` } as CallEntry['leg'],
    holdStartedAt: null,
    holdMs: 0,
    transfers: 0,
    outcome: 'answered',
    reason: '',
    ringing: false,
    replaced: false,
    kind: 'call',
    supervision: null,
    supLeg: null,
    takingOver: false,
  };
}

function setup(calls: CallEntry[] = []) {
  const map = new Map(calls.map((c) => [c.id, c]));
  const added: CallEntry[] = [];
  const core: PhoneCore = {
    calls: map,
    audio: {} as PhoneCore['audio'],
    account: () => ({ server: 'ws://127.0.0.1:5066', domain: 'pbx.test', extension: '1001', authUser: '', displayName: '' }),
    ua: () => null,
    addCall: (session) => {
      const e = { ...customerCall(`sup-${added.length}`, 'x'), session: session as CallEntry['session'], kind: 'supervised' as const, leg: null };
      map.set(e.id, e);
      added.push(e);
      return e;
    },
    view: (id) => (map.has(id) ? ({ id, state: 'active' } as CallView) : undefined),
    invite: vi.fn(),
    hangup: vi.fn(async () => undefined),
    sendDtmf: vi.fn(),
    completeAttendedTransfer: vi.fn(async () => undefined),
    onTerminated: vi.fn(),
  };
  const supervision = new Supervision(core);
  const audit: SupervisionAuditEvent[] = [];
  const gate = new SupervisionGate({ policy: async () => policy, audit: async (e) => void audit.push(e) });
  supervision.policy.host = {
    checkSupervision: (c) => gate.check(c),
    recordSupervision: async (e) => (audit.push(e), true),
    signSupervision: async () => ({ ok: false, reason: 'not in this test' }),
  };
  return { supervision, added, audit, calls: map };
}

function invitation(from: string) {
  return {
    remoteIdentity: { uri: { toString: () => `sip:${from}@pbx.test` }, displayName: '' },
    // Relayed by a proxy: the PBX's Via and the supervisor's own.
    request: {
      getHeaders: (name: string) => (name === 'Via' ? ['SIP/2.0/WS 127.0.0.1;branch=z9hG4bK1', 'SIP/2.0/WS x.invalid;branch=z9hG4bK2'] : []),
      getHeader: () => undefined,
    },
    state: SessionState.Initial,
    reject: vi.fn(async () => undefined),
    accept: vi.fn(async () => undefined),
  };
}

const asInvitation = (i: ReturnType<typeof invitation>) => i as unknown as Invitation;

/** The agent's side of an answered leg: what it sends, whether it hung up, what the graph was told. */
function established(leg: CallEntry) {
  const sent: string[] = [];
  const bye = vi.fn(async () => undefined);
  const graph = { setMode: vi.fn(), admit: vi.fn(), attachRemote: vi.fn(), dispose: vi.fn() };
  leg.supLeg = graph as unknown as CallEntry['supLeg'];
  leg.session = {
    ...leg.session,
    state: SessionState.Established,
    bye,
    message: vi.fn(async (o: { requestOptions: { body: { content: string } } }) => void sent.push(o.requestOptions.body.content)),
  } as unknown as CallEntry['session'];
  return { sent, bye, graph };
}

describe('a supervision request reaching the agent', () => {
  it('answers an enrolled supervisor in scope with nothing routed, challenges it, and joins (recorded first) only with the answer', async () => {
    const { supervision, added, audit } = setup([customerCall('c1', 'call-1@pbx')]);
    const inv = invitation('1101');
    await supervision.onSuperviseInvite(asInvitation(inv), `mode=listen;stmt=${await stmt('listen')}`);
    expect(inv.accept).toHaveBeenCalled();
    expect(inv.reject).not.toHaveBeenCalled();
    expect(added[0].supervision).toMatchObject({ mode: 'listen', customerCallId: 'c1', supervisor: '1101', supervisorId: '1101@pbx.test', callId: 'call-1@pbx', binding: 'call-1@pbx', proven: false });
    expect(audit).toEqual([]);
    const { sent, graph } = established(added[0]);
    supervision.supervisedEstablished(added[0]);
    const challenge = JSON.parse(sent[0]);
    expect(challenge).toMatchObject({ type: 'challenge', call: 'call-1@pbx', mode: 'listen', challenge: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    expect(graph.admit).not.toHaveBeenCalled();
    const reply = { accept: vi.fn(), reject: vi.fn() };
    await supervision.onSupervisionRequest(added[0], reply, JSON.stringify({ type: 'proof', stmt: await stmt('listen', 'call-1@pbx', challenge.challenge) }));
    expect(reply.accept).toHaveBeenCalled();
    expect(graph.admit).toHaveBeenCalledWith('listen');
    expect(added[0].supervision?.proven).toBe(true);
    expect(JSON.parse(sent.at(-1)!)).toMatchObject({ type: 'state', mode: 'listen', call: 'call-1@pbx' });
    expect(audit).toEqual([expect.objectContaining({ action: 'join', actor: '1101@pbx.test', subject: '1001@pbx.test', call: 'call-1@pbx', result: 'ok' })]);
  });

  it('a replayed INVITE opens nothing: no answer, or an answer for another challenge, is refused, recorded and hung up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { supervision, added, audit, calls } = setup([customerCall('c1', 'call-1@pbx')]);
      await supervision.onSuperviseInvite(asInvitation(invitation('1101')), `mode=listen;stmt=${await stmt('listen')}`);
      const first = established(added[0]);
      supervision.supervisedEstablished(added[0]);
      // The replayer repeats the request (as the real app does) and gets the challenge again, but cannot sign it.
      const reply = { accept: vi.fn(), reject: vi.fn() };
      await supervision.onSupervisionRequest(added[0], reply, JSON.stringify({ type: 'mode', mode: 'listen', seq: 1 }));
      expect(first.sent.map((b) => JSON.parse(b).type)).toEqual(['challenge', 'challenge']);
      await supervision.onSupervisionRequest(added[0], reply, JSON.stringify({ type: 'text', text: 'hello' }));
      expect(reply.reject).toHaveBeenCalledWith(403, 'Supervision Not Proven');
      await vi.advanceTimersByTimeAsync(6100);
      await vi.waitFor(() => expect(first.bye).toHaveBeenCalled());
      expect(first.graph.admit).not.toHaveBeenCalled();
      expect(audit).toEqual([expect.objectContaining({ action: 'refusal', reason: expect.stringMatching(/^403 Supervision Not Proven/) })]);

      // A second leg answered with a statement captured earlier (its own nonce, not this challenge).
      // As the phone does when the leg ends: gone from the calls, then the supervision is told.
      calls.delete(added[0].id);
      supervision.endSupervisedLeg(added[0]);
      await supervision.onSuperviseInvite(asInvitation(invitation('1101')), `mode=listen;stmt=${await stmt('listen')}`);
      const second = established(added[1]);
      supervision.supervisedEstablished(added[1]);
      const answer = { accept: vi.fn(), reject: vi.fn() };
      await supervision.onSupervisionRequest(added[1], answer, JSON.stringify({ type: 'proof', stmt: await stmt('listen', 'call-1@pbx') }));
      expect(answer.reject).toHaveBeenCalledWith(403, 'Supervision Not Proven');
      expect(second.bye).toHaveBeenCalled();
      expect(second.graph.admit).not.toHaveBeenCalled();
      expect(audit.map((e) => e.action)).toEqual(['refusal', 'refusal']);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    ['a request without a statement', '1101', async () => 'mode=whisper', [customerCall('c1', 'a')], 400],
    ['a caller whose SIP identity is not the statement\'s', '3001', async () => `mode=listen;stmt=${await stmt('listen')}`, [customerCall('c1', 'a')], 403],
    ['a listen grant used to barge', '1101', async () => `mode=barge;stmt=${await stmt('listen')}`, [customerCall('c1', 'a')], 403],
    ['a malformed header', '1101', async () => 'mode=whisper;call=', [customerCall('c1', 'a')], 400],
    ['a hostile oversized header', '1101', async () => `mode=listen;call=${'x'.repeat(5000)}`, [customerCall('c1', 'a')], 400],
    ['an agent with no call', '1101', async () => `mode=listen;stmt=${await stmt('listen')}`, [], 480],
    ['a call that has ended', '1101', async () => `mode=listen;call=gone@pbx;stmt=${await stmt('listen')}`, [customerCall('c1', 'a')], 481],
  ])('refuses %s with a clean SIP error, never answers, and records the refusal', async (_what, from, header, calls, status) => {
    const { supervision, added, audit } = setup(calls as CallEntry[]);
    const inv = invitation(from as string);
    await supervision.onSuperviseInvite(asInvitation(inv), await (header as () => Promise<string>)());
    expect(inv.reject).toHaveBeenCalledWith(expect.objectContaining({ statusCode: status }));
    expect(inv.accept).not.toHaveBeenCalled();
    expect(added).toHaveLength(0);
    await vi.waitFor(() => expect(audit).toEqual([expect.objectContaining({ action: 'refusal', result: 'refused' })]));
  });

  it('refuses a second supervisor on a call that is already supervised', async () => {
    const { supervision } = setup([customerCall('c1', 'a')]);
    await supervision.onSuperviseInvite(asInvitation(invitation('1101')), `mode=listen;stmt=${await stmt('listen')}`);
    const second = invitation('1101');
    await supervision.onSuperviseInvite(asInvitation(second), `mode=listen;stmt=${await stmt('listen')}`);
    expect(second.reject).toHaveBeenCalledWith(expect.objectContaining({ statusCode: 486 }));
  });
});

describe('mode changes on a supervision leg', () => {
  async function joined() {
    const s = setup([customerCall('c1', 'a')]);
    await s.supervision.onSuperviseInvite(asInvitation(invitation('1101')), `mode=listen;stmt=${await stmt('listen')}`);
    const leg = s.added[0];
    const { sent, graph } = established(leg);
    s.supervision.supervisedEstablished(leg);
    const { challenge } = JSON.parse(sent[0]) as { challenge: string };
    await s.supervision.onSupervisionRequest(leg, { accept: vi.fn(), reject: vi.fn() }, JSON.stringify({ type: 'proof', stmt: await stmt('listen', 'a', challenge) }));
    expect(leg.supervision?.proven).toBe(true);
    graph.setMode.mockClear();
    return { ...s, leg, setMode: graph.setMode, sent };
  }

  it('a late, older request never undoes a newer one', async () => {
    const { supervision, leg, setMode } = await joined();
    const reply = { accept: vi.fn(), reject: vi.fn() };
    const whisper = JSON.stringify({ mode: 'whisper', seq: 5, stmt: await stmt('whisper', 'a') });
    const listen = JSON.stringify({ mode: 'listen', seq: 4, stmt: await stmt('listen', 'a') });
    await supervision.onSupervisionRequest(leg, reply, whisper);
    await supervision.onSupervisionRequest(leg, reply, listen);
    expect(setMode.mock.calls.map((c) => c[0])).toEqual(['whisper']);
    expect(leg.supervision?.mode).toBe('whisper');
  });

  it('refuses a change whose statement names another call, keeps the mode, and tells the supervisor why', async () => {
    const { supervision, leg, setMode, sent, audit } = await joined();
    const reply = { accept: vi.fn(), reject: vi.fn() };
    await supervision.onSupervisionRequest(leg, reply, JSON.stringify({ mode: 'whisper', seq: 1, stmt: await stmt('whisper', 'other-call@pbx') }));
    expect(reply.reject).toHaveBeenCalledWith(403, 'Statement For Another Call');
    expect(setMode).not.toHaveBeenCalled();
    expect(JSON.parse(sent.at(-1)!)).toMatchObject({ type: 'state', mode: 'listen', refused: '403 Statement For Another Call' });
    expect(audit.at(-1)).toMatchObject({ action: 'refusal', mode: 'whisper' });
  });

  it('a join statement (the current call) is not accepted for a change of mode', async () => {
    const { supervision, leg, setMode } = await joined();
    const reply = { accept: vi.fn(), reject: vi.fn() };
    await supervision.onSupervisionRequest(leg, reply, JSON.stringify({ mode: 'whisper', seq: 1, stmt: await stmt('whisper') }));
    expect(reply.reject).toHaveBeenCalledWith(403, 'Statement For Another Call');
    expect(setMode).not.toHaveBeenCalled();
  });
});
