import { describe, expect, it } from 'vitest';
import { describeCallFailure, describeRegistrationFailure, describeTransportFailure, isTransientRegistrationFailure } from './sipErrors';

describe('what the agent is told when SIP fails', () => {
  it('names a wrong password as such', () => {
    expect(describeRegistrationFailure(401)).toMatch(/wrong user name or password/i);
    expect(describeRegistrationFailure(403, 'Wrong password')).toMatch(/wrong user name or password.*403/i);
  });
  it('keeps the far end’s reason next to the plain words', () => {
    expect(describeCallFailure(486, 'Busy Here')).toBe('Busy (486 Busy Here)');
    expect(describeCallFailure(403, 'Not An Authorized Supervisor')).toBe('Not allowed (403 Not An Authorized Supervisor)');
    expect(describeCallFailure(599)).toBe('Call failed (599)');
  });
  it('keeps trying after "not now" refusals, never after a wrong password', () => {
    for (const code of [408, 480, 500, 503, 504]) expect(isTransientRegistrationFailure(code), String(code)).toBe(true);
    for (const code of [401, 403, 404, 407, 423, 501, 603]) expect(isTransientRegistrationFailure(code), String(code)).toBe(false);
  });
  it('mentions certificates only for wss://', () => {
    expect(describeTransportFailure('wss://pbx:8089/ws')).toMatch(/TLS certificate/);
    expect(describeTransportFailure('ws://127.0.0.1:5066')).not.toMatch(/TLS/);
  });
});
