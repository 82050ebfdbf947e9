// Measures what an agent feels, on loopback with real Kamailio and Chromium:
// time to register, INVITE to ringing, and answer to first audio each way.
// Writes bench-results/bench.json and bench-results/bench.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { firstHeard, joinSamples, oneWayLatency, stats, switchSamples } from './benchAudio';
import { comparePathsOnAsterisk } from './benchPbxPaths';
import { benchPerServer } from './benchServers';
import { boardBench } from './benchBoard';
import { recordingBench } from './benchRecording';
import { orgBench } from './benchOrg';
import { budgetMarkdown, goalsMarkdown, lastConnectedPc, loadBaseline, measureReference, pathBudget, rtpCounters, type Goal, type PathBudget, type RtpCounters } from './benchLatency';
import { startSipServer } from '../src/node/sipServer';
import { startRig } from '../tests/support/browser';
import { enrolAndPublish } from '../tests/support/policy';
import { callCard, dial, signIn, waitCallState, waitRegistered, wrapUp } from '../src/node/appDriver';
import { traceEvent, type EventTrace } from '../tests/support/audioProbe';

const samplesArg = process.argv.indexOf('--samples');
const samples = samplesArg > 0 ? Math.max(1, Number(process.argv[samplesArg + 1]) || 5) : 10;
const outDir = join(process.cwd(), 'bench-results');
/** `--latency-only`: the latency figures alone (no transients, no Asterisk paths), for quick iterations. */
const latencyOnly = process.argv.includes('--latency-only');

/** Renderer process CPU (share of one core) and JS heap of a page over `ms`, from Chromium's own counters. */
async function rendererLoad(page: Page, ms: number): Promise<{ cpuPercent: number; heapMB: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const a = await read();
  await new Promise((r) => setTimeout(r, ms));
  const b = await read();
  await cdp.detach();
  return { cpuPercent: Math.round(((b.ProcessTime - a.ProcessTime) / (b.Timestamp - a.Timestamp)) * 1000) / 10, heapMB: Math.round((b.JSHeapUsedSize / 1048576) * 10) / 10 };
}

const benchTones = { agent: 600, customer: 1000, supervisor: 1400 };

type Party = Awaited<ReturnType<Awaited<ReturnType<typeof startRig>>['party']>>;

/** Supervision: one-way latencies into the agent's headset, mode switch, join, renderer load. */
async function superviseBench(
  rig: Awaited<ReturnType<typeof startRig>>,
  sip: Awaited<ReturnType<typeof startSipServer>>,
  agent: Party,
  customer: Party,
  results: Record<string, number[]>,
  loads: Record<string, { cpuPercent: number; heapMB: number }>,
  jitter: Record<string, number[]>,
  transients: Array<{ event: string; traces: EventTrace[] }>,
  budgets: Record<string, PathBudget>,
): Promise<void> {
  const supervisor = await rig.party('supervisor', benchTones.supervisor);
  await signIn(supervisor.page, { server: sip.wsUrl, domain: sip.domain, extension: '1101', password: 'supervisor-pw', role: 'supervisor' });
  await signIn(agent.page, { server: sip.wsUrl, domain: sip.domain, extension: '1001', password: 'agent-pw' });
  await waitRegistered(supervisor.page);
  await waitRegistered(agent.page);
  // The org policy names 1101 as 1001's team lead, with the supervisor page's own key enrolled.
  await enrolAndPublish(rig.site, sip.domain, { '1101': supervisor.page });
  await dial(customer.page, '1001');
  await waitCallState(agent.page, 'ringing');
  await agent.page.getByTestId('answer').click();
  await firstHeard(agent.page, benchTones.customer);
  const agentCustomerPc = await lastConnectedPc(agent.page);
  loads.plainCall = await rendererLoad(agent.page, 5000);

  const joins = await joinSamples(supervisor.page, benchTones.customer, samples);
  results.joinToCustomerAudioAtSupervisorMs.push(...joins);
  results.firstJoinToCustomerAudioAtSupervisorMs.push(joins[0]);
  results.modeSwitchToWhisperHeardMs.push(...(await switchSamples(supervisor.page, agent.page, benchTones.supervisor, samples)));
  loads.whisper = await rendererLoad(agent.page, 5000);
  const pcs = { customer: await lastConnectedPc(customer.page), supervisor: await lastConnectedPc(supervisor.page), agentSupervisorLeg: await lastConnectedPc(agent.page) };
  const snapshot = async (): Promise<RtpCounters[]> => [
    await rtpCounters(customer.page, pcs.customer),
    await rtpCounters(supervisor.page, pcs.supervisor),
    await rtpCounters(agent.page, agentCustomerPc),
    await rtpCounters(agent.page, pcs.agentSupervisorLeg),
  ];
  const before = await snapshot();
  for (let i = 0; i < samples; i++) {
    results.customerToAgentHeadsetMs.push(await oneWayLatency(customer.page, agent.page, benchTones.customer));
    results.supervisorToAgentHeadsetMs.push(await oneWayLatency(supervisor.page, agent.page, benchTones.supervisor));
  }
  const after = await snapshot();
  budgets.customerToAgent = pathBudget(stats(results.customerToAgentHeadsetMs).median, [before[0], after[0]], [before[2], after[2]]);
  budgets.supervisorToAgent = pathBudget(stats(results.supervisorToAgentHeadsetMs).median, [before[1], after[1]], [before[3], after[3]]);
  if (!latencyOnly) await traceTransients(agent, customer, supervisor, transients);
  jitter.agentInbound = await agent.page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState === 'connected');
    const out: number[] = [];
    for (const pc of pcs) {
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio' && r.jitterBufferEmittedCount) out.push(Math.round((r.jitterBufferDelay / r.jitterBufferEmittedCount) * 1000));
      });
    }
    return out;
  });
  loads.outputLatencyMs = await agent.page.evaluate(() => {
    const ctx = new AudioContext();
    const ms = Math.round(((ctx.baseLatency ?? 0) + ((ctx as AudioContext & { outputLatency?: number }).outputLatency ?? 0)) * 1000);
    void ctx.close();
    return { cpuPercent: 0, heapMB: 0, ms } as unknown as { cpuPercent: number; heapMB: number };
  });
}

