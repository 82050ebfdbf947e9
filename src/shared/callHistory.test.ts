import { describe, expect, it } from 'vitest';
import { foldHistory, type CallRecord } from './callHistory';

const call = (id: string, startedAt: string): CallRecord => ({
  id,
  direction: 'inbound',
  remote: 'sip:2001@x',
  remoteName: 'Customer',
  startedAt,
  answeredAt: startedAt,
  endedAt: startedAt,
  holdSeconds: 0,
  transfers: 0,
  outcome: 'answered',
  reason: '',
});

describe('call history lines', () => {
  it('joins wrap-ups to their calls, newest call first', () => {
    const lines = [
      JSON.stringify({ kind: 'call', call: call('a', '2026-01-01T10:00:00Z') }),
      JSON.stringify({ kind: 'call', call: call('b', '2026-01-01T11:00:00Z') }),
      JSON.stringify({ kind: 'wrapup', callId: 'a', wrapUp: { disposition: 'Complaint', resolved: false, note: 'x' }, at: '2026-01-01T10:05:00Z' }),
    ];
    const { items, skippedLines } = foldHistory(lines);
    expect(items.map((i) => i.id)).toEqual(['b', 'a']);
    expect(items[1].wrapUp).toEqual({ disposition: 'Complaint', resolved: false, note: 'x' });
    expect(skippedLines).toBe(0);
  });

  it('skips a torn last line (crash mid-write) and keeps everything before it', () => {
    const good = JSON.stringify({ kind: 'call', call: call('a', '2026-01-01T10:00:00Z') });
    const { items, skippedLines } = foldHistory([good, good.slice(0, 40)]);
    expect(items).toHaveLength(1);
    expect(skippedLines).toBe(1);
  });

  it('counts lines with the wrong shape as skipped', () => {
    expect(foldHistory(['{"kind":"call","call":{"id":1}}', '[]']).skippedLines).toBe(2);
  });
});
