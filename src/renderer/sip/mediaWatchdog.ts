import { RequestPendingError, type Session } from 'sip.js';

/**
 * A connected call whose audio path never came up gets a fresh offer from our side. Asterisk, as
 * the offerer of a call to a browser (every call an agent answers), can drop the browser's DTLS
 * hello while its own ICE is still checking, and then nothing flows until the browser re-offers
 * (asterisk/asterisk#2053); a re-INVITE is what a user would do by hand with hold and resume.
 * The grace leaves room for a starved CPU: a healthy call is connected long before it ends.
 */
export const mediaStartGraceMs = 3000;
export const maxReoffers = 2;

export type WatchdogStep = 'up' | 'wait' | 'reoffer' | 'give-up';

/** `connected`: ICE and DTLS both up (RTCPeerConnection.connectionState). */
export function nextWatchdogStep(connected: boolean, sinceLastOfferMs: number, reoffersSent: number): WatchdogStep {
  if (connected) return 'up';
  if (sinceLastOfferMs < mediaStartGraceMs) return 'wait';
  return reoffersSent < maxReoffers ? 'reoffer' : 'give-up';
}

export interface WatchdogHooks {
  /** A re-offer went out (the session's own re-INVITE options, so a held call stays held). */
  onReoffer?: (attempt: number) => void;
  onGiveUp: () => void;
}

/** Watches one established session; returns a stop function (call it when the session ends). */
export function watchMediaStart(session: Session, pc: RTCPeerConnection, hooks: WatchdogHooks, pollMs = 500): () => void {
  let stopped = false;
  let reoffers = 0;
  let lastOfferAt = Date.now();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = (): void => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const tick = async (): Promise<void> => {
    timer = null;
    if (stopped || pc.connectionState === 'closed') return stop();
    const step = nextWatchdogStep(pc.connectionState === 'connected', Date.now() - lastOfferAt, reoffers);
    if (step === 'up') return stop();
    if (step === 'give-up') {
      stop();
      hooks.onGiveUp();
      return;
    }
    if (step === 'reoffer') {
      // A hold or resume in flight is an offer too: it is not counted, and we look again once it is done.
      const sent = await session.invite().then(
        () => true,
        (e: unknown) => (e instanceof RequestPendingError ? null : false),
      );
      if (sent !== null) {
        reoffers += 1;
        lastOfferAt = Date.now();
        if (sent) hooks.onReoffer?.(reoffers);
      }
    }
    if (!stopped) timer = setTimeout(() => void tick(), pollMs);
  };
  timer = setTimeout(() => void tick(), pollMs);
  return stop;
}
