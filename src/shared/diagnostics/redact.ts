/**
 * Takes secrets out of log text before it leaves this desk ("Collect logs") or even sits in a log
 * buffer: SIP digest credentials and nonces, supervision statements (statement.ts), passwords and
 * keys in JSON or `key=value` form, credentials in URLs, PEM private keys, Bearer/Basic tokens,
 * SRTP keys and ICE passwords in SDP. Each is replaced by `[redacted]` and counted.
 *
 * Errs on the side of removing too much: a false positive costs support a word, a miss leaks a
 * password. What support needs is kept: request and status lines, Call-ID, From/To, Via, CSeq,
 * the digest username and realm (a wrong auth user or realm is a common fault).
 *
 * Pure (no Node, no DOM): runs in the renderer (page log), in main (files) and in tests.
 * Idempotent: text already redacted is left as it is and not counted again.
 */

export const redactionMarker = '[redacted]';

export interface Redacted {
  text: string;
  count: number;
}

// A regex and its replacer, or (where a regex would backtrack badly) a plain scan.
type Rule = { re: RegExp; fn: (count: () => void, ...m: string[]) => string } | { scan: (text: string, count: () => void) => string };

// Words that make a key secret, compared against the key lower-cased without separators.
// `authorization` has its own rules (a header keeps the scheme, username and realm).
const secretKeyWords = /(password|passwd|passphrase|pwd|secret|privatekey|token|stmt|apikey|credential|cookie|encrypted|nonce|challenge|(?<!s)ha1|sessionkey|signingkey)/;
// JWK private members and short names that only ever hold a secret.
const secretExactKeys = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'pin', 'pass', 'auth', 'authorization', 'proxyauthorization', 'proof']);
/** Values that say nothing secret: kept so "hasPassword: true" still reads. */
const harmless = /^(?:true|false|null|undefined|NOT|\*+|)$/;

/** True for an object key whose value must never be shown (used by redactJson, exported for callers). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return secretExactKeys.has(k) || secretKeyWords.test(k);
}

const idChar = 'A-Za-z0-9_.\\-';
// A key in text: an identifier containing one of the words (see secretKeyWords), at a word start.
// Bounded lengths everywhere below: an unbounded run would make a long line cost quadratic time.
const secretKeyInText = `(?<![${idChar}])[${idChar}]{0,48}?(?:password|passwd|passphrase|pwd|secret|private[_-]?key|token|stmt|api[_-]?key|credentials?|cookie|encrypted|nonce|challenge|(?<![sS])ha1|session[_-]?key|signing[_-]?key)[${idChar}]{0,48}`;
// A value: "…" | '…' | \"…\" (JSON inside a JSON string) | a bare word.
// A quote never closed (a line cut short) still hides what follows, to the end of the line.
const valueInText = `\\[redacted\\]|\\\\"[^"]{0,65536}?\\\\"|"(?:[^"\\\\\\r\\n]|\\\\.){0,65536}"|'(?:[^'\\\\\\r\\n]|\\\\.){0,65536}'|["'][^"'\\r\\n]{1,65536}|[^\\s,;&)}\\]"'<>\\\\]{1,65536}`;

/** Replaces the secret part of a value, keeping its quotes so JSON and SIP stay readable. */
function quoted(value: string): string {
  if (value.startsWith('\\"')) return `\\"${redactionMarker}\\"`;
  if (value.startsWith('"')) return `"${redactionMarker}"`;
  if (value.startsWith("'")) return `'${redactionMarker}'`;
  return redactionMarker;
}

