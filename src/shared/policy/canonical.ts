/**
 * Canonical JSON and strict base64: the byte forms of everything Whisperline signs.
 *
 * Signer (admin CLI under Node, supervisor app in the renderer) and verifier (agent app) must agree
 * byte for byte, whatever key order or whitespace a file happens to have. Canonical form: object keys
 * sorted by UTF-16 code units, no whitespace, strings and numbers as `JSON.stringify` writes them
 * (ECMAScript fixes both exactly), `undefined`-valued keys left out as JSON would. Pure: no Node, no DOM.
 */

export class CanonicalJsonError extends Error {
  override name = 'CanonicalJsonError';
}

/** Deeper nesting than any policy needs; a hostile document fails cleanly instead of exhausting the stack. */
export const maxCanonicalDepth = 32;

export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  if (depth > maxCanonicalDepth) throw new CanonicalJsonError(`nested deeper than ${maxCanonicalDepth} levels`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // NaN/Infinity have no JSON form: JSON.stringify would silently turn them into null.
      if (!Number.isFinite(value)) throw new CanonicalJsonError('non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => write(v === undefined ? null : v, depth + 1)).join(',')}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError('only plain objects and arrays');
      const obj = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(obj).sort()) {
        if (obj[key] === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${write(obj[key], depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new CanonicalJsonError(`${typeof value} has no JSON form`);
  }
}

/** UTF-8 bytes of the canonical form: what signatures are made over. */
export function canonicalBytes(value: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(canonicalJson(value));
}

// ---- base64 -------------------------------------------------------------------------------------
// atob/btoa exist in Node ≥ 16 and every browser. Decoding is strict: only the canonical encoding of
// some byte string is accepted, so no two different texts decode to the same bytes (a changed
// padding bit in a signature is a changed signature, never a silent equivalent).

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** null for anything but canonical, padded standard base64. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | null {
  if (typeof text !== 'string' || !base64Re.test(text)) return null;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return bytesToBase64(out) === text ? out : null;
}

export function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** null for anything but canonical, unpadded base64url (RFC 4648 §5). */
export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> | null {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  return base64ToBytes(std + '='.repeat((4 - (std.length % 4)) % 4));
}
