import { describe, expect, it } from 'vitest';
import { parseDialLink } from './dialLink';

const domain = 'whisperline.test';

describe('sip:/tel: links from other apps', () => {
  it('takes phone numbers and users on the own domain, for the agent to confirm', () => {
    expect(parseDialLink('tel:+49-30-1234%20567', domain)).toEqual({ ok: true, target: '+49301234567', display: '+49301234567' });
    expect(parseDialLink('tel:555-0100;ext=12', domain)).toMatchObject({ ok: true, target: '5550100' });
    expect(parseDialLink('sip:2001@whisperline.test', domain)).toMatchObject({ ok: true, target: '2001' });
    expect(parseDialLink('SIP:2001@WhisperLine.TEST', domain)).toMatchObject({ ok: true, target: '2001' });
    expect(parseDialLink('sip:2001', domain)).toMatchObject({ ok: true, target: '2001' });
  });

  it('refuses what could hijack or redirect a call', () => {
    const refused = (link: string) => {
      const r = parseDialLink(link, domain);
      expect(r.ok, link).toBe(false);
      return r.ok ? '' : r.reason;
    };
    expect(refused('sip:1001@whisperline.test?Replaces=abc%3Bto-tag%3D1')).toMatch(/parameters or headers/);
    expect(refused('sip:1001@whisperline.test;maddr=203.0.113.9')).toMatch(/parameters or headers/);
    expect(refused('sip:1001%3Bmaddr%3D203.0.113.9@whisperline.test')).toMatch(/parameters or headers/);
    expect(refused('sip:900123@premium.example')).toMatch(/another SIP domain/);
    expect(refused('tel:call-me-maybe')).toMatch(/not a phone number/);
    expect(refused('javascript:alert(1)')).toMatch(/Only sip: and tel:/);
    expect(refused('tel:%E0%A4%A')).toMatch(/not a valid address/);
    expect(refused(`tel:${'1'.repeat(600)}`)).toMatch(/too long/);
  });
});
