import { describe, expect, it, vi } from 'vitest';
import { SessionState, type Invitation } from 'sip.js';
import type { CallEntry } from './callEntry';
import { Supervision, type PhoneCore } from './supervision';
import type { CallView } from '../store/phoneState';

// The agent side's decisions on a supervisor's INVITE, with SIP.js sessions replaced by plain objects.

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
  supervision.supervisionSettings = { supervisors: ['1101'], notifyAgent: true, allowDeclineWhisper: false };
  return { supervision, added };
}

function invitation(from: string) {
  return {
    remoteIdentity: { uri: { toString: () => `sip:${from}@pbx.test` }, displayName: '' },
    reject: vi.fn(async () => undefined),
    accept: vi.fn(async () => undefined),
  };
}

const asInvitation = (i: ReturnType<typeof invitation>) => i as unknown as Invitation;

describe('a supervision request reaching the agent', () => {
  it('answers a listed supervisor automatically and attaches to the current call', () => {
    const { supervision, added } = setup([customerCall('c1', 'call-1@pbx')]);
    const inv = invitation('1101');
    supervision.onSuperviseInvite(asInvitation(inv), 'mode=listen');
    expect(inv.accept).toHaveBeenCalled();
    expect(inv.reject).not.toHaveBeenCalled();
    expect(added[0].supervision).toEqual({ mode: 'listen', customerCallId: 'c1', supervisor: '1101' });
  });

  it.each([
    ['an unlisted caller', '3001', 'mode=whisper', [customerCall('c1', 'a')], 403],
    ['a malformed header', '1101', 'mode=whisper;call=', [customerCall('c1', 'a')], 400],
    ['a hostile oversized header', '1101', `mode=listen;call=${'x'.repeat(5000)}`, [customerCall('c1', 'a')], 400],
    ['an agent with no call', '1101', 'mode=listen', [], 480],
    ['a call that has ended', '1101', 'mode=listen;call=gone@pbx', [customerCall('c1', 'a')], 481],
  ])('refuses %s with a clean SIP error and never answers', (_what, from, header, calls, status) => {
    const { supervision, added } = setup(calls as CallEntry[]);
    const inv = invitation(from as string);
    supervision.onSuperviseInvite(asInvitation(inv), header as string);
    expect(inv.reject).toHaveBeenCalledWith(expect.objectContaining({ statusCode: status }));
    expect(inv.accept).not.toHaveBeenCalled();
    expect(added).toHaveLength(0);
  });

  it('refuses a second supervisor on a call that is already supervised', () => {
    const { supervision } = setup([customerCall('c1', 'a')]);
    supervision.onSuperviseInvite(asInvitation(invitation('1101')), 'mode=listen');
    const second = invitation('1101');
    supervision.onSuperviseInvite(asInvitation(second), 'mode=listen');
    expect(second.reject).toHaveBeenCalledWith(expect.objectContaining({ statusCode: 486 }));
  });
});

describe('mode changes arriving out of order (a PBX or proxy may reorder two in-dialog requests)', () => {
  it('a late, older request never undoes a newer one', () => {
    const { supervision, added } = setup([customerCall('c1', 'a')]);
    supervision.onSuperviseInvite(asInvitation(invitation('1101')), 'mode=listen');
    const leg = added[0];
    const setMode = vi.fn();
    leg.supLeg = { setMode } as unknown as CallEntry['supLeg'];
    leg.session = { ...leg.session, message: vi.fn(async () => undefined) } as unknown as CallEntry['session'];
    const reply = { accept: vi.fn(), reject: vi.fn() };
    supervision.onSupervisionRequest(leg, reply, JSON.stringify({ mode: 'whisper', seq: 5 }));
    supervision.onSupervisionRequest(leg, reply, JSON.stringify({ mode: 'listen', seq: 4 }));
    expect(setMode.mock.calls.map((c) => c[0])).toEqual(['whisper']);
    expect(leg.supervision?.mode).toBe('whisper');
  });
});