const unquote = (v: string) => v.replace(/^\\?["']|\\?["']$/g, '');
const alreadyDone = (v: string) => v.includes(redactionMarker);

const rules: Rule[] = [
  // PEM private keys, whole: with END; up to a blank line or the end when the END is missing.
  {
    re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|(?=\r?\n[ \t]*\r?\n)|$)/g,
    fn: (c) => (c(), `${redactionMarker} (private key)`),
  },
  // A key whose start was cut off (a log read from its middle): the base64 lines before its END.
  { scan: redactOrphanKeyEnds },
  // Before the key rules, so a token glued to a key name cannot hide the key from them.
  // Supervision statements anywhere (payload.signature.key, each base64url), and JWTs, which
  // share the shape; also a lone base64url JSON payload ("eyJ…"), e.g. a statement cut short.
  {
    re: /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/g,
    fn: (c) => (c(), redactionMarker),
  },
  {
    re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{20,}/g,
    fn: (c) => (c(), redactionMarker),
  },
  // A private key as bare base64 DER (PKCS#8 Ed25519 "MC4CAQAw…", or a long "MII…" blob).
  {
    re: /(?<![A-Za-z0-9+/])(?:MC4CAQAw[A-Za-z0-9+/]{30,}|MII[A-Za-z0-9+/]{100,})={0,2}/g,
    fn: (c) => (c(), redactionMarker),
  },
  // Authorization / Proxy-Authorization as a JSON or JS value: the whole value goes.
  {
    re: new RegExp(`((?:proxy-?)?authorization)(\\\\?["'])([ \\t]*:[ \\t]*)(${valueInText})`, 'gi'),
    fn: (c, _m, key, q, sep, value) => (alreadyDone(value) ? _m : (c(), `${key}${q}${sep}${quoted(value)}`)),
  },
  // As a SIP/HTTP header: keep the scheme, and for Digest the username and realm; the response,
  // nonces, cnonce and anything else go. The value runs to the end of the line (real or a "\r\n"
  // escape in JSON-quoted text).
  {
    re: /\b((?:Proxy-)?Authorization[ \t]*:[ \t]*)(\S+)((?:(?!\\[rn])[^\r\n])*)/gi,
    fn: (c, m, head, scheme, rest) => {
      // Already redacted (a stray response= or nonce= left in it is caught by the next rule).
      if (alreadyDone(scheme + rest)) return m;
      c();
      if (!/^digest$/i.test(scheme)) return `${head}${scheme} ${redactionMarker}`;
      const keep = ['username', 'realm']
        .map((name) => new RegExp(`\\b${name}[ \\t]*=[ \\t]*(\\\\?"[^"\\\\]*\\\\?"|[^\\s,"\\\\]+)`, 'i').exec(rest))
        .filter((x): x is RegExpExecArray => x !== null)
        .map((x) => x[0]);
      return `${head}${scheme} ${[...keep, redactionMarker].join(', ')}`;
    },
  },
  // Digest parameters anywhere else (WWW-Authenticate, Authentication-Info, a library's message).
  {
    re: /(?<![A-Za-z0-9_-])((?:c|next)?nonce|response|opaque|rspauth)([ \t]*=[ \t]*)(\\"[^"]{0,4096}?\\"|"[^"\r\n]{0,4096}"?|[^\s,;"\\]{1,4096})/gi,
    fn: (c, m, key, sep, value) => (alreadyDone(value) ? m : (c(), `${key}${sep}${quoted(value)}`)),
  },
  // SDES-SRTP master keys in SDP (a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<key>).
  {
    re: /(\binline:)([A-Za-z0-9+/=|:^]+)/g,
    fn: (c, m, head, value) => (alreadyDone(value) ? m : (c(), `${head}${redactionMarker}`)),
  },
  // password=…, "sipPassword": "…", stmt=<token>, a=ice-pwd:…, "nonce":"…", secret: '…' …
  {
    re: new RegExp(`(${secretKeyInText})(\\\\?["'])?([ \\t]*[:=][ \\t]*)(${valueInText})`, 'gi'),
    fn: (c, m, key, q, sep, value) => {
      if (alreadyDone(value) || harmless.test(unquote(value))) return m;
      c();
      return `${key}${q ?? ''}${sep}${quoted(value)}`;
    },
  },
  // JWK private members ("d":"…") with a key-sized value; a digest response as JSON; short
  // names that only ever hold a secret.
  {
    re: /("(?:d|p|q|dp|dq|qi|k)"[ \t]*:[ \t]*)"([A-Za-z0-9_-]{16,})"|("(?:response|rspauth)"[ \t]*:[ \t]*)"([0-9a-fA-F]{32,128})"|("(?:pass|pin|pw)"[ \t]*:[ \t]*)"((?:[^"\\\r\n]|\\.){1,4096})"/g,
    fn: (c, m, jwk, _v1, digest, _v2, short, v3) => {
      if (short && (v3 === redactionMarker || harmless.test(v3))) return m;
      c();
      return `${jwk || digest || short}"${redactionMarker}"`;
    },
  },
  // Credentials in URLs: scheme://user:password@host, and the deprecated sip:user:password@host.
  {
    re: /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/[^\s/:@"'<>]{1,256}:)([^\s/@"'<>]{1,256})@/gi,
    fn: (c, m, head, pw) => (pw === redactionMarker ? m : (c(), `${head}${redactionMarker}@`)),
  },
  {
    re: /\b(sips?:[^\s:@;<>"',]{1,256}:)([^\s@;<>"',]{1,256})@/gi,
    fn: (c, m, head, pw) => (pw === redactionMarker ? m : (c(), `${head}${redactionMarker}@`)),
  },
  // Bearer tokens, anywhere.
  {
    re: /\b(Bearer[ \t]+)([A-Za-z0-9._~+/-]+=*)/g,
    fn: (c, _m, head) => (c(), `${head}${redactionMarker}`),
  },
  // Basic credentials outside a header: only when the word after "Basic" looks like base64.
  {
    re: /\b(Basic[ \t]+)([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/g,
    fn: (c, m, head, b64) => (looksLikeBasic(b64) ? (c(), `${head}${redactionMarker}`) : m),
  },
];

/** Base64 lines right before an `-----END … PRIVATE KEY-----` whose BEGIN is gone. */
function redactOrphanKeyEnds(text: string, count: () => void): string {
  const ends = /-----END [A-Z0-9 ]*PRIVATE KEY-----/g;
  let out = '';
  let done = 0;
  for (let m = ends.exec(text); m; m = ends.exec(text)) {
    let start = m.index;
    while (start > done && text[start - 1] === '\n') {
      const lineEnd = text[start - 2] === '\r' ? start - 2 : start - 1;
      const lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
      if (lineStart < done || !/^[A-Za-z0-9+/=]{16,}$/.test(text.slice(lineStart, lineEnd))) break;
      start = lineStart;
    }
    if (start === m.index) continue;
    count();
    out += `${text.slice(done, start)}${redactionMarker} (private key)`;
    done = m.index + m[0].length;
  }
  return out + text.slice(done);
}

function looksLikeBasic(b64: string): boolean {
  if (/[0-9+/=]/.test(b64)) return true;
  try {
    return typeof atob === 'function' && atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')).includes(':');
  } catch {
    return false;
  }
}

/** Removes secrets from free text (log lines, SIP messages, JSON). Never throws. */
export function redactText(text: string): Redacted {
  if (typeof text !== 'string') text = String(text);
  let count = 0;
  const bump = () => {
    count++;
  };
  let out = text;
  for (const rule of rules) {
    if ('scan' in rule) {
      out = rule.scan(out, bump);
      continue;
    }
    rule.re.lastIndex = 0;
    out = out.replace(rule.re, (...args: unknown[]) => {
      // replace() passes (match, ...groups, offset, input[, groups]): keep the strings before the offset.
      const end = args.findIndex((a, i) => i > 0 && typeof a === 'number');
      const parts = args.slice(0, end).map((a) => (a === undefined ? '' : String(a)));
      return rule.fn(bump, ...parts);
    });
  }
  return { text: out, count };
}

/**
 * Structured data (settings, cursor files): every value under a secret key (isSecretKey) is
 * replaced, booleans and null excepted; every other string goes through redactText. Returns a copy.
 */
export function redactJson(value: unknown): { value: unknown; count: number } {
  let count = 0;
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      const r = redactText(v);
      count += r.count;
      return r.text;
    }
    if (v === null || typeof v !== 'object') return v;
    if (depth > 64 || seen.has(v)) return redactionMarker;
    seen.add(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (isSecretKey(k) && x !== null && typeof x !== 'boolean' && x !== undefined && !(typeof x === 'string' && (x === '' || x === redactionMarker))) {
        count++;
        out[k] = redactionMarker;
      } else {
        out[k] = walk(x, depth + 1);
      }
    }
    return out;
  };
  const redacted = walk(value, 0);
  return { value: redacted, count };
}
