import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestPendingError, type Session } from 'sip.js';
import { maxReoffers, mediaStartGraceMs, nextWatchdogStep, watchMediaStart } from './mediaWatchdog';

describe('nextWatchdogStep', () => {
  it('leaves a connected call alone and waits out the grace before re-offering', () => {
    expect(nextWatchdogStep(true, 60_000, 0)).toBe('up');
    expect(nextWatchdogStep(false, mediaStartGraceMs - 1, 0)).toBe('wait');
    expect(nextWatchdogStep(false, mediaStartGraceMs, 0)).toBe('reoffer');
    expect(nextWatchdogStep(false, mediaStartGraceMs, maxReoffers)).toBe('give-up');
  });
});

describe('watchMediaStart', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function fakes(invite: () => Promise<unknown>) {
    const pc = { connectionState: 'connecting' as RTCPeerConnectionState };
    const session = { invite: vi.fn(invite) } as unknown as Session & { invite: ReturnType<typeof vi.fn> };
    return { pc, session };
  }

  it('re-offers a call whose audio path is still down after the grace, and stops once it is up', async () => {
    const { pc, session } = fakes(() => Promise.resolve({}));
    const onGiveUp = vi.fn();
    watchMediaStart(session, pc as RTCPeerConnection, { onGiveUp });
    await vi.advanceTimersByTimeAsync(mediaStartGraceMs - 600);
    expect(session.invite).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(session.invite).toHaveBeenCalledTimes(1);
    pc.connectionState = 'connected';
    await vi.advanceTimersByTimeAsync(20_000);
    expect(session.invite).toHaveBeenCalledTimes(1);
    expect(onGiveUp).not.toHaveBeenCalled();
  });

  it('tells the user after the last re-offer fails, and never re-offers a healthy call', async () => {
    const down = fakes(() => Promise.resolve({}));
    const onGiveUp = vi.fn();
    watchMediaStart(down.session, down.pc as RTCPeerConnection, { onGiveUp });
    await vi.advanceTimersByTimeAsync(mediaStartGraceMs * (maxReoffers + 2));
    expect(down.session.invite).toHaveBeenCalledTimes(maxReoffers);
    expect(onGiveUp).toHaveBeenCalledTimes(1);

    const healthy = fakes(() => Promise.resolve({}));
    healthy.pc.connectionState = 'connected';
    watchMediaStart(healthy.session, healthy.pc as RTCPeerConnection, { onGiveUp });
    await vi.advanceTimersByTimeAsync(mediaStartGraceMs * 4);
    expect(healthy.session.invite).not.toHaveBeenCalled();
  });

  it('waits for a hold in flight instead of counting it, and stops when the call ends', async () => {
    let pending = true;
    const { pc, session } = fakes(() => (pending ? Promise.reject(new RequestPendingError('busy')) : Promise.resolve({})));
    const stop = watchMediaStart(session, pc as RTCPeerConnection, { onGiveUp: vi.fn() });
    await vi.advanceTimersByTimeAsync(mediaStartGraceMs + 2000);
    const tries = session.invite.mock.calls.length;
    expect(tries).toBeGreaterThan(1);
    pending = false;
    await vi.advanceTimersByTimeAsync(600);
    expect(session.invite).toHaveBeenCalledTimes(tries + 1);
    stop();
    await vi.advanceTimersByTimeAsync(mediaStartGraceMs * 4);
    expect(session.invite).toHaveBeenCalledTimes(tries + 1);
  });
});
