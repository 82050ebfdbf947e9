// The latency reference and budget for the benchmark: a bare SIP.js call through the same server (no
// app, no Web Audio on the send side) as the figure of merit's denominator, and where each path's
// milliseconds go, from WebRTC's own counters.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { oneWayLatency, stats } from './benchAudio';
import { serveStatic } from '../src/node/staticServer';
import type { Rig } from '../tests/support/browser';

/** Cumulative WebRTC counters of one peer connection (one audio stream each way). */
export interface RtpCounters {
  jitterBufferDelay: number;
  jitterBufferEmitted: number;
  jitterBufferTargetMs: number | null;
  packetSendDelay: number;
  packetsSent: number;
  rttMs: number | null;
  ptimeMs: number;
}

/** Index in the page's `__pcs` of its newest connected peer connection (the live call or leg). */
export function lastConnectedPc(page: Page): Promise<number> {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    for (let i = pcs.length - 1; i >= 0; i--) if (pcs[i].connectionState === 'connected') return i;
    throw new Error('no connected peer connection');
  });
}

export function rtpCounters(page: Page, pcIndex: number): Promise<RtpCounters> {
  return page.evaluate(async (i) => {
    const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs[i];
    const out = { jitterBufferDelay: 0, jitterBufferEmitted: 0, jitterBufferTargetMs: null as number | null, packetSendDelay: 0, packetsSent: 0, rttMs: null as number | null, ptimeMs: 20 };
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') {
        out.jitterBufferDelay = r.jitterBufferDelay ?? 0;
        out.jitterBufferEmitted = r.jitterBufferEmittedCount ?? 0;
        if (r.jitterBufferEmittedCount) out.jitterBufferTargetMs = Math.round(((r.jitterBufferTargetDelay ?? 0) / r.jitterBufferEmittedCount) * 1000);
      }
      if (r.type === 'outbound-rtp' && r.kind === 'audio') {
        out.packetSendDelay = r.totalPacketSendDelay ?? 0;
        out.packetsSent = r.packetsSent ?? 0;
      }
      if (r.type === 'candidate-pair' && r.nominated && r.currentRoundTripTime !== undefined) out.rttMs = r.currentRoundTripTime * 1000;
    });
    // The Opus frame length the sender uses: what the far end asked for (a=ptime), else 20 ms.
    const ptime = /a=ptime:(\d+)/.exec(pc.remoteDescription?.sdp ?? '');
    if (ptime) out.ptimeMs = Number(ptime[1]);
    return out;
  }, pcIndex);
}

