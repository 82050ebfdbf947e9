import type { Page } from 'playwright-core';
import type { ToneAnalysis, ToneStats } from '../../src/shared/toneAnalysis';
import type { Party } from './browser';

// Measures what a party's headset played, from the app's capture tap: frame by frame (≈21 ms
// Blackman–Harris frames), so a steady tone (median) is told apart from a click (loudest frame) and
// a dip (quietest frame). Used by the tests and the benchmark.

type Range = { lastMs: number } | { from: number; to: number };
interface Diagnostics {
  audioClock(): Promise<number>;
  sampleRate(): number;
  headsetAnalysis(freqs: number[], range: Range): Promise<ToneAnalysis & { from: number; to: number }>;
}

export type Analysis = ToneAnalysis & { from: number; to: number };

function analysis(page: Page, freqs: number[], range: Range): Promise<Analysis> {
  return page.evaluate(
    ({ freqs, range }) => (window as unknown as { whisperlineDiagnostics: Diagnostics }).whisperlineDiagnostics.headsetAnalysis(freqs, range),
    { freqs, range },
  );
}

/** Tone statistics of the last `ms` the party's headset played. */
export async function listen(party: Party, freqs: number[], ms = 300): Promise<Analysis> {
  return analysis(party.page, freqs, { lastMs: ms });
}

/** Median level per frequency (dBFS) over the last `ms`: what is steadily heard. */
export async function hears(party: Party, freqs: number[], ms = 300): Promise<Record<number, number>> {
  const a = await listen(party, freqs, ms);
  return Object.fromEntries(freqs.map((f) => [f, a.tones[f].median]));
}

/** A point on the party's audio clock (frames), to analyse around an event later. */
export function mark(party: Party): Promise<number> {
  return party.page.evaluate(() => (window as unknown as { whisperlineDiagnostics: Diagnostics }).whisperlineDiagnostics.audioClock());
}

/** Tone statistics between `beforeMs` before and `afterMs` after a mark, waiting until it is recorded. */
export async function around(party: Party, at: number, freqs: number[], beforeMs: number, afterMs: number): Promise<Analysis> {
  const rate = await party.page.evaluate(() => (window as unknown as { whisperlineDiagnostics: Diagnostics }).whisperlineDiagnostics.sampleRate());
  return analysis(party.page, freqs, { from: at - Math.round((beforeMs / 1000) * rate), to: at + Math.round((afterMs / 1000) * rate) });
}

export const fmt = (s: ToneStats) => `median ${s.median.toFixed(1)} / loudest ${s.max.toFixed(1)} / quietest ${s.min.toFixed(1)}`;

/** What one listener heard around an event, against the same call's steady state just before it. */
export interface EventTrace {
  listener: string;
  /** Loudest frame at an unused frequency: a click or pop shows here. Steady state, then the event. */
  clickSteadyDb: number;
  clickEventDb: number;
  /** The tone the listener should keep hearing throughout: its steady median and its quietest frame in the event. */
  toneSteadyDb: number;
  toneEventMinDb: number;
  /**
   * Audio the listener's WebRTC stack had to invent during the event (concealment events on its
   * incoming audio: packets late or lost, which is what a starved CPU does). What the app does at an
   * event (a gain step, a connect) arrives intact and conceals nothing.
   */
  concealedEvents: number;
}

/** Concealment events so far on each of the page's peer connections (null: closed). */
function concealmentEvents(party: Party): Promise<Array<number | null>> {
  return party.page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    return Promise.all(
      pcs.map(async (pc) => {
        if (pc.connectionState === 'closed') return null;
        const stats = await pc.getStats().catch(() => null);
        let n = 0;
        stats?.forEach((r: { type: string; kind?: string; concealmentEvents?: number }) => {
          if (r.type === 'inbound-rtp' && r.kind === 'audio') n += r.concealmentEvents ?? 0;
        });
        return n;
      }),
    );
  });
}

/**
 * Each of the page's peer connections, as WebRTC sees it: connection, ICE and DTLS state, and the
 * audio packets sent and received. Printed when a tone is not heard, to tell a network path that
 * never came up (no DTLS, nothing received) from audio that arrives but is not played.
 */
