import { describe, expect, it } from 'vitest';
import type { CallView } from '../store/phoneState';
import { callEvents } from './timelineEvents';
import { callView } from '../store/testing/fixtures';

const notice = { notifyAgent: true, allowDecline: false };

const call = (patch: Partial<CallView> = {}): CallView =>
  callView({ remoteUri: 'sip:2001@example.test', remoteName: 'Customer', state: 'active', answeredAt: 1, ...patch });

const sup = (mode: 'listen' | 'whisper' | 'barge') => ({ supervisor: 'Ext 1101', supervisorId: '1101@example.test', mode, notice });

describe('recording timeline from the call as the agent sees it', () => {
  it('marks a supervisor joining, each mode change and leaving', () => {
    expect(callEvents(call(), call({ supervisedBy: sup('listen') }))).toEqual([{ kind: 'supervisor-joined', detail: 'Ext 1101 (listen)' }]);
    expect(callEvents(call({ supervisedBy: sup('listen') }), call({ supervisedBy: sup('whisper') }))).toEqual([{ kind: 'mode-changed', detail: 'whisper' }]);
    expect(callEvents(call({ supervisedBy: sup('whisper') }), call({ supervisedBy: sup('whisper') }))).toEqual([]);
    expect(callEvents(call({ supervisedBy: sup('barge') }), call())).toEqual([{ kind: 'supervisor-left', detail: 'Ext 1101' }]);
  });

  it('marks a takeover as a takeover, not as the supervisor leaving or a transfer', () => {
    const taken = call({ state: 'transferring', takenOverBy: 'Ext 1101' });
    expect(callEvents(call({ supervisedBy: sup('barge') }), taken)).toEqual([{ kind: 'takeover', detail: 'Ext 1101' }]);
  });

  it('marks hold and resume, a transfer, talk-back, and each new prompt once', () => {
    expect(callEvents(call(), call({ state: 'held' }))).toEqual([{ kind: 'held' }]);
    expect(callEvents(call({ state: 'held' }), call())).toEqual([{ kind: 'resumed' }]);
    expect(callEvents(call(), call({ state: 'transferring' }))).toEqual([{ kind: 'transferred' }]);
    expect(callEvents(call(), call({ talkBack: true }))).toEqual([{ kind: 'talk-back-on' }]);
    expect(callEvents(call({ talkBack: true }), call())).toEqual([{ kind: 'talk-back-off' }]);
    const p1 = { id: 1, text: 'Offer a callback', from: 'Ext 1101', at: 5, acknowledged: false, dismissed: false };
    const p2 = { ...p1, id: 2, text: 'Verify the account' };
    expect(callEvents(call({ prompts: [p1] }), call({ prompts: [{ ...p1, acknowledged: true }, p2] }))).toEqual([{ kind: 'prompt', detail: 'Verify the account' }]);
  });

  it('says nothing before the call is known or once it is gone', () => {
    expect(callEvents(undefined, call({ state: 'held' }))).toEqual([]);
    expect(callEvents(call(), undefined)).toEqual([]);
  });
});
