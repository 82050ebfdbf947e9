import { describe, expect, it } from 'vitest';
import { legMethodFor } from './legMethod';

const headers = (h: Record<string, string>) => (name: string) => Object.entries(h).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

describe('the in-dialog method of a supervision leg', () => {
  it('is INFO when FreeSWITCH built the INVITE (it relays INFO, not MESSAGE, between bridged legs)', () => {
    expect(legMethodFor(headers({ 'X-FS-Support': 'update_display,send_info' }))).toBe('INFO');
  });
  it('is MESSAGE through Asterisk or a proxy, and when the header offers no INFO relay', () => {
    expect(legMethodFor(headers({}))).toBe('MESSAGE');
    expect(legMethodFor(headers({ 'X-FS-Support': 'update_display' }))).toBe('MESSAGE');
    expect(legMethodFor(headers({ 'X-FS-Support': 'send_information' }))).toBe('MESSAGE');
  });
});
