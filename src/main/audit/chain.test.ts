import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalJson, entryLine, hashEntry, sealEntry, verifyChain } from './chain';
import { normalizeEvent, type AuditEvent } from './entry';
import { chainOf, logText, sampleEvents } from './testing/fixtures';

const lines = (text: string) => text.split('\n');

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined members, adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 2, y: undefined, x: 'é' }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":"é","z":2}]},"b":1}');
  });

  it('hashes the entry without its hash: SHA-256 hex, first entry links to 64 zeros', () => {
    const [first, second] = chainOf();
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(first.seq).toBe(1);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEntry(first)).toBe(first.hash);
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash });
    // A known value: anyone can recompute it with sha256sum over the canonical JSON.
    const fixed = sealEntry(null, normalizeEvent(sampleEvents[0]));
    expect(entryLine(fixed)).toBe(
      `{"action":"join","actor":"sip:sup@pbx.test","at":"2026-03-01T09:00:00.000Z","call":"a84b4c76e66710@pc33","hash":"${fixed.hash}","mode":"listen","prevHash":"${GENESIS_HASH}","result":"ok","seq":1,"subject":"sip:agent1@pbx.test"}\n`,
    );
  });
});

describe('verifyChain', () => {
  const entries = chainOf();
  const text = logText(entries);

  it('accepts an intact log and an empty one', () => {
    expect(verifyChain(lines(text))).toMatchObject({ ok: true, head: { seq: 6, hash: entries[5].hash } });
    expect(verifyChain(lines(text)).entries).toEqual(entries);
    expect(verifyChain([''])).toEqual({ ok: true, entries: [], head: null });
  });

  it('finds one changed byte in the middle of the file, on its line', () => {
    const ls = lines(text);
    // 'sip:sup@' in line 2 becomes 'sip:sus@': valid JSON, valid entry, wrong hash.
    const at = ls[0].length + 1 + ls[1].indexOf('sip:sup@') + 6;
    const edited = text.slice(0, at) + 's' + text.slice(at + 1);
    expect(verifyChain(lines(edited)).firstBad).toMatchObject({ line: 2, problem: 'edited' });
    expect(verifyChain(lines(edited)).entries).toHaveLength(1);
  });

  it('finds an edit whose author recomputed that entry’s hash: the next line no longer links', () => {
    const forged = entries.map((e) => ({ ...e }));
    const { hash: _h, ...body } = { ...forged[2], reason: 'nothing to see' };
    forged[2] = { ...body, hash: hashEntry(body) };
    expect(verifyChain(lines(logText(forged))).firstBad).toMatchObject({ line: 4, problem: 'removed-or-reordered' });
  });

  it('finds a removed line where it was', () => {
    const ls = lines(text);
    ls.splice(2, 1);
    expect(verifyChain(ls).firstBad).toMatchObject({ line: 3, problem: 'removed-or-reordered' });
    expect(verifyChain(ls).firstBad!.detail).toMatch(/expected seq 3, found 4/);
  });

  it('finds two swapped lines', () => {
    const ls = lines(text);
    [ls[1], ls[4]] = [ls[4], ls[1]];
    expect(verifyChain(ls).firstBad).toMatchObject({ line: 2, problem: 'removed-or-reordered' });
  });

  it('finds a removed first line and a duplicated line', () => {
    expect(verifyChain(lines(text).slice(1)).firstBad).toMatchObject({ line: 1, problem: 'removed-or-reordered' });
    const ls = lines(text);
    ls.splice(3, 0, ls[2]);
    expect(verifyChain(ls).firstBad).toMatchObject({ line: 4, problem: 'removed-or-reordered' });
  });

  it('reports a torn last line (no line end), a blank line and a line that is not JSON', () => {
    expect(verifyChain(lines(text.slice(0, -20))).firstBad).toMatchObject({ line: 6, problem: 'truncated' });
    expect(verifyChain(lines(text.slice(0, -1))).firstBad).toMatchObject({ line: 6, problem: 'truncated' });
    const ls = lines(text);
    ls.splice(1, 0, '');
    expect(verifyChain(ls).firstBad).toMatchObject({ line: 2, problem: 'blank-line' });
    ls[1] = '{"seq":';
    expect(verifyChain(ls).firstBad).toMatchObject({ line: 2, problem: 'not-json' });
    ls[1] = '{"seq":2}';
    expect(verifyChain(ls).firstBad).toMatchObject({ line: 2, problem: 'invalid-entry' });
  });

  it('finds a line re-encoded without changing its meaning (key order, spaces, escapes)', () => {
    const ls = lines(text);
    ls[0] = JSON.stringify(entries[0], null, 1).replace(/\n/g, '');
    expect(verifyChain(ls).firstBad).toMatchObject({ line: 1, problem: 'edited' });
    ls[0] = lines(text)[0].replace('"join"', '"\\u006aoin"');
    expect(verifyChain(ls).firstBad).toMatchObject({ line: 1, problem: 'edited' });
  });

  it('with an anchor kept elsewhere, finds entries cut off the end and a rewritten log', () => {
    const cut = lines(logText(entries.slice(0, 4)));
    expect(verifyChain(cut).ok).toBe(true); // the chain alone cannot tell
    expect(verifyChain(cut, { expectHead: { seq: 6, hash: entries[5].hash } }).firstBad).toMatchObject({ line: 5, problem: 'tail-removed' });
    const rewritten = chainOf(sampleEvents.map((e, i) => (i === 1 ? { ...e, mode: 'listen' } : e)));
    const r = verifyChain(lines(logText(rewritten)), { expectHead: { seq: 6, hash: entries[5].hash } });
    expect(r.firstBad).toMatchObject({ line: 6, problem: 'edited' });
    expect(r.entries).toHaveLength(5);
  });

  it('can start mid-chain (a log continuing an archived one)', () => {
    const rest = lines(logText(entries.slice(3)));
    expect(verifyChain(rest).ok).toBe(false);
    expect(verifyChain(rest, { start: { seq: 4, prevHash: entries[2].hash } }).ok).toBe(true);
  });

  it('property: any single changed byte anywhere in the file is reported on the line that holds it', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('Zoë', '电话', '😀 call', 'a"b]c\\d', '=1+2', '\u0007bell', '\ud800lone'),
    );
    const event: fc.Arbitrary<AuditEvent> = fc.record({
      at: fc.integer({ min: 0, max: 4102444800000 }).map((t) => new Date(t)),
      actor: text,
      subject: text,
      call: text,
      action: fc.constantFrom('join', 'mode', 'prompt', 'leave', 'takeover'),
      mode: fc.constantFrom('listen', 'whisper', 'barge', 'takeover'),
      durationMs: fc.option(fc.nat(), { nil: undefined }),
      result: fc.constantFrom('ok', 'failed'),
      reason: fc.option(text, { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 8 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (events, pos, delta) => {
        const bytes = Buffer.from(logText(chainOf(events)), 'utf8');
        const p = pos % bytes.length;
        const changed = Buffer.from(bytes);
        changed[p] = (changed[p] + delta) % 256;
        const line = bytes.subarray(0, p).filter((b) => b === 0x0a).length + 1;
        const r = verifyChain(changed.toString('utf8').split('\n'));
        expect(r.ok).toBe(false);
        expect(r.firstBad!.line).toBe(line);
        expect(r.entries).toHaveLength(line - 1);
      }),
      { seed: 20260301, numRuns: 300 },
    );
  }, 120_000);
});
