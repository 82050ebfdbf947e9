import { describe, expect, it } from 'vitest';
import { webReplayRecord } from './webSupervision';

/** localStorage as a page has it: strings only, and it throws once full. */
function storage(limit = Infinity): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => {
      if (v.length > limit) throw new DOMException('quota', 'QuotaExceededError');
      m.set(k, v);
    },
  };
}

describe('the web build’s record of used statements', () => {
  it('is found again after a reload, without what expired', async () => {
    const s = storage();
    const now = Math.floor(Date.now() / 1000);
    await webReplayRecord(s, 'k').remember('old', now - 5);
    await webReplayRecord(s, 'k').remember('live', now + 60);
    expect(await webReplayRecord(s, 'k').load()).toEqual([{ key: 'live', forgetAfterSec: now + 60 }]);
  });

  it('starts afresh from a damaged value, and refuses (throws) when the profile is full', async () => {
    const s = storage(40);
    s.setItem('k', '{not json');
    expect(await webReplayRecord(s, 'k').load()).toEqual([]);
    await expect(webReplayRecord(s, 'k').remember('x'.repeat(64), 2 ** 31)).rejects.toThrow(/quota/);
  });
});
