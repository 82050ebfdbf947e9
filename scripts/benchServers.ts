// The supervision figures per SIP server with the customer a real trunk-style phone (baresip: plain
// SIP/UDP, plain RTP G.711, no Web Audio on its sending side, as a PSTN gateway's audio is):
// Kamailio with rtpengine beside it (WebRTC ↔ RTP), Asterisk and FreeSWITCH (both bridge it
// themselves). Agent and supervisor are the app's pages; the supervisor joins app-mixed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { findAsterisk } from '../src/node/asteriskServer';
import { findFreeswitch } from '../src/node/freeswitchServer';
import { startPbx, type PbxKind, type PbxOptions } from '../src/node/pbx';
import { findRtpEngine } from '../src/node/rtpengine';
import { findBaresip, startTrunkCustomer } from '../src/node/trunkCustomer';
import { startRig } from '../tests/support/browser';
import { enrolAndPublish } from '../tests/support/policy';
import { signIn, waitCallState, waitRegistered } from '../src/node/appDriver';
import { clickAt, firstHeard, joinSamples, stats, switchSamples, untilSilent } from './benchAudio';
import { lastConnectedPc, pathBudget, rtpCounters } from './benchLatency';

const tones = { agent: 600, customer: 1000, supervisor: 1400 };
const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw' };

type Measures = Record<'customerToAgentMs' | 'supervisorToAgentMs' | 'switchToWhisperMs' | 'joinMs' | 'firstJoinMs' | 'jitterBufferMs', number[]>;

interface ServerRun {
  label: string;
  kind: PbxKind;
  options: Omit<PbxOptions, 'accounts'>;
  /** Why it cannot run here, or null. */
  skip: string | null;
}

function serverRuns(): ServerRun[] {
  const baresip = findBaresip();
  const noCustomer = baresip.found ? null : baresip.reason;
  const rtpengine = findRtpEngine();
  const asterisk = findAsterisk();
  const freeswitch = findFreeswitch();
  return [
    { label: 'Kamailio + rtpengine (proxy; media WebRTC ↔ RTP through rtpengine)', kind: 'kamailio', options: { rtpengine: true }, skip: noCustomer ?? (rtpengine.found ? null : rtpengine.reason) },
    // Our Asterisk has no Opus transcoder: the app's legs run G.711 like the trunk's.
    { label: 'Asterisk 22 (B2BUA, media anchored)', kind: 'asterisk', options: { plainRtpAccounts: ['2001'], codecs: ['ulaw', 'alaw'] }, skip: noCustomer ?? (asterisk.found ? null : asterisk.reason) },
    { label: 'FreeSWITCH 1.10 (B2BUA, media anchored)', kind: 'freeswitch', options: { codecs: ['ulaw', 'alaw'] }, skip: noCustomer ?? (freeswitch.found ? null : freeswitch.reason) },
  ];
}

/** The trunk customer's tone switched on (baresip unmuted): when it left, and when the agent first hears it. */
async function customerOneWay(customer: Awaited<ReturnType<typeof startTrunkCustomer>>, agent: Page): Promise<number> {
  await customer.mute(true);
  await untilSilent(agent, tones.customer);
  await new Promise((r) => setTimeout(r, 150));
  const heard = firstHeard(agent, tones.customer, 5000, 1024);
  const on = Date.now();
  await customer.mute(false);
  return (await heard) - on;
}

/** A mono 16-bit WAV of a steady tone, for Chromium's fake capture device. */
function toneWav(file: string, hz: number, seconds = 20, rate = 48_000): void {
  const n = seconds * rate;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  writeFileSync(file, buf);
}

/**
 * The supervisor starts talking: the microphone switched on in whisper (what the talk toggle does),
 * from the click to the agent first hearing it.
 */
async function supervisorOneWay(supervisor: Page, agent: Page): Promise<number> {
  const micOn = () => supervisor.getByTestId('talk-toggle').getAttribute('class').then((c) => /contained/.test(c ?? ''));
  if (await micOn()) await supervisor.getByTestId('talk-toggle').click();
  await untilSilent(agent, tones.supervisor);
  await new Promise((r) => setTimeout(r, 150));
  const heard = firstHeard(agent, tones.supervisor, 5000, 1024);
  const clicked = await clickAt(supervisor, 'talk-toggle');
  return (await heard) - clicked;
}

