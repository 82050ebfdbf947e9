import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hasPath, type GraphTopology } from '../../src/shared/audioGraph';
import type { Party } from '../support/browser';
import { useScenario } from '../support/scenario';
import { enrolAndPublish, makeOrgPolicy, refreshPolicy, supervisorPublicKey } from '../support/policy';
import { around, callCard, dial, expectHears, expectSilent, explainedOnFailure, listen, mark, resetParty, signIn, waitCallState, waitRegistered } from '../support/phoneDriver';
import { fmtTrace, traceEvent, unusedHz } from '../support/audioProbe';

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw', '3001': 'intruder-pw' };
const tones = { agent: 600, customer: 1000, supervisor: 1400, intruder: 1800 };

const report: string[] = [];

const signInAs = (p: Party, ext: keyof typeof accounts, extra: { role?: 'supervisor' } = {}) =>
  signIn(p.page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password: accounts[ext], ...extra });

const scenario = useScenario(accounts, tones);
let agent: Party, customer: Party, supervisor: Party, intruder: Party;

beforeAll(async () => {
  ({ agent, customer, supervisor, intruder } = scenario.party);
  await signInAs(agent, '1001');
  await signInAs(customer, '2001');
  await signInAs(supervisor, '1101', { role: 'supervisor' });
  await signInAs(intruder, '3001', { role: 'supervisor' });
  for (const p of [agent, customer, supervisor, intruder]) await waitRegistered(p.page);
  // The org policy (tests/support/policy.ts): 1101 leads 1001's team, with this page's own key
  // enrolled; 3001 is in no policy at all.
  await enrolAndPublish(scenario.site, scenario.sip.domain, { '1101': supervisor.page }, {}, [intruder.page]);
});

afterEach(async () => {
  for (const p of [supervisor, intruder, agent, customer]) {
    for (const leave of await p.page.getByTestId('leave').all()) await leave.click().catch(() => undefined);
    await resetParty(p.page);
  }
});

afterAll(async () => {
  if (report.length) console.log(['Supervision audio levels (dBFS):', ...report].join('\n'));
});

async function customerCallsAgent(): Promise<void> {
  await dial(customer.page, '1001');
  await waitCallState(agent.page, 'ringing');
  await agent.page.getByTestId('answer').click();
  await expectHears(agent, tones.customer);
  await expectHears(customer, tones.agent);
}

async function join(p: Party, mode: 'listen' = 'listen'): Promise<void> {
  await p.page.getByTestId('supervise-target').fill('1001');
  await p.page.getByTestId(`supervise-${mode}`).click();
}

async function setMode(mode: 'listen' | 'whisper' | 'barge' | 'takeover'): Promise<void> {
  await supervisor.page.getByTestId(`mode-${mode}`).click();
  if (mode !== 'takeover') await supervisor.page.locator(`[data-testid="supervision"][data-mode="${mode}"]`).waitFor();
}

function topology(page: Page): Promise<GraphTopology> {
  return page.evaluate(() => (window as unknown as { whisperlineDiagnostics: { topology(): GraphTopology } }).whisperlineDiagnostics.topology());
}

/** True when any supervisor input in the agent's graph can reach any call's outgoing track. */
async function supervisorReachesCustomer(): Promise<boolean> {
  const t = await topology(agent.page);
  const nodes = new Set(t.edges.flat());
  const sups = [...nodes].filter((n) => n.startsWith('sup-remote:'));
  const outs = [...nodes].filter((n) => n.startsWith('out:'));
  return sups.some((s) => outs.some((o) => hasPath(t, s, o)));
}

/** Tone statistics of the next `ms` a party hears, from now. */
const ahead = async (p: Party, freqs: number[], ms: number) => around(p, await mark(p), freqs, 0, ms);

/** What the customer hears at the supervisor's tone and at an unused one, before any supervisor joined. */
interface SilentReference {
  supervisor: number;
  unused: number;
}

async function silentReference(): Promise<SilentReference> {
  const c = await ahead(customer, [tones.supervisor, unusedHz], 1500);
  return { supervisor: c.tones[tones.supervisor].median, unused: c.tones[unusedHz].median };
}

