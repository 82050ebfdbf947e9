import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, registerRetryDelayMs } from './backoff';

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

describe('registering again after a "not now" refusal', () => {
  const mid = () => 0.5;
  it('waits as the server asks, but never longer than the reconnect cap', () => {
    expect(registerRetryDelayMs(1, 5, 30_000, mid)).toBe(5000);
    expect(registerRetryDelayMs(1, 300, 30_000, mid)).toBe(30_000);
  });
  it('backs off by itself when the server does not say', () => {
    expect([1, 2, 3].map((n) => registerRetryDelayMs(n, null, 30_000, mid))).toEqual([500, 1000, 2000]);
  });
});
