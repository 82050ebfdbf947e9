/**
 * Turns what an agent typed or clicked (a number, an extension, a sip:/tel: URI) into a SIP URI
 * on the account's domain. Returns null for input that cannot be dialled.
 */
export function toSipUri(input: string, domain: string): string | null {
  const text = input.trim();
  if (!text) return null;
  const sip = /^sips?:([^@\s]+)@([^\s;?>]+)(.*)$/i.exec(text);
  if (sip) {
    const user = sip[1];
    if (!/^[A-Za-z0-9._!~*'()&=+$,;?/%-]+$/.test(user)) return null;
    return `sip:${user}@${sip[2]}`;
  }
  const withoutScheme = text.replace(/^(tel|sips?):/i, '');
  if (withoutScheme.includes('@')) {
    const [user, host] = withoutScheme.split('@', 2);
    if (!/^[A-Za-z0-9._+*#-]+$/.test(user) || !/^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) return null;
    return `sip:${user}@${host}`;
  }
  // Phone numbers are typed with spaces, dashes and brackets; the PBX wants digits.
  const digits = /^[+\d\s().*#-]+$/.test(withoutScheme) ? withoutScheme.replace(/[\s().-]/g, '') : withoutScheme;
  if (!/^\+?[0-9A-Za-z*#_]{1,64}$/.test(digits)) return null;
  return `sip:${digits}@${domain}`;
}

/** The user part of a SIP URI, for display. */
export function userOf(uri: string): string {
  const m = /^sips?:([^@]+)@/i.exec(uri);
  return m ? m[1] : uri;
}

export const dtmfPattern = /^[0-9A-D#*]$/i;
