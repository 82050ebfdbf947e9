import { describe, expect, it } from 'vitest';
import { callView, signedInState } from '../store/testing/fixtures';
import type { CallView, PhoneState } from '../store/phoneState';
import { announcementsBetween } from './announcements';

const base = signedInState;
const call = (over: Partial<CallView>) => callView({ remoteName: 'Ann', ...over });
const t = (key: string, vars: Record<string, string> = {}) => `${key}${Object.keys(vars).length ? ` ${JSON.stringify(vars)}` : ''}`;
const said = (a: PhoneState['calls'], b: PhoneState['calls']) => announcementsBetween({ ...base, calls: a }, { ...base, calls: b }, t);

describe('what a screen reader is told', () => {
  it('an incoming call with the caller, urgently; then connected, held, resumed, ended', () => {
    expect(said([], [call({})])).toEqual([{ text: 'announce.incoming {"caller":"Ann"}', urgent: true }]);
    const active = call({ state: 'active', answeredAt: 10 });
    expect(said([call({})], [active]).map((a) => a.text)).toEqual(['announce.connected {"peer":"Ann"}']);
    const held = { ...active, state: 'held' as const };
    expect(said([active], [held]).map((a) => a.text)).toEqual(['announce.held {"peer":"Ann"}']);
    expect(said([held], [active]).map((a) => a.text)).toEqual(['announce.resumed {"peer":"Ann"}']);
    expect(said([active], []).map((a) => a.text)).toEqual(['announce.ended {"peer":"Ann"}']);
    expect(said([call({})], []).map((a) => a.text)).toEqual(['announce.missed {"peer":"Ann"}']);
  });

  it('says nothing when only time passes or a digit is sent (no ticking timer read out)', () => {
    const active = call({ state: 'active', answeredAt: 10 });
    expect(said([active], [{ ...active, dtmfSent: '12' }])).toEqual([]);
    expect(said([active], [active])).toEqual([]);
  });

  it("a supervisor's legs are not announced as calls", () => {
    expect(said([], [call({ kind: 'supervising', state: 'active' })])).toEqual([]);
  });
});
