import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, base64UrlToBytes, bytesToBase64, bytesToBase64Url, CanonicalJsonError, canonicalJson } from './canonical';

const fuzz = { seed: 20261125, numRuns: 300 };
/** Hundreds of runs (some with signatures) take seconds on a loaded machine. */
const fuzzTimeout = 120_000;

describe('canonicalJson', () => {
  it('sorts keys at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x y' } })).toBe('{"a":{"c":"x y","d":[1,{"y":null,"z":true}]},"b":1}');
  });

  it('gives one form for the same document, whatever the file layout or key order', () => {
    const a = JSON.parse('{ "org": "Acme",\n  "teams": [ {"id":"s", "agents":["1001@x"]} ],\r\n "version": 1 }');
    const b = JSON.parse('{"version":1,"teams":[{"agents":["1001@x"],"id":"s"}],"org":"Acme"}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('is a fixed point and loses nothing for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const c = canonicalJson(v);
        expect(canonicalJson(JSON.parse(c))).toBe(c);
        expect(JSON.parse(c)).toEqual(JSON.parse(JSON.stringify(v)));
        expect(canonicalJson(JSON.parse(JSON.stringify(v, null, 2)))).toBe(c);
      }),
      fuzz,
    );
  }, fuzzTimeout);

  it('keeps a "__proto__" key from parsed JSON as data', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('refuses values JSON cannot carry instead of writing something else', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: Infinity })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: new Date(0) })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: 1n })).toThrow(CanonicalJsonError);
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses hostile nesting cleanly', () => {
    const deep = JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(() => canonicalJson(deep)).toThrow(/nested deeper/);
  });
});

describe('strict base64', () => {
  it('round-trips any bytes in both alphabets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
        const url = bytesToBase64Url(bytes);
        expect(url).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(base64UrlToBytes(url)).toEqual(bytes);
      }),
      fuzz,
    );
  }, fuzzTimeout);

  it('refuses a second spelling of the same bytes (unused low bits set)', () => {
    expect(base64ToBytes('AA==')).toEqual(new Uint8Array([0]));
    expect(base64ToBytes('AB==')).toBeNull();
    expect(base64UrlToBytes('AA')).toEqual(new Uint8Array([0]));
    expect(base64UrlToBytes('AB')).toBeNull();
  });

  it('refuses padding, whitespace and the other alphabet where they do not belong', () => {
    expect(base64ToBytes('AA')).toBeNull();
    expect(base64ToBytes('AA==\n')).toBeNull();
    expect(base64ToBytes('_-8=')).toBeNull();
    expect(base64UrlToBytes('AA==')).toBeNull();
    expect(base64UrlToBytes('+/8')).toBeNull();
    expect(base64UrlToBytes('A')).toBeNull();
  });
});