async function measure(run: ServerRun, samples: number): Promise<Measures> {
  const sip = await startPbx(run.kind, { ...run.options, accounts });
  // The supervisor's microphone is Chromium's capture device playing a tone: no Web Audio before
  // WebRTC, as with a real microphone (the other parties' tone microphones are Web Audio).
  const wavDir = mkdtempSync(join(tmpdir(), 'whisperline-bench-mic-'));
  toneWav(join(wavDir, 'supervisor.wav'), tones.supervisor);
  const rig = await startRig({ fakeCaptureWav: join(wavDir, 'supervisor.wav') });
  const m: Measures = { customerToAgentMs: [], supervisorToAgentMs: [], switchToWhisperMs: [], joinMs: [], firstJoinMs: [], jitterBufferMs: [] };
  let customer: Awaited<ReturnType<typeof startTrunkCustomer>> | null = null;
  try {
    const agent = await rig.party('agent', tones.agent);
    const supervisor = await rig.party('supervisor', tones.supervisor, undefined, { deviceMicrophone: true });
    const at = { server: sip.wsUrl, domain: sip.domain };
    await signIn(agent.page, { ...at, extension: '1001', password: accounts['1001'] });
    await signIn(supervisor.page, { ...at, extension: '1101', password: accounts['1101'], role: 'supervisor', pbxProfile: 'app-mixed' });
    for (const p of [agent, supervisor]) await waitRegistered(p.page);
    await enrolAndPublish(rig.site, sip.domain, { '1101': supervisor.page });
    customer = await startTrunkCustomer({ server: sip, account: '2001', password: accounts['2001'], tone: tones.customer });
    await customer.waitFor('registered');
    await customer.dial('1001');
    await waitCallState(agent.page, 'ringing');
    await agent.page.getByTestId('answer').click();
    await firstHeard(agent.page, tones.customer, 15_000);
    const customerPc = await lastConnectedPc(agent.page);
    m.joinMs = await joinSamples(supervisor.page, tones.customer, samples);
    m.firstJoinMs = [m.joinMs[0]];
    m.switchToWhisperMs = await switchSamples(supervisor.page, agent.page, tones.supervisor, samples);
    // The agent's WebRTC jitter buffer on each stream over the same window: [customer, supervisor].
    const legPc = await lastConnectedPc(agent.page);
    const counters = () => Promise.all([rtpCounters(agent.page, customerPc), rtpCounters(agent.page, legPc)]);
    const before = await counters();
    for (let i = 0; i < samples; i++) {
      m.customerToAgentMs.push(await customerOneWay(customer, agent.page));
      m.supervisorToAgentMs.push(await supervisorOneWay(supervisor.page, agent.page));
    }
    const after = await counters();
    for (const leg of [0, 1]) m.jitterBufferMs.push(pathBudget(0, [before[leg], after[leg]], [before[leg], after[leg]]).jitterBufferMs);
  } finally {
    await customer?.stop().catch(() => undefined);
    await rig.close();
    await sip.stop();
    rmSync(wavDir, { recursive: true, force: true });
  }
  return m;
}

/** Per server: JSON and a markdown section; each server that cannot run here says why. */
export async function benchPerServer(samples: number, only?: PbxKind[]): Promise<{ json: unknown; md: string[] }> {
  const json: Record<string, unknown> = {};
  const rows: string[] = [];
  for (const run of serverRuns().filter((r) => !only || only.includes(r.kind))) {
    if (run.skip) {
      json[run.kind] = { skipped: run.skip };
      rows.push(`| ${run.label} | skipped: ${run.skip} | | | | | | |`);
      continue;
    }
    try {
      const m = await measure(run, samples);
      const s = Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'jitterBufferMs').map(([k, v]) => [k, stats(v)])) as Record<keyof Measures, ReturnType<typeof stats>>;
      const ratio = Math.round((s.supervisorToAgentMs.median / s.customerToAgentMs.median) * 100) / 100;
      const switchAbove = s.switchToWhisperMs.median - s.supervisorToAgentMs.median;
      json[run.kind] = { ...s, supervisorVsCustomer: ratio, switchAboveOneWayMs: switchAbove, agentJitterBufferMs: { customer: m.jitterBufferMs[0], supervisor: m.jitterBufferMs[1] } };
      const [jbCustomer, jbSupervisor] = m.jitterBufferMs;
      rows.push(`| ${run.label} | ${s.customerToAgentMs.median} | ${s.supervisorToAgentMs.median} | **${ratio}** | ${s.switchToWhisperMs.median} (${switchAbove >= 0 ? '+' : ''}${switchAbove}) | ${s.joinMs.median} | ${s.firstJoinMs.median} | ${jbCustomer} / ${jbSupervisor} |`);
    } catch (e) {
      // Playwright names the locator it waited for on a later line.
      const lines = (e as Error).message.split('\n');
      const why = [lines[0], lines.find((l) => /waiting for/.test(l))?.trim()].filter(Boolean).join(': ');
      json[run.kind] = { failed: why };
      rows.push(`| ${run.label} | **failed**: ${why} | | | | | | |`);
      console.error(`[bench] ${run.label}: ${why}`);
    }
  }
  return {
    json,
    md: [
      '## Per server, with a trunk customer (baresip: plain SIP/UDP, plain RTP G.711)',
      '',
      `Medians of ${samples} samples (ms). The customer is a real SIP phone nobody here wrote, sending a tone with no Web Audio on its side, as a PSTN gateway does; its tone starts when baresip is unmuted (its 20 ms packets included). Supervisor → agent: in whisper, the supervisor switches the microphone on (the talk toggle; the microphone is Chromium's capture device playing a tone, no Web Audio on the way, as with a real microphone) → the agent first hears it. Switch: click Whisper → the agent hears the supervisor (in brackets: above the supervisor's one-way latency; goal ≤ 20). Join: click Listen → the supervisor hears the customer (goal ≤ 300 median, ≤ 400 first, on Kamailio).`,
      '',
      '| server | customer → agent | supervisor (whisper) → agent | ratio (goal ≤ 1.05) | switch to whisper | join (median) | first join | agent\'s jitter buffer: customer / supervisor |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ],
  };
}