/**
 * No tell: what the customer and the agent hear in the second around each supervision event, against
 * the same call's steady state just before it (clicks at an unused frequency, dips in the tone each
 * must keep hearing).
 */
async function traceTransients(agent: Party, customer: Party, supervisor: Party, out: Array<{ event: string; traces: EventTrace[] }>): Promise<void> {
  const hearers = [
    { party: customer, keeps: benchTones.agent },
    { party: agent, keeps: benchTones.customer },
  ];
  const banner = (mode: string) => agent.page.locator(`[data-testid="supervised-banner"][data-mode="${mode}"]`).waitFor();
  await supervisor.page.getByTestId('leave').click();
  await agent.page.getByTestId('supervised-banner').waitFor({ state: 'detached' });
  out.push({
    event: 'join (listen)',
    traces: await traceEvent(hearers, async () => {
      await supervisor.page.getByTestId('supervise-target').fill('1001');
      await supervisor.page.getByTestId('supervise-listen').click();
      await banner('listen');
    }),
  });
  for (const mode of ['whisper', 'barge', 'whisper', 'listen'] as const) {
    out.push({
      event: `→ ${mode}`,
      traces: await traceEvent(hearers, async () => {
        await supervisor.page.getByTestId(`mode-${mode}`).click();
        await banner(mode);
      }),
    });
  }
  out.push({
    event: 'leave',
    traces: await traceEvent(hearers, async () => {
      await supervisor.page.getByTestId('leave').click();
      await agent.page.getByTestId('supervised-banner').waitFor({ state: 'detached' });
    }),
  });
}