export function mediaReport(party: Party): Promise<string> {
  return party.page
    .evaluate(async () => {
      const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
      const lines = await Promise.all(
        pcs.map(async (pc, i) => {
          const head = `pc${i} ${pc.connectionState} ice=${pc.iceConnectionState}`;
          if (pc.connectionState === 'closed') return head;
          const stats = await pc.getStats().catch(() => null);
          const parts: string[] = [head];
          stats?.forEach((r: Record<string, unknown>) => {
            if (r.type === 'transport') parts.push(`dtls=${r.dtlsState} pairChanges=${r.selectedCandidatePairChanges}`);
            if (r.type === 'inbound-rtp' && r.kind === 'audio') parts.push(`rx ${r.packetsReceived} pkts (lost ${r.packetsLost}, energy ${Number(r.totalAudioEnergy ?? 0).toFixed(3)})`);
            if (r.type === 'outbound-rtp' && r.kind === 'audio') parts.push(`tx ${r.packetsSent} pkts`);
          });
          return parts.join(', ');
        }),
      );
      return lines.length ? lines.join('; ') : 'no peer connection';
    })
    .catch((e: Error) => `(media unreadable: ${e.message})`);
}

/** New concealment on the connections that were already up before the event (a leg that starts or ends at it is not judged). */
function concealedSince(before: Array<number | null>, after: Array<number | null>): number {
  return before.reduce<number>((sum, b, i) => (b === null || after[i] == null ? sum : sum + (after[i]! - b)), 0);
}

/** A frequency no party uses and no party's tone has a harmonic at (600, 1000, 1400, 1800 Hz). */
export const unusedHz = 2300;

/**
 * Runs `action` (which resolves once the app has confirmed the change) and measures, for each
 * listener, from the action until `settleMs` after the confirmation, against the second of the same
 * call just before.
 */
export async function traceEvent(listeners: Array<{ party: Party; keeps: number }>, action: () => Promise<void>, settleMs = 600): Promise<EventTrace[]> {
  const steadyMs = 1000;
  // A full steady second recorded right before the event (the tap may only just have started).
  const warm = await Promise.all(listeners.map((l) => mark(l.party)));
  await Promise.all(listeners.map((l, i) => around(l.party, warm[i], [], 0, steadyMs)));
  const starts = await Promise.all(listeners.map((l) => mark(l.party)));
  const concealedBefore = await Promise.all(listeners.map((l) => concealmentEvents(l.party)));
  await action();
  const ends = await Promise.all(listeners.map((l) => mark(l.party)));
  return Promise.all(
    listeners.map(async ({ party, keeps }, i) => {
      const rate = await party.page.evaluate(() => (window as unknown as { whisperlineDiagnostics: Diagnostics }).whisperlineDiagnostics.sampleRate());
      const frames = (ms: number) => Math.round((ms / 1000) * rate);
      const steady = await analysis(party.page, [keeps, unusedHz], { from: starts[i] - frames(steadyMs), to: starts[i] });
      const event = await analysis(party.page, [keeps, unusedHz], { from: starts[i], to: ends[i] + frames(settleMs) });
      const concealedEvents = concealedSince(concealedBefore[i], await concealmentEvents(party));
      return {
        listener: party.name,
        clickSteadyDb: steady.tones[unusedHz].max,
        clickEventDb: event.tones[unusedHz].max,
        toneSteadyDb: steady.tones[keeps].median,
        toneEventMinDb: event.tones[keeps].min,
        concealedEvents,
      };
    }),
  );
}

export const fmtTrace = (t: EventTrace) =>
  `${t.listener}: click ${t.clickEventDb.toFixed(1)} dBFS (steady ${t.clickSteadyDb.toFixed(1)}), tone low ${t.toneEventMinDb.toFixed(1)} dBFS (steady ${t.toneSteadyDb.toFixed(1)})${t.concealedEvents > 0 ? `, ${t.concealedEvents} concealed` : ''}`;