/** Checks who hears whom in one mode, as DESIGN.md's table says, and records the levels. */
async function checkMode(mode: 'listen' | 'whisper' | 'barge', reference: SilentReference): Promise<void> {
  const inBarge = mode === 'barge';
  const supervisorToAgent = mode !== 'listen';
  // What must be heard first: only once the new mode's audio is flowing can a silence prove anything.
  await expectHears(customer, tones.agent);
  await expectHears(agent, tones.customer);
  if (supervisorToAgent) await expectHears(agent, tones.supervisor);
  if (inBarge) await expectHears(customer, tones.supervisor);
  await expectHears(supervisor, tones.customer);
  await expectHears(supervisor, tones.agent);
  if (!supervisorToAgent) await expectSilent(agent, tones.supervisor);
  if (!inBarge) await expectSilent(customer, tones.supervisor);
  // The next 1.5 s of what the customer hears (all of it in this mode), in ≈21 ms frames: the median
  // is the steady level, so a click from a starved CPU cannot pass for a tone; the unused frequency
  // is measured in the same window.
  const c = await ahead(customer, [tones.agent, tones.supervisor, unusedHz], 1500);
  const sup = c.tones[tones.supervisor].median;
  const floor = Math.max(reference.supervisor, reference.unused, c.tones[unusedHz].median, -100);
  if (!inBarge) {
    // Indistinguishable from no supervisor at all: within 6 dB of the references (or below −94 dBFS).
    expect(sup, `customer's level at the supervisor's tone in ${mode}`).toBeLessThan(floor + 6);
  }
  // A closed path fades out for a few milliseconds before its connection is removed.
  await expect.poll(supervisorReachesCustomer, { timeout: 20_000, message: `graph path supervisor → customer in ${mode}` }).toBe(inBarge);
  report.push(
    `  ${mode.padEnd(7)} customer hears agent ${c.tones[tones.agent].median.toFixed(1)}, supervisor ${sup.toFixed(1)} (reference before join ${reference.supervisor.toFixed(1)}, unused ${unusedHz} Hz now ${c.tones[unusedHz].median.toFixed(1)}; loudest frame at the supervisor's tone ${c.tones[tones.supervisor].max.toFixed(1)})`,
  );
}

