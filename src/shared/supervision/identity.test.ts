import { describe, expect, it } from 'vitest';
import { callerIdentity, presentedIdentity, serverHost, viaCount } from './identity';

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

  it('through a B2BUA without from_domain: whatever host the PBX that built the request put in From is the agent\'s domain', () => {
    // A stock Asterisk/FreePBX endpoint: From carries the PBX's host name (or address), one Via.
    const stock = { from: '"Ext 1101" <sip:1101@vm>', asserted: [], builtByPbx: true };
    expect(callerIdentity(stock, 'whisperline.test', ['localhost'])).toBe('1101@whisperline.test');
    expect(callerIdentity({ ...stock, from: 'sip:1101@192.0.2.10' }, 'whisperline.test')).toBe('1101@whisperline.test');
    // The display name never counts, only the user part.
    expect(callerIdentity({ ...stock, from: '"1101" <sip:3001@vm>' }, 'whisperline.test')).toBe('3001@whisperline.test');
  });

  it('a relayed request (a proxy) keeps another domain\'s host, so a caller from elsewhere never matches', () => {
    expect(callerIdentity({ from: 'sip:1101@evil.example', asserted: [], builtByPbx: false }, 'whisperline.test', ['127.0.0.1'])).toBe('1101@evil.example');
    expect(callerIdentity({ from: 'sip:1101@127.0.0.1', asserted: [], builtByPbx: false }, 'whisperline.test', ['127.0.0.1'])).toBe('1101@whisperline.test');
  });

  it('needs every identity the request presents to name the same user', () => {
    const base = { from: 'sip:1101@vm', builtByPbx: true };
    expect(callerIdentity({ ...base, asserted: ['"Team Lead" <sip:1101@whisperline.test>', '<tel:+15551234>'] }, 'whisperline.test')).toBe('1101@whisperline.test');
    expect(callerIdentity({ ...base, asserted: ['<sip:1101@vm>, <tel:+15551234>'] }, 'whisperline.test')).toBe('1101@whisperline.test');
    expect(callerIdentity({ ...base, asserted: ['"x" <sip:3001@vm>;party=calling;screen=yes'] }, 'whisperline.test')).toBe('1101@whisperline.test (asserted as 3001@whisperline.test)');
  });

  it('counts Via entries whether on one line or several', () => {
    expect(viaCount(['SIP/2.0/WS 127.0.0.1:5066;branch=z9hG4bK1'])).toBe(1);
    expect(viaCount(['SIP/2.0/WS a;branch=1, SIP/2.0/WSS b;branch=2', 'SIP/2.0/UDP c;branch=3'])).toBe(3);
  });
});
