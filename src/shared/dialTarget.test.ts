import { describe, expect, it } from 'vitest';
import { toSipUri } from './dialTarget';

describe('what the agent types into the dialer', () => {
  it('dials extensions and phone numbers on the account domain', () => {
    expect(toSipUri('1001', 'pbx.local')).toBe('sip:1001@pbx.local');
    expect(toSipUri(' +1 (555) 010-2030 ', 'pbx.local')).toBe('sip:+15550102030@pbx.local');
    expect(toSipUri('tel:+4930123', 'pbx.local')).toBe('sip:+4930123@pbx.local');
  });
  it('keeps SIP URIs, dropping parameters a user cannot mean', () => {
    expect(toSipUri('sip:alice@example.com;transport=ws', 'pbx.local')).toBe('sip:alice@example.com');
    expect(toSipUri('bob@example.com', 'pbx.local')).toBe('sip:bob@example.com');
  });
  it('refuses input that is not a dialable target', () => {
    expect(toSipUri('', 'd')).toBeNull();
    expect(toSipUri('hello world', 'd')).toBeNull();
    expect(toSipUri('<script>@x', 'd')).toBeNull();
  });
});
