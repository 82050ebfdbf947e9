// Measures what an agent feels, on loopback with real Kamailio and Chromium:
// time to register, INVITE to ringing, and answer to first audio each way.
// Writes bench-results/bench.json and bench-results/bench.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startSipServer } from '../src/node/sipServer';
import { startRig } from '../tests/support/browser';
import { callCard, dial, signIn, waitCallState, waitRegistered, wrapUp } from '../tests/support/appDriver';

const samplesArg = process.argv.indexOf('--samples');
const samples = samplesArg > 0 ? Math.max(1, Number(process.argv[samplesArg + 1]) || 5) : 10;
const outDir = join(process.cwd(), 'bench-results');

/** Wall-clock ms (Date.now) when the page's headset first carries `hz` above -40 dBFS. */
function firstHeard(page: Page, hz: number, timeoutMs = 10_000): Promise<number> {
  return page.evaluate(
    async ({ hz, timeoutMs }) => {
      const diag = (window as unknown as { whisperlineDiagnostics: { headsetLevels(f: number[]): { tones: Record<number, number> } } }).whisperlineDiagnostics;
      const end = performance.now() + timeoutMs;
      while (performance.now() < end) {
        if (diag.headsetLevels([hz]).tones[hz] > -40) return Date.now();
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`${hz} Hz not heard within ${timeoutMs} ms`);
    },
    { hz, timeoutMs },
  );
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, min: s[0], median: q(0.5), p90: q(0.9), max: s[s.length - 1], mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length) };
};

async function main(): Promise<void> {
  const accounts = { '1001': 'agent-pw', '2001': 'customer-pw' };
  const tones = { agent: 600, customer: 1000 };
  const sip = await startSipServer({ accounts });
  const rig = await startRig();
  const results: Record<string, number[]> = { registerMs: [], inviteToRingingMs: [], answerToAudioAtAgentMs: [], answerToAudioAtCustomerMs: [] };
  try {
    const agent = await rig.party('agent', tones.agent);
    const customer = await rig.party('customer', tones.customer);
    await signIn(customer.page, { server: sip.wsUrl, domain: sip.domain, extension: '2001', password: accounts['2001'] });
    await waitRegistered(customer.page);
    for (let i = 0; i < samples; i++) {
      // Registration: from sign-in (WebSocket connect) to the registrar's 200 OK, as the store records it.
      await signIn(agent.page, { server: sip.wsUrl, domain: sip.domain, extension: '1001', password: accounts['1001'] });
      await waitRegistered(agent.page);
      const reg = await agent.page.evaluate(() => (window as unknown as { whisperlineDiagnostics: { state(): { registration: { connectingAt: number; registeredAt: number } } } }).whisperlineDiagnostics.state().registration);
      results.registerMs.push(reg.registeredAt - reg.connectingAt);

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
  } finally {
    await rig.close();
    await sip.stop();
  }
  const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, stats(v)]));
  const report = { date: new Date().toISOString(), samples, machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, results: summary, raw: results };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'bench.json'), JSON.stringify(report, null, 2));
  const labels: Record<string, string> = {
    registerMs: 'Connect + REGISTER (with digest challenge) → registered',
    inviteToRingingMs: 'Customer dials → agent rings',
    answerToAudioAtAgentMs: 'Agent answers → hears customer',
    answerToAudioAtCustomerMs: 'Agent answers → customer hears agent',
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
  ].join('\n');
  writeFileSync(join(outDir, 'bench.md'), md);
  console.log(md);
  console.log(`Wrote ${join(outDir, 'bench.json')} and bench.md`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