async function main(): Promise<void> {
  const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw', '3001': 'reference-a-pw', '3002': 'reference-b-pw' };
  const sip = await startSipServer({ accounts });
  const rig = await startRig();
  const tones = benchTones;
  const results: Record<string, number[]> = {
    registerMs: [],
    inviteToRingingMs: [],
    answerToAudioAtAgentMs: [],
    answerToAudioAtCustomerMs: [],
    customerToAgentHeadsetMs: [],
    supervisorToAgentHeadsetMs: [],
    modeSwitchToWhisperHeardMs: [],
    joinToCustomerAudioAtSupervisorMs: [],
    firstJoinToCustomerAudioAtSupervisorMs: [],
    referenceOneWayMs: [],
  };
  const budgets: Record<string, PathBudget> = {};
  const loads: Record<string, { cpuPercent: number; heapMB: number }> = {};
  /** Average WebRTC jitter-buffer delay (ms) of each stream the agent receives: customer, supervisor. */
  const jitter: Record<string, number[]> = {};
  const transients: Array<{ event: string; traces: EventTrace[] }> = [];
  try {
    // The reference first, alone on the machine: a bare SIP.js call through the same server.
    const reference = await measureReference(rig, sip, { caller: ['3001', accounts['3001']], callee: ['3002', accounts['3002']] }, { caller: tones.customer, callee: tones.agent }, samples);
    results.referenceOneWayMs = reference.oneWayMs;
    budgets.reference = reference.budget;
    const agent = await rig.party('agent', tones.agent);
    const customer = await rig.party('customer', tones.customer);
    await signIn(customer.page, { server: sip.wsUrl, domain: sip.domain, extension: '2001', password: accounts['2001'] });
    await waitRegistered(customer.page);
    for (let i = 0; i < samples; i++) {
      // Registration: from sign-in (WebSocket connect) to the registrar's 200 OK, as the store records it.
      // Waiting for this sign-in's own 200 OK: the badge still says "registered" from the last sample
      // for a moment after signing in again, which once gave a negative time.
      const signInAt = Date.now();
      await signIn(agent.page, { server: sip.wsUrl, domain: sip.domain, extension: '1001', password: accounts['1001'] });
      const reg = await agent.page.waitForFunction(
        (since) => {
          type Reg = { state: string; connectingAt: number | null; registeredAt: number | null };
          const r = (window as unknown as { whisperlineDiagnostics?: { state(): { registration: Reg } } }).whisperlineDiagnostics?.state().registration;
          return r && r.state === 'registered' && r.connectingAt !== null && r.registeredAt !== null && r.connectingAt >= since && r.registeredAt >= r.connectingAt ? r.registeredAt - r.connectingAt : null;
        },
        signInAt,
        { timeout: 60_000 },
      );
      results.registerMs.push((await reg.jsonValue()) as number);

      const dialAt = Date.now();
      await dial(customer.page, '1001');
      await waitCallState(agent.page, 'ringing');
      results.inviteToRingingMs.push(Date.now() - dialAt);
      const heardAtAgent = firstHeard(agent.page, tones.customer);
      const heardAtCustomer = firstHeard(customer.page, tones.agent);
      const answerAt = Date.now();
      await agent.page.getByTestId('answer').click();
      results.answerToAudioAtAgentMs.push((await heardAtAgent) - answerAt);
      results.answerToAudioAtCustomerMs.push((await heardAtCustomer) - answerAt);
      await agent.page.getByTestId('hangup').click();
      await callCard(customer.page).waitFor({ state: 'detached' });
      await wrapUp(agent.page);
      await wrapUp(customer.page);
      // Force a fresh registration next round.
      await agent.page.reload();
    }
    await superviseBench(rig, sip, agent, customer, results, loads, jitter, transients, budgets);
  } finally {
    await rig.close();
    await sip.stop();
  }
  // The headline: a trunk customer (plain RTP G.711, no Web Audio) on each server.
  const perServer = await benchPerServer(samples);
  const pbxPaths = latencyOnly ? { json: { skipped: '--latency-only' }, md: [] } : await comparePathsOnAsterisk(samples);
  const board = latencyOnly ? { json: { skipped: '--latency-only' }, md: [] } : await boardBench();
  // Reported, not fatal: a failure here is printed in bench.md with its reason.
  const recording = latencyOnly
    ? { json: { skipped: '--latency-only' }, md: [] }
    : await recordingBench().catch((e: Error) => ({ json: { failed: e.message }, md: ['## Recording', '', `**Not measured: the recording benchmark failed** (${e.message}).`, ''] }));
  const org = latencyOnly
    ? { json: { skipped: '--latency-only' }, md: [] }
    : await orgBench().catch((e: Error) => ({ json: { failed: e.message }, md: ['## Org service (reports and ingestion)', '', `**Not measured: the org benchmark failed** (${e.message.split('\n')[0]}).`, ''] }));
  const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, stats(v)]));
  const ratio = Math.round((summary.supervisorToAgentHeadsetMs.median / summary.customerToAgentHeadsetMs.median) * 100) / 100;
  const figures = { ...latencyFigures(summary, loads), ...trunkFigures(perServer.json) };
  const goals = latencyGoals(figures);
  const baseline = loadBaseline();
  const report = {
    date: new Date().toISOString(),
    samples,
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    results: summary,
    supervisorToCustomerLatencyRatio: ratio,
    agentRenderer: loads,
    agentJitterBufferMs: jitter.agentInbound,
    figures,
    latencyBudget: budgets,
    transients,
    perServer: perServer.json,
    asteriskPaths: pbxPaths.json,
    board: board.json,
    recording: recording.json,
    org: org.json,
    raw: results,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'bench.json'), JSON.stringify(report, null, 2));
  // `--write-baseline`: keep this run's figures as the "before" column of later reports.
  if (process.argv.includes('--write-baseline')) {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    writeFileSync(join(process.cwd(), 'scripts/bench-baseline.json'), `${JSON.stringify({ commit, date: report.date, samples, figures }, null, 2)}\n`);
  }
  const labels: Record<string, string> = {
    registerMs: 'Connect + REGISTER (with digest challenge) → registered',
    inviteToRingingMs: 'Customer dials → agent rings',
    answerToAudioAtAgentMs: 'Agent answers → hears customer',
    answerToAudioAtCustomerMs: 'Agent answers → customer hears agent',
    customerToAgentHeadsetMs: 'One-way: customer → agent headset',
    supervisorToAgentHeadsetMs: 'One-way: supervisor (whisper) → agent headset',
    modeSwitchToWhisperHeardMs: 'Supervisor clicks Whisper → agent hears supervisor',
    joinToCustomerAudioAtSupervisorMs: 'Supervisor clicks Listen → hears customer',
    firstJoinToCustomerAudioAtSupervisorMs: 'Supervisor clicks Listen → hears customer, first join of the page',
    referenceOneWayMs: 'Reference: bare SIP.js page → bare SIP.js page, one-way',
  };
  const rows = Object.entries(summary).map(([k, s]) => `| ${labels[k]} | ${s.median} | ${s.p90} | ${s.min} | ${s.max} | ${s.n} |`);
  const md = [
    `# Whisperline benchmark (${report.date})`,
    '',
    'Loopback, real Kamailio and headless Chromium; audio detected by Goertzel on the headset output (≈85 ms analysis window, so audio times include up to that much detection delay).',
    '',
    '| measure (ms) | median | p90 | min | max | n |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Supervisor / customer one-way latency ratio (medians): **${ratio}** (1.0 = the local mix adds nothing).`,
    `WebRTC jitter-buffer delay of the streams the agent receives (customer leg, supervisor leg): ${jitter.agentInbound?.join(' ms, ')} ms.`,
    '',
    '| agent page (renderer process) | CPU % of one core | JS heap MB |',
    '|---|---|---|',
    `| plain call | ${loads.plainCall?.cpuPercent} | ${loads.plainCall?.heapMB} |`,
    `| whisper session | ${loads.whisper?.cpuPercent} | ${loads.whisper?.heapMB} |`,
    '',
    ...goalsMarkdown(goals, baseline),
    ...perServer.md,
    ...budgetMarkdown([
      { label: 'bare reference', budget: budgets.reference },
      { label: 'customer → agent headset', budget: budgets.customerToAgent },
      { label: 'supervisor → agent headset', budget: budgets.supervisorToAgent },
    ]),
    ...pbxPaths.md,
    ...board.md,
    ...recording.md,
    ...org.md,
    '## No tell: transients around supervision events (dBFS)',
    '',
    'Per event, for the customer (who must keep hearing the agent) and the agent (who must keep hearing the customer): the loudest ≈21 ms frame at an unused frequency (2300 Hz; a click or pop shows here) and the quietest frame of the tone that must continue (a dip or gap shows here), each next to the same call\'s steady state in the stretch just before the event.',
    '',
    '| event | customer: click (steady) | customer: agent tone low (steady) | agent: click (steady) | agent: customer tone low (steady) |',
    '|---|---|---|---|---|',
    ...transients.map(({ event, traces }) => {
      const [c, a] = traces;
      const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : String(x));
      return `| ${event} | ${f(c.clickEventDb)} (${f(c.clickSteadyDb)}) | ${f(c.toneEventMinDb)} (${f(c.toneSteadyDb)}) | ${f(a.clickEventDb)} (${f(a.clickSteadyDb)}) | ${f(a.toneEventMinDb)} (${f(a.toneSteadyDb)}) |`;
    }),
    '',
    `One-way latencies run from the source page's tone switching on to detection in the agent's headset analyser (21 ms window, polled every 2 ms); the audio device's own output latency (${(loads.outputLatencyMs as unknown as { ms: number })?.ms} ms reported by AudioContext here) comes on top for both paths alike. Click times are taken from the click event in the page (what a user's click is), not from before Playwright's own checks.`,
    '',
  ].join('\n');
  writeFileSync(join(outDir, 'bench.md'), md);
  console.log(md);
  console.log(`Wrote ${join(outDir, 'bench.json')} and bench.md`);
}

