import { describe, expect, it } from 'vitest';
import { freeswitch } from '../support/servers';
import { callCard, expectHears, expectSilent, waitCallState, waitRegistered } from '../support/phoneDriver';
import type { Party } from '../support/browser';
import { b2buaWorld, checkMode, customerLeak, customerLevelAtSupervisorTone, listenToAgent, mixedModesAndTalkBack, switchTo, takeOver, tones, type LeakLimits } from '../support/b2buaSupervision';

// Supervision through a B2BUA PBX (a real FreeSWITCH 1.10): Whisperline's own app-mixed path, which
// needs the one documented profile setting (proxy-info-content-types: the supervision protocol
// travels as in-dialog INFO, which FreeSWITCH relays between the bridged calls), and FreeSWITCH's
// eavesdrop driven by the same buttons, with either "spied leg".

/** The second agent a supervised call is transferred to (follow-transfer). */
const agent2Tone = 1800;

/**
 * FreeSWITCH decodes and re-encodes the call: at the customer, the supervisor's frequency sits at
 * the codec's floor (once −92.5 dBFS against an unused frequency's −100), before any join too. So
 * the same call's level before the join counts as well, and nothing under −80 dBFS is a leak (a
 * supervisor's voice arrives near −10).
 */
const appMixedLimits = (beforeJoin?: number): LeakLimits => ({ beforeJoin, floor: -80 });

if (!freeswitch.found) console.log(`skipped: supervision through FreeSWITCH: ${freeswitch.reason}`);

