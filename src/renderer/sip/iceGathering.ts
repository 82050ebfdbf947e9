import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web';

/**
 * How long to wait after a UDP host candidate for the rest of the burst: Chromium reports the
 * UDP host candidates of every interface within a few ms of each other, then its TCP candidates
 * (port 9, active only, of no use to a PBX) about 120 ms later, and only then "complete".
 */
export const hostCandidateGraceMs = 15;

/** What SIP.js's web handler offers for gathering: a public "done" and a protected wait we wrap. */
type GatheringHandler = SessionDescriptionHandler & {
  waitForIceGatheringComplete(restart?: boolean, timeout?: number): Promise<void>;
};

/**
 * Lets an offer or answer go out as soon as the UDP host candidates are in, instead of waiting for
 * Chromium's TCP candidates and its "complete" (measured: ~120 ms on every call and supervision
 * join). Only for host-only configurations (no STUN/TURN): there, UDP host candidates are all a PBX
 * can use, and they all arrive in one burst. The configured gathering timeout stays the ceiling.
 */
export function completeGatheringOnHostCandidates(sdh: SessionDescriptionHandler, hostOnly: boolean): void {
  if (!hostOnly) return;
  const handler = sdh as GatheringHandler;
  let ready = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const previous = handler.peerConnectionDelegate;
  handler.peerConnectionDelegate = {
    ...previous,
    onicegatheringstatechange: (event) => {
      // A new gathering (ICE restart) starts from nothing again.
      if (handler.peerConnection?.iceGatheringState === 'gathering') ready = false;
      previous?.onicegatheringstatechange?.(event);
    },
    onicecandidate: (event) => {
      const c = event.candidate;
      if (c && !ready && c.protocol === 'udp' && c.type === 'host') {
        // Counted from the latest one: on a starved CPU the burst arrives spread out.
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timer = null;
          ready = true;
          handler.iceGatheringComplete();
        }, hostCandidateGraceMs);
      }
      previous?.onicecandidate?.(event);
    },
  };
  // The candidates may come in before SIP.js starts waiting: then its wait ends at once.
  const wait = handler.waitForIceGatheringComplete.bind(handler);
  handler.waitForIceGatheringComplete = (restart = false, timeout = 0) => {
    if (restart) ready = false;
    const waiting = wait(restart, timeout);
    if (ready) handler.iceGatheringComplete();
    return waiting;
  };
}
