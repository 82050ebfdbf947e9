import { describe, expect, it } from 'vitest';
import { presentedIdentity, serverHost } from './identity';

describe('who a supervision request comes from', () => {
  it('names a caller as the policy does, whatever form the PBX used', () => {
    expect(presentedIdentity('sip:1101@pbx.local', 'pbx.local')).toBe('1101@pbx.local');
    expect(presentedIdentity('sip:QA-Lead@other.example;transport=ws', 'pbx.local')).toBe('qa-lead@other.example');
    expect(presentedIdentity('<sip:1101@PBX.local>', 'pbx.local')).toBe('1101@pbx.local');
    expect(presentedIdentity('"Team Lead" <sip:1101@pbx.local;transport=ws>', 'pbx.local')).toBe('1101@pbx.local');
    expect(presentedIdentity('1101', 'pbx.local')).toBe('1101@pbx.local');
  });

  it('takes a B2BUA PBX\'s own host as the agent\'s domain, and only that host', () => {
    expect(presentedIdentity('sip:1101@127.0.0.1', 'pbx.local', ['127.0.0.1'])).toBe('1101@pbx.local');
    expect(presentedIdentity('sip:1101@127.0.0.1', 'pbx.local')).toBe('1101@127.0.0.1');
    expect(presentedIdentity('sip:1101@evil.example', 'pbx.local', ['127.0.0.1'])).toBe('1101@evil.example');
  });

  it('finds the host of a server address', () => {
    expect(serverHost('wss://pbx.example:8089/ws')).toBe('pbx.example');
    expect(serverHost('ws://[::1]:5066')).toBe('[::1]');
    expect(serverHost('not a url')).toBe('');
  });
});