describe('app-mixed supervision (real Kamailio, real Chromium, four parties)', () => {
  it('refuses supervision when the agent has no call', async () => {
    await join(supervisor);
    await expect.poll(() => supervisor.page.getByTestId('notice').last().textContent(), { timeout: 20_000 }).toMatch(/refused.*480/i);
    await expect(callCard(agent.page).count()).resolves.toBe(0);
  });

  it('offers nothing to someone the org policy does not name, and the call is untouched', async () => {
    await customerCallsAgent();
    // (Requests sent anyway, forged or replayed, are refused by the agent's app: supervisionHostile.test.ts.)
    await intruder.page.getByTestId('supervise-target').fill('1001');
    await expect(intruder.page.getByTestId('supervise-listen').isDisabled()).resolves.toBe(true);
    await expect(intruder.page.getByTestId('supervise-unavailable').textContent()).resolves.toMatch(/org policy does not allow you this on 1001@/);
    await expect(agent.page.getByTestId('supervised-banner').count()).resolves.toBe(0);
    await expect(callCard(agent.page).count()).resolves.toBe(1);
    await expectSilent(customer, tones.intruder);
    await expectSilent(agent, tones.intruder);
    await expectHears(customer, tones.agent);
    await expectHears(agent, tones.customer);
  });

  it('listen, whisper and barge route audio as specified, switching back and forth', async () => {
    await customerCallsAgent();
    const reference = await silentReference();
    await join(supervisor);
    await supervisor.page.locator('[data-testid="supervision"][data-state="active"]').waitFor();
    await agent.page.locator('[data-testid="supervised-banner"][data-mode="listen"]').waitFor();
    await checkMode('listen', reference);
    for (const mode of ['whisper', 'barge', 'whisper', 'listen', 'barge', 'listen', 'whisper'] as const) {
      await setMode(mode);
      await agent.page.locator(`[data-testid="supervised-banner"][data-mode="${mode}"]`).waitFor();
      await checkMode(mode, reference);
    }
    // The agent sees that the supervisor is speaking (whisper).
    await expect.poll(() => agent.page.getByTestId('supervisor-speaking').getAttribute('data-speaking')).toBe('true');
    // Supervisor mutes: the agent no longer hears them, even in whisper.
    await supervisor.page.getByTestId('talk-toggle').click();
    await expectSilent(agent, tones.supervisor);
  });

  it('leaves no audible trace: no click, dip or gap when a supervisor joins, switches or leaves', async () => {
    await customerCallsAgent();
    const hearers = [
      { party: customer, keeps: tones.agent },
      { party: agent, keeps: tones.customer },
    ];
    // A steady stretch of the call to compare the first event with.
    await expect.poll(async () => (await listen(customer, [tones.agent], 2500)).tones[tones.agent].min, { timeout: 20_000 }).toBeGreaterThan(-40);
    const banner = (mode: string) => agent.page.locator(`[data-testid="supervised-banner"][data-mode="${mode}"]`).waitFor();
    // Each event, and whose ears legitimately start or stop hearing the supervisor's voice at it
    // (a voice fading in is not a click); every other listener must hear no change at all.
    const steps: Array<{ event: string; voiceFor: string | null; run: () => Promise<void> }> = [
      { event: 'join (listen)', voiceFor: null, run: async () => (await join(supervisor), await banner('listen')) },
      { event: '→ whisper', voiceFor: agent.name, run: async () => (await setMode('whisper'), await banner('whisper')) },
      { event: '→ barge', voiceFor: customer.name, run: async () => (await setMode('barge'), await banner('barge')) },
      { event: '→ whisper', voiceFor: customer.name, run: async () => (await setMode('whisper'), await banner('whisper')) },
      { event: '→ listen', voiceFor: agent.name, run: async () => (await setMode('listen'), await banner('listen')) },
      {
        event: 'leave',
        voiceFor: null,
        run: async () => {
          await supervisor.page.getByTestId('leave').click();
          await agent.page.getByTestId('supervised-banner').waitFor({ state: 'detached' });
        },
      },
    ];
    /** One pass over the events; returns what a listener noticed, as `event|listener|what` keys. */
    const pass = async (attempt: number): Promise<Set<string>> => {
      const noticed = new Set<string>();
      report.push(`  Transients, pass ${attempt} (loudest frame at an unused frequency; quietest frame of the tone that must continue):`);
      for (const [i, step] of steps.entries()) {
        const ts = await traceEvent(hearers, step.run);
        report.push(`    ${step.event.padEnd(14)} ${ts.map(fmtTrace).join(' | ')}`);
        for (const t of ts) {
          // Audio the listener's WebRTC stack had to conceal at this event came late or not at all:
          // the machine, not the app. That listener cannot be judged at this event in this pass.
          if (t.concealedEvents > 0) continue;
          // A click 47 dB or more below the conversation (−10 dBFS here) is inaudible under it; a
          // hard connect measured −44 to −55 dBFS.
          if (t.listener !== step.voiceFor && t.clickEventDb >= Math.max(t.clickSteadyDb, -70) + 12) noticed.add(`${i} ${step.event}|${t.listener}|click`);
          if (t.toneEventMinDb <= t.toneSteadyDb - 6) noticed.add(`${i} ${step.event}|${t.listener}|dip or gap`);
        }
      }
      return noticed;
    };
    // What the app does at an event happens every time and arrives intact; a starved CPU glitches at
    // random (late packets, concealed; a late audio callback). So a finding must be heard, with
    // nothing concealed, at the same event in five passes to count. (Three were not enough: with
    // stress-ng on both CPUs beside the suite, the same event glitched in two passes running and
    // the third glitched everywhere.)
    let persistent = await pass(1);
    for (let attempt = 2; attempt <= 5 && persistent.size > 0; attempt++) {
      const again = await pass(attempt);
      persistent = new Set([...persistent].filter((k) => again.has(k)));
    }
    expect([...persistent], 'what a listener noticed at the same event in every pass').toEqual([]);
  }, 300_000); // five passes on a busy machine take up to ~2.5 min

  it('agent talk-back reaches the supervisor only', async () => {
    await customerCallsAgent();
    await join(supervisor);
    await setMode('whisper');
    await agent.page.locator('[data-testid="supervised-banner"][data-mode="whisper"]').waitFor();
    const talkBack = agent.page.getByTestId('talk-back');
    await talkBack.hover();
    await agent.page.mouse.down();
    await expectSilent(customer, tones.agent);
    await expectHears(supervisor, tones.agent);
    await agent.page.mouse.up();
    await expectHears(customer, tones.agent);
  });

  it('supervisor push-to-talk opens the microphone only while held', async () => {
    await customerCallsAgent();
    await join(supervisor);
    await setMode('whisper');
    await supervisor.page.getByTestId('talk-toggle').click();
    await expectSilent(agent, tones.supervisor);
    await supervisor.page.getByTestId('push-to-talk').hover();
    await supervisor.page.mouse.down();
    await expectHears(agent, tones.supervisor);
    await expectSilent(customer, tones.supervisor);
    await supervisor.page.mouse.up();
    await expectSilent(agent, tones.supervisor);
  });

  it('the org policy, not the agent, decides whether a silent listener is shown and coaching may be declined', async () => {
    // The published policy (the example's notice: agents shown, may not decline) offers no decline.
    await customerCallsAgent();
    await join(supervisor);
    await setMode('whisper');
    await agent.page.locator('[data-testid="supervised-banner"][data-mode="whisper"]').waitFor();
    await expect(agent.page.getByTestId('decline-whisper').count()).resolves.toBe(0);
    await supervisor.page.getByTestId('leave').click();
    await agent.page.getByTestId('supervised-banner').waitFor({ state: 'detached' });
    for (const p of [customer, agent]) await resetParty(p.page);
    // IT republishes it: listeners not shown, coaching may be declined.
    const republished = await makeOrgPolicy(scenario.sip.domain, { '1101': await supervisorPublicKey(supervisor.page) }, (p) => {
      p.agentNotice = { notifyAgent: false, allowDecline: true };
    });
    scenario.site.publish(republished);
    try {
      for (const p of [agent, supervisor]) await refreshPolicy(p.page, 'active', republished.keyId);
      await customerCallsAgent();
      await join(supervisor);
      await supervisor.page.locator('[data-testid="supervision"][data-state="active"]').waitFor();
      await expectHears(supervisor, tones.customer);
      await expect(agent.page.getByTestId('supervised-banner').count()).resolves.toBe(0);
      await setMode('whisper');
      await agent.page.locator('[data-testid="supervised-banner"][data-mode="whisper"]').waitFor();
      await expectHears(agent, tones.supervisor);
      await agent.page.getByTestId('decline-whisper').click();
      await supervisor.page.locator('[data-testid="supervision"][data-mode="listen"]').waitFor();
      await agent.page.getByTestId('supervised-banner').waitFor({ state: 'detached' });
      await expectSilent(agent, tones.supervisor);
      await expect.poll(() => supervisor.page.getByTestId('notice').last().textContent()).toMatch(/declined coaching/);
    } finally {
      // The rest of the file runs under the policy it started with.
      for (const leave of await supervisor.page.getByTestId('leave').all()) await leave.click().catch(() => undefined);
      await enrolAndPublish(scenario.site, scenario.sip.domain, { '1101': supervisor.page }, {}, [intruder.page, agent.page]);
    }
  });

  it('a second call never crosses into the supervised one', async () => {
    await customerCallsAgent();
    await join(supervisor);
    await setMode('barge');
    await expectHears(customer, tones.supervisor);
    // The unlisted user calls the agent as an ordinary second customer.
    await dial(intruder.page, '1001');
    await expect.poll(() => callCard(agent.page).count()).toBe(2);
    await agent.page.locator('[data-testid="call"][data-state="ringing"] [data-testid="answer"]').click();
    await waitCallState(agent.page, 'held');
    await expectHears(intruder, tones.agent);
    await expectHears(agent, tones.intruder);
    await expectSilent(intruder, tones.supervisor);
    await expectSilent(supervisor, tones.intruder);
  });

  it('a supervision leg that drops does not disturb the customer call', async () => {
    await customerCallsAgent();
    await join(supervisor);
    await setMode('whisper');
    await expectHears(agent, tones.supervisor);
    await supervisor.page.close(); // no BYE: the supervisor's app just vanishes
    await expectSilent(agent, tones.supervisor);
    await expectHears(agent, tones.customer);
    await expectHears(customer, tones.agent);
    await expect(callCard(agent.page, 'active').count()).resolves.toBe(1);
    // Bring the supervisor back for the remaining tests.
    supervisor.page = await supervisor.context.newPage();
    await supervisor.page.goto(scenario.rig.appUrl);
    await signInAs(supervisor, '1101');
    await waitRegistered(supervisor.page);
  });

  it('takeover hands the customer to the supervisor and frees the agent', async () => {
    await customerCallsAgent();
    await join(supervisor);
    await supervisor.page.locator('[data-testid="supervision"][data-state="active"]').waitFor({ timeout: 15_000 }).catch(async (e) => {
      console.log('Join did not become active; notices (supervisor, agent), Listen disabled:', await supervisor.page.getByTestId('notice').allTextContents(), await agent.page.getByTestId('notice').allTextContents(), await supervisor.page.getByTestId('supervise-listen').isDisabled());
      throw e;
    });
    await explainedOnFailure([agent, customer, supervisor], async () => {
      await setMode('takeover');
      await expectHears(customer, tones.supervisor);
      await expectHears(supervisor, tones.customer);
      await expect.poll(() => callCard(agent.page).count(), { timeout: 20_000 }).toBe(0);
      await expectSilent(customer, tones.agent);
      // The supervisor now has an ordinary call with the customer, and no supervision leg.
      await expect.poll(() => callCard(supervisor.page, 'active').count()).toBe(1);
      await expect(supervisor.page.getByTestId('supervision').count()).resolves.toBe(0);
      await expect(agent.page.getByTestId('history-item').first().textContent()).resolves.toMatch(/transferred/);
    });
  });
});
