import { describe, expect, it } from 'vitest';
import { authorizeSupervisor, serverHost } from './authorize';

const settings = { supervisors: ['1101', 'sip:qa-lead@other.example'], notifyAgent: true, allowDeclineWhisper: false };

describe('who may supervise this agent', () => {
  it('admits listed supervisors however the identity is written', () => {
    expect(authorizeSupervisor('sip:1101@pbx.local', settings, 'pbx.local')).toEqual({ allowed: true });
    expect(authorizeSupervisor('sip:QA-Lead@other.example;transport=ws', settings, 'pbx.local')).toEqual({ allowed: true });
  });
  it('refuses anyone else with 403, including a listed user on another domain', () => {
    expect(authorizeSupervisor('sip:3001@pbx.local', settings, 'pbx.local')).toMatchObject({ allowed: false, status: 403 });
    expect(authorizeSupervisor('sip:1101@evil.example', settings, 'pbx.local')).toMatchObject({ allowed: false, status: 403 });
  });
  it('takes a caller presented by the B2BUA PBX itself (user@PBX host) as that user on the agent’s domain', () => {
    expect(serverHost('wss://PBX.example:8089/ws')).toBe('pbx.example');
    expect(serverHost('ws://127.0.0.1:8088/ws')).toBe('127.0.0.1');
    expect(authorizeSupervisor('sip:1101@127.0.0.1', settings, 'pbx.local', ['127.0.0.1'])).toEqual({ allowed: true });
    expect(authorizeSupervisor('sip:1101@127.0.0.1', settings, 'pbx.local')).toMatchObject({ allowed: false, status: 403 });
    expect(authorizeSupervisor('sip:3001@127.0.0.1', settings, 'pbx.local', ['127.0.0.1'])).toMatchObject({ allowed: false, status: 403 });
  });
});
