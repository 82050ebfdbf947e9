import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../shared/settings';
import { callView, signedInState } from '../store/testing/fixtures';
import { commandFor, hostCallStateOf } from './hostCallState';

const base = signedInState;
const call = callView;

describe('the call state the tray, notification and mini window see', () => {
  it('shows a ringing call as incoming with the caller, and answer/decline act on it', () => {
    const s = hostCallStateOf({ ...base, calls: [call({})] });
    expect(s.incoming).toEqual({ id: 'c1', caller: '2001' });
    expect(commandFor('answer', s)).toEqual({ kind: 'answer', id: 'c1' });
    expect(commandFor('hangup', s)).toEqual({ kind: 'decline', id: 'c1' });
    expect(commandFor('toggle-mute', s)).toBeNull();
    // A notification's Answer for a call that has stopped ringing answers nothing else.
    expect(commandFor('answer', s, 'c0')).toBeNull();
    expect(commandFor('answer', s, 'c1')).toEqual({ kind: 'answer', id: 'c1' });
  });

  it('a second call waiting: answer takes the new one, hang up ends the one the agent is on', () => {
    const s = hostCallStateOf({ ...base, calls: [call({ id: 'a', state: 'active', answeredAt: 5, remoteName: 'Ann' }), call({ id: 'b' })] });
    expect(s.active).toMatchObject({ id: 'a', peer: 'Ann', onHold: false });
    expect(commandFor('answer', s)).toEqual({ kind: 'answer', id: 'b' });
    expect(commandFor('hangup', s)).toEqual({ kind: 'hangup', id: 'a' });
    expect(commandFor('toggle-mute', s)).toEqual({ kind: 'mute', id: 'a', muted: true });
    expect(commandFor('toggle-hold', s)).toEqual({ kind: 'hold', id: 'a', onHold: true });
  });

  it("leaves out a supervisor's legs into agents' calls and has no agent state for a supervisor", () => {
    const s = hostCallStateOf({
      ...base,
      settings: { ...defaultSettings, role: 'supervisor' },
      calls: [call({ state: 'active', kind: 'supervising', answeredAt: 1 })],
    });
    expect(s.active).toBeNull();
    expect(s.agentState).toBeNull();
  });

  it('a held call can be resumed but not muted; a dropped registration shows as offline', () => {
    const s = hostCallStateOf({ ...base, registration: { ...base.registration, state: 'unregistered' }, calls: [call({ state: 'held', answeredAt: 3 })] });
    expect(s.registration).toBe('offline');
    expect(commandFor('toggle-hold', s)).toEqual({ kind: 'hold', id: 'c1', onHold: false });
    expect(commandFor('toggle-mute', s)).toBeNull();
  });
});