type Summary = Record<string, ReturnType<typeof stats>>;

/** The figures issue #9's goals are stated in (also what scripts/bench-baseline.json keeps). */
function latencyFigures(summary: Summary, loads: Record<string, { cpuPercent: number; heapMB: number }>): Record<string, number> {
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const ref = summary.referenceOneWayMs.median;
  const cust = summary.customerToAgentHeadsetMs.median;
  const sup = summary.supervisorToAgentHeadsetMs.median;
  return {
    referenceOneWayMs: ref,
    customerToAgentMs: cust,
    supervisorToAgentMs: sup,
    supervisorVsCustomer: r2(sup / cust),
    customerVsReference: r2(cust / ref),
    supervisorVsReference: r2(sup / ref),
    switchAboveOneWayMs: summary.modeSwitchToWhisperHeardMs.median - sup,
    joinMedianMs: summary.joinToCustomerAudioAtSupervisorMs.median,
    firstJoinMs: summary.firstJoinToCustomerAudioAtSupervisorMs.median,
    whisperCpuVsPlain: r2(loads.whisper.cpuPercent / loads.plainCall.cpuPercent),
  };
}

/** The Kamailio + rtpengine run with the trunk customer (benchServers.ts): the headline figures. */
function trunkFigures(perServer: unknown): Record<string, number> {
  const k = (perServer as Record<string, { supervisorVsCustomer?: number; switchAboveOneWayMs?: number; joinMs?: { median: number }; firstJoinMs?: { median: number } }>).kamailio;
  if (!k?.supervisorVsCustomer) return {};
  return {
    trunkSupervisorVsCustomer: k.supervisorVsCustomer,
    trunkSwitchAboveOneWayMs: k.switchAboveOneWayMs ?? NaN,
    trunkJoinMedianMs: k.joinMs?.median ?? NaN,
    trunkFirstJoinMs: k.firstJoinMs?.median ?? NaN,
  };
}

