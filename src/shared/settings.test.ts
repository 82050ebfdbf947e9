import { describe, expect, it } from 'vitest';
import { defaultSettings, parseSettingsText } from './settings';

describe('stored settings', () => {
  it('loads a valid file and fills in missing fields with defaults', () => {
    const r = parseSettingsText(JSON.stringify({ account: { server: 'wss://pbx.example.com:8089/ws', domain: 'example.com', extension: '1001' } }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.settings.account?.authUser).toBe('');
      expect(r.settings.dtmfMode).toBe('rfc4733');
    }
  });

  it('reports a truncated file instead of throwing', () => {
    const r = parseSettingsText('{"account": {"server": "ws://');
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid JSON/) });
  });

  it('rejects values a user could not have chosen, naming the field', () => {
    const r = parseSettingsText(JSON.stringify({ account: { server: 'http://evil', domain: 'x', extension: '1' } }));
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/account\.server/) });
    expect(parseSettingsText(JSON.stringify({ role: 'admin' })).ok).toBe(false);
  });

  it('has sensible defaults for a first run', () => {
    expect(defaultSettings).toMatchObject({ role: 'agent', account: null, audio: { micId: null, headsetId: null, ringerId: null } });
  });
});
