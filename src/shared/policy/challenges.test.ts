import { describe, expect, it } from 'vitest';
import { parseChallengeMessage } from '../supervision/challenge';
import { ChallengeBook, challengeTtlMs } from './challenges';

const join = { sup: '1101@x', agent: '1001@x', callId: 'c@x', mode: 'listen' as const, publicKey: 'K' };

describe('join challenges', () => {
  it('are random, taken once, and forgotten after their ceiling', () => {
    const book = new ChallengeBook();
    const a = book.issue(join, 0);
    const b = book.issue(join, 0);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(book.take(a, 1)).toEqual(join);
    expect(book.take(a, 1)).toBeNull();
    expect(book.take(b, challengeTtlMs + 1)).toBeNull();
  });

  it('stay bounded under a flood: the oldest open one goes first', () => {
    const book = new ChallengeBook(3);
    const first = book.issue(join, 0);
    for (let i = 0; i < 5; i++) book.issue(join, 0);
    expect(book.size).toBe(3);
    expect(book.take(first, 0)).toBeNull();
  });

  it('travel as strict JSON, and anything else is not one', () => {
    expect(parseChallengeMessage(JSON.stringify({ type: 'challenge', challenge: 'A'.repeat(22), call: 'c@x', mode: 'listen' }))).toMatchObject({ type: 'challenge' });
    expect(parseChallengeMessage(JSON.stringify({ type: 'proof', stmt: 'a.b.c' }))).toMatchObject({ type: 'proof' });
    for (const bad of ['', 'null', '{"type":"proof"}', JSON.stringify({ type: 'challenge', challenge: 'short', call: 'c', mode: 'listen' }), JSON.stringify({ type: 'proof', stmt: 'a.b.c', extra: 1 }), `{"type":"proof","stmt":"${'a'.repeat(2000)}"}`])
      expect(parseChallengeMessage(bad)).toBeNull();
  });
});