function latencyGoals(f: Record<string, number>): Goal[] {
  const goal = (key: string, label: string, limit: number, unit = '') => ({ key, label, target: `≤ ${limit}${unit}`, value: f[key], met: f[key] <= limit });
  const trunk =
    f.trunkSupervisorVsCustomer === undefined
      ? []
      : [
          goal('trunkSupervisorVsCustomer', 'supervisor → agent / **trunk customer** → agent (Kamailio + rtpengine; headline)', 1.05),
          goal('trunkSwitchAboveOneWayMs', 'click Whisper → heard, above the one-way latency (trunk customer call)', 20, ' ms'),
          goal('trunkJoinMedianMs', 'click Listen → hears the trunk customer (median)', 300, ' ms'),
          goal('trunkFirstJoinMs', 'first join of the page, trunk customer', 400, ' ms'),
        ];
  return [
    ...trunk,
    goal('supervisorVsCustomer', 'supervisor → agent / customer → agent (one-way; the customer is the app\'s own page)', 1.05),
    goal('customerVsReference', 'customer → agent / bare reference', 1.2),
    goal('supervisorVsReference', 'supervisor → agent / bare reference', 1.2),
    goal('switchAboveOneWayMs', 'click Whisper → heard, above the one-way latency', 20, ' ms'),
    goal('joinMedianMs', 'click Listen → hears the customer (median)', 300, ' ms'),
    goal('firstJoinMs', 'first join of the page', 400, ' ms'),
    goal('whisperCpuVsPlain', 'agent renderer CPU, whisper / plain call', 1.2),
  ];
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