/** Settings → "The PBX eavesdrops on": the customer's leg (whisper is digit 1). */
async function eavesdropOnCustomersLeg(supervisor: Party): Promise<void> {
  await supervisor.page.getByTestId('open-settings').click();
  await supervisor.page.getByLabel('The PBX eavesdrops on').click();
  await supervisor.page.getByRole('option', { name: /customer's leg/ }).click();
  await supervisor.page.getByTestId('settings-save').click();
  await supervisor.page.getByTestId('settings').waitFor({ state: 'hidden' });
}

describe.skipIf(!freeswitch.found)('app-mixed supervision through FreeSWITCH (B2BUA) with the documented setting', () => {
  const w = b2buaWorld('freeswitch', {}, { accounts: { '1002': 'agent2-pw' }, tones: { agent2: agent2Tone } });
  w.signInAll('app-mixed', true);

  it('listen, whisper and barge switched back and forth; talk-back reaches the supervisor only', async () => {
    const p = w.parties();
    await w.explain([p.customer, p.agent, p.supervisor], () => mixedModesAndTalkBack(p, w.customerCallsAgent, appMixedLimits));
  });

  it('takeover: FreeSWITCH replaces the agent with the supervisor for the customer', async () => {
    const p = w.parties();
    await w.explain([p.customer, p.agent, p.supervisor], async () => {
      await w.customerCallsAgent();
      await listenToAgent(p);
      await takeOver(p);
    });
  });

  it('text coaching: a prompt reaches the agent’s screen (never the customer’s) through FreeSWITCH, and the agent’s acknowledgement reaches the supervisor', async () => {
    const p = w.parties();
    await w.explain([p.customer, p.agent, p.supervisor], async () => {
      await w.customerCallsAgent();
      await listenToAgent(p);
      await p.agent.page.locator('[data-testid="supervised-banner"][data-mode="listen"]').waitFor();
      await p.supervisor.page.getByTestId('prompt-text').fill('Ask for the order number');
      await p.supervisor.page.getByTestId('prompt-send').click();
      const shown = p.agent.page.getByTestId('coaching-text');
      await expect.poll(() => shown.allTextContents(), { timeout: 15_000 }).toEqual(['Ask for the order number']);
      // The customer's screen never shows it (the prompt travels on the supervision leg only).
      expect(await p.customer.page.locator('body').innerText()).not.toMatch(/order number/);
      await p.agent.page.getByTestId('coaching-prompt').first().getByTestId('coaching-ack').click();
      const acked = p.supervisor.page.locator('[data-testid="sent-prompt"][data-acknowledged="true"]');
      await expect.poll(() => acked.allTextContents(), { timeout: 15_000 }).toEqual([expect.stringMatching(/✓✓ Ask for the order number \(acknowledged\)/)]);
      expect(await p.customer.page.locator('body').innerText()).not.toMatch(/order number/);
      // The call itself is untouched: the listen table still holds.
      await checkMode(p, 'listen', appMixedLimits());
    });
  });

  // Last: it signs 1002 in.
  it('supervision follows the call: 1001 transfers the supervised call to 1002 through FreeSWITCH, the supervisor is offered a rejoin, which joins 1002’s call in the same mode', async () => {
    const p = w.parties();
    const agent2 = p.agent2;
    await w.explain([p.customer, p.agent, p.supervisor, agent2], async () => {
      await w.signInAs(agent2, '1002');
      await waitRegistered(agent2.page);
      await w.customerCallsAgent();
      await listenToAgent(p);
      await switchTo(p, 'whisper');
      await p.agent.page.locator('[data-testid="supervised-banner"][data-mode="whisper"]').waitFor();
      await expectHears(p.agent, tones.supervisor);
      await p.agent.page.getByTestId('transfer-target').fill('1002');
      await p.agent.page.getByTestId('blind-transfer').click();
      await waitCallState(agent2.page, 'ringing');
      await agent2.page.getByTestId('answer').click();
      await expectHears(agent2, tones.customer);
      await expectHears(p.customer, agent2Tone);
      const offer = p.supervisor.page.locator('[data-testid="rejoin-offer"][data-to="1002"]');
      await offer.waitFor({ timeout: 20_000 });
      await expect(offer.textContent()).resolves.toMatch(/1001 transferred the call you were supervising to 1002.*Rejoin \(whisper\)/i);
      await expect.poll(() => p.supervisor.page.getByTestId('supervision').count(), { timeout: 20_000 }).toBe(0);
      const beforeJoin = await customerLevelAtSupervisorTone(p.customer);
      await offer.getByTestId('rejoin').click();
      await p.supervisor.page.locator('[data-testid="supervision"][data-state="active"][data-mode="whisper"]').waitFor({ timeout: 20_000 });
      await agent2.page.locator('[data-testid="supervised-banner"][data-mode="whisper"]').waitFor({ timeout: 20_000 });
      await expect(offer.count()).resolves.toBe(0);
      // Whisper on the new leg: 1002 hears the customer and the supervisor, the supervisor both, the customer never the supervisor.
      await expectHears(agent2, tones.customer);
      await expectHears(agent2, tones.supervisor);
      await expectHears(p.supervisor, tones.customer);
      await expectHears(p.supervisor, agent2Tone);
      await expectHears(p.customer, agent2Tone);
      await expectSilent(p.customer, tones.supervisor);
      const leak = await customerLeak(p.customer, appMixedLimits(beforeJoin));
      expect(leak.level, "customer's level at the supervisor's tone in whisper after the rejoin").toBeLessThan(leak.limit);
    });
  });
});

describe.skipIf(!freeswitch.found)('app-mixed supervision through a FreeSWITCH configured like a stock install (vanilla config, only the documented setting)', () => {
  const w = b2buaWorld('freeswitch', { stock: true });
  w.signInAll('app-mixed', true);

  it('the supervisor is recognised; listen, whisper and barge back and forth; talk-back; then takeover', async () => {
    const p = w.parties();
    await w.explain([p.customer, p.agent, p.supervisor], async () => {
      await mixedModesAndTalkBack(p, w.customerCallsAgent, appMixedLimits);
      await takeOver(p);
    });
  });
});

describe.skipIf(!freeswitch.found)('app-mixed supervision through a FreeSWITCH without the documented setting', () => {
  const w = b2buaWorld('freeswitch', { supervisionHook: false });
  w.signInAll('app-mixed', true);

  it('the supervisor is told what is missing; the agent’s call goes on', async () => {
    const p = w.parties();
    await w.explain([p.customer, p.agent, p.supervisor], async () => {
      await w.customerCallsAgent();
      await p.supervisor.page.getByTestId('supervise-target').fill('1001');
      const clicked = Date.now();
      await p.supervisor.page.getByTestId('supervise-listen').click();
      // FreeSWITCH passes the header on, so the agent's app answers the leg and sends its challenge as
      // INFO; without the setting FreeSWITCH answers that INFO itself and drops it. The agent's app hangs
      // the unproven leg up after 6 s (or the supervisor's gives up first): either way the supervisor is
      // told the join did not start, and which FreeSWITCH setting is missing.
      let notice: string | null = null;
      const lastNotice = async () => (notice = await p.supervisor.page.getByTestId('notice').last().textContent({ timeout: 1000 }).catch(() => notice));
      await expect.poll(async () => (await lastNotice()) ?? '', { timeout: 30_000 }).toMatch(/did not start.*(no confirmation|without confirming).*proxy-info-content-types/);
      console.log(`FreeSWITCH without proxy-info-content-types: supervisor told after ${Date.now() - clicked} ms: ${notice}`);
      await expect.poll(() => callCard(p.supervisor.page).count(), { timeout: 20_000 }).toBe(0);
      await expect.poll(() => callCard(p.agent.page, 'ringing').count()).toBe(0);
      await expect.poll(() => p.agent.page.getByTestId('supervised-banner').count(), { timeout: 20_000 }).toBe(0);
      await expect.poll(() => callCard(p.agent.page).count(), { timeout: 20_000 }).toBe(1);
      await expectHears(p.customer, tones.agent);
      await expectHears(p.agent, tones.customer);
    });
  });
});

for (const spiedLeg of ['agent', 'customer'] as const) {
  const whisperDigit = spiedLeg === 'agent' ? '2' : '1';
  describe.skipIf(!freeswitch.found)(`FreeSWITCH eavesdrop through the supervisor’s buttons, the PBX eavesdropping on the ${spiedLeg}'s leg`, () => {
    const w = b2buaWorld('freeswitch', { spiedLeg });
    w.signInAll('freeswitch-eavesdrop', false, spiedLeg === 'customer' ? eavesdropOnCustomersLeg : undefined);

    it(`Listen dials *331001; Whisper sends ${whisperDigit}, Barge 3, Listen 0, back and forth; Take over is disabled with the reason`, async () => {
      const p = w.parties();
      await w.explain([p.customer, p.agent, p.supervisor], async () => {
        await w.customerCallsAgent();
        const beforeJoin = await customerLevelAtSupervisorTone(p.customer);
        await listenToAgent(p);
        await expect(p.supervisor.page.getByTestId('mode-takeover').isDisabled()).resolves.toBe(true);
        await expect(p.supervisor.page.getByTestId('mode-takeover-reason').textContent()).resolves.toMatch(/FreeSWITCH eavesdrop cannot take over/);
        // With eavesdrop attached the customer's audio carries a product of the two voices at
        // 2·1000 − 600 = 1400 Hz, the supervisor's frequency, near −82 dBFS (−89 before the join).
        const limits = { beforeJoin, floor: -70 };
        await checkMode(p, 'listen', limits);
        for (const mode of ['whisper', 'barge', 'whisper', 'listen', 'barge', 'listen', 'whisper'] as const) {
          await switchTo(p, mode);
          await checkMode(p, mode, limits);
        }
        await p.supervisor.page.getByTestId('leave').click();
        await expect.poll(() => callCard(p.supervisor.page).count()).toBe(0);
        await expectHears(p.customer, tones.agent);
      });
    });
  });
}
