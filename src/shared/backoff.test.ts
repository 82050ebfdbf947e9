import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './backoff';

describe('reconnect back-off', () => {
  it('doubles each attempt and stops growing at the cap', () => {
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4].map((n) => reconnectDelayMs(n, 500, 30_000, mid))).toEqual([500, 1000, 2000, 4000]);
    expect(reconnectDelayMs(20, 500, 30_000, mid)).toBe(30_000);
  });
  it('spreads reconnects by up to ±20%', () => {
    expect(reconnectDelayMs(3, 500, 30_000, () => 0)).toBe(1600);
    expect(reconnectDelayMs(3, 500, 30_000, () => 1)).toBe(2400);
  });
});