/** Where one path's one-way milliseconds go, over the window between two counter snapshots. */
export interface PathBudget {
  oneWayMs: number;
  packetMs: number;
  pacingMs: number;
  networkMs: number;
  jitterBufferMs: number;
  jitterBufferTargetMs: number | null;
  /** Capture, encode, decode, Web Audio hops and detection: what the browser does not itemise. */
  restMs: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function pathBudget(oneWayMs: number, sender: [RtpCounters, RtpCounters], receiver: [RtpCounters, RtpCounters]): PathBudget {
  const [s0, s1] = sender;
  const [r0, r1] = receiver;
  const emitted = r1.jitterBufferEmitted - r0.jitterBufferEmitted;
  const packets = s1.packetsSent - s0.packetsSent;
  const packetMs = s1.ptimeMs;
  const pacingMs = packets > 0 ? round1(((s1.packetSendDelay - s0.packetSendDelay) / packets) * 1000) : 0;
  const networkMs = round1((r1.rttMs ?? s1.rttMs ?? 0) / 2);
  const jitterBufferMs = emitted > 0 ? round1(((r1.jitterBufferDelay - r0.jitterBufferDelay) / emitted) * 1000) : 0;
  return {
    oneWayMs,
    packetMs,
    pacingMs,
    networkMs,
    jitterBufferMs,
    jitterBufferTargetMs: r1.jitterBufferTargetMs,
    restMs: round1(oneWayMs - packetMs - pacingMs - networkMs - jitterBufferMs),
  };
}

/**
 * The bare reference: two minimal SIP.js pages (scripts/reference, built by `npm run bench`) call
 * each other through the same server; one-way latency measured exactly as for the app's paths.
 */
export async function measureReference(
  rig: Rig,
  sip: { wsUrl: string; domain: string },
  accounts: { caller: [string, string]; callee: [string, string] },
  tones: { caller: number; callee: number },
  samples: number,
): Promise<{ oneWayMs: number[]; budget: PathBudget }> {
  const dir = join(process.cwd(), 'out/reference');
  if (!existsSync(join(dir, 'index.html'))) throw new Error('out/reference is missing: run the benchmark with `npm run bench` (it builds the reference page)');
  const web = await serveStatic(dir);
  const caller = await rig.party('reference caller', tones.caller, web.url);
  const callee = await rig.party('reference callee', tones.callee, web.url);
  try {
    const start = (p: Page, [user, password]: [string, string]) => p.evaluate((o) => (window as unknown as { bare: { start(o: unknown): Promise<void> } }).bare.start(o), { server: sip.wsUrl, domain: sip.domain, user, password });
    await start(caller.page, accounts.caller);
    await start(callee.page, accounts.callee);
    await caller.page.evaluate((t) => (window as unknown as { bare: { call(t: string): Promise<void> } }).bare.call(t), `sip:${accounts.callee[0]}@${sip.domain}`);
    for (const p of [caller.page, callee.page]) await p.waitForFunction(() => (window as unknown as { bare: { established(): boolean } }).bare.established(), null, { timeout: 20_000 });
    const pcs = [await lastConnectedPc(caller.page), await lastConnectedPc(callee.page)];
    const before = [await rtpCounters(caller.page, pcs[0]), await rtpCounters(callee.page, pcs[1])];
    const oneWayMs: number[] = [];
    for (let i = 0; i < samples; i++) oneWayMs.push(await oneWayLatency(caller.page, callee.page, tones.caller));
    const after = [await rtpCounters(caller.page, pcs[0]), await rtpCounters(callee.page, pcs[1])];
    return { oneWayMs, budget: pathBudget(stats(oneWayMs).median, [before[0], after[0]], [before[1], after[1]]) };
  } finally {
    await caller.context.close();
    await callee.context.close();
    await web.close();
  }
}

export function budgetMarkdown(paths: Array<{ label: string; budget: PathBudget }>): string[] {
  const row = (name: string, f: (b: PathBudget) => string) => `| ${name} | ${paths.map((p) => f(p.budget)).join(' | ')} |`;
  return [
    '## Latency budget: where the one-way milliseconds go',
    '',
    `| ms | ${paths.map((p) => p.label).join(' | ')} |`,
    `|---|${paths.map(() => '---|').join('')}`,
    row('one-way, measured (median)', (b) => String(b.oneWayMs)),
    row('Opus frame (packetisation; a=ptime)', (b) => String(b.packetMs)),
    row('sender pacing (outbound-rtp totalPacketSendDelay / packet)', (b) => String(b.pacingMs)),
    row('network (candidate-pair RTT / 2)', (b) => String(b.networkMs)),
    row('jitter buffer (inbound-rtp jitterBufferDelay / sample)', (b) => `${b.jitterBufferMs}${b.jitterBufferTargetMs !== null ? ` (target ${b.jitterBufferTargetMs})` : ''}`),
    row('rest: capture, encode, decode, Web Audio hops, detection', (b) => String(b.restMs)),
    '',
    'The rest is what the browser does not itemise; against the bare reference it shows what the app\'s own Web Audio graph costs (the send-side hop mic → graph → track and the receive-side graph).',
    '',
  ];
}

/** The figures from the committed baseline run (before the latency work), if present. */
export function loadBaseline(): { commit: string; date: string; figures: Record<string, number> } | null {
  const file = join(process.cwd(), 'scripts/bench-baseline.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { commit: string; date: string; figures: Record<string, number> }) : null;
}

export interface Goal {
  key: string;
  label: string;
  target: string;
  value: number;
  met: boolean;
}

export function goalsMarkdown(goals: Goal[], baseline: ReturnType<typeof loadBaseline>): string[] {
  return [
    '## Latency goals (issues #9 and #30)',
    '',
    `| goal | target | ${baseline ? `before (${baseline.commit.slice(0, 7)}, ${baseline.date.slice(0, 10)}) | ` : ''}now | met |`,
    `|---|---|${baseline ? '---|' : ''}---|---|`,
    ...goals.map((g) => `| ${g.label} | ${g.target} | ${baseline ? `${baseline.figures[g.key] ?? '–'} | ` : ''}${g.value} | ${g.met ? 'yes' : '**no**'} |`),
    '',
  ];
}
