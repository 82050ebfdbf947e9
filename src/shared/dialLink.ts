/**
 * A sip:/tel: link opened from another app (a CRM, a web page, an e-mail). Anyone can write such a
 * link, so it is checked more strictly than what the agent types: a phone number or a user on the
 * account's own SIP domain, no URI parameters or headers (`?Replaces=`, `;transport=`, `;maddr=`
 * could redirect or hijack a call), and the agent confirms before anything is dialled.
 */
export type DialLink = { ok: true; target: string; display: string } | { ok: false; reason: string };

export function parseDialLink(link: string, domain: string): DialLink {
  if (link.length > 512) return { ok: false, reason: 'The link is too long to be a phone number.' };
  const m = /^(tel|sips?):(.*)$/i.exec(link.trim());
  if (!m) return { ok: false, reason: 'Only sip: and tel: links can be dialled.' };
  let rest: string;
  try {
    rest = decodeURIComponent(m[2]).trim();
  } catch {
    return { ok: false, reason: 'The link is not a valid address.' };
  }
  const scheme = m[1].toLowerCase();
  if (scheme === 'tel') {
    // RFC 3966 visual separators; parameters (;ext=, ;phone-context=) are not honoured.
    const number = rest.split(';')[0].replace(/[\s().-]/g, '');
    if (!/^\+?[0-9*#]{1,32}$/.test(number)) return { ok: false, reason: `"${clip(rest)}" is not a phone number.` };
    return { ok: true, target: number, display: number };
  }
  if (/[;?>]/.test(rest)) return { ok: false, reason: 'Links with SIP parameters or headers are not dialled.' };
  const at = rest.lastIndexOf('@');
  const user = at === -1 ? rest : rest.slice(0, at);
  const host = at === -1 ? domain : rest.slice(at + 1).toLowerCase();
  if (!/^\+?[A-Za-z0-9._*#-]{1,64}$/.test(user)) return { ok: false, reason: `"${clip(user)}" is not a number or extension.` };
  if (host !== domain.toLowerCase()) return { ok: false, reason: `Links to another SIP domain (${clip(host)}) are not dialled.` };
  return { ok: true, target: user, display: user };
}

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
