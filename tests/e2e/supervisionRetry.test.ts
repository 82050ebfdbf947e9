import { beforeAll, describe, expect, it } from 'vitest';
import type { Party } from '../support/browser';
import { useScenario } from '../support/scenario';
import { enrolAndPublish } from '../support/policy';
import { callCard, dial, expectHears, explainedOnFailure, resetParty, signIn, waitCallState, waitRegistered } from '../support/phoneDriver';

// A join whose in-dialog requests are lost (as a B2BUA can lose them while it sets up its bridge) is
// asked once more by the supervisor's app. The loss is made on the wire between the agent's page and
// a real Kamailio: the agent's challenges for the lost leg never leave the browser.

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw' };
const tones = { agent: 600, customer: 1000, supervisor: 1400 };
const scenario = useScenario(accounts, tones);
let agent: Party, customer: Party, supervisor: Party;

/** Which supervision legs' challenges the agent's page loses: the first one only, or every one. */
let lose: 'first' | 'all' = 'first';
let lostLeg: string | null = null;
const lostChallenges = new Map<string, number>();

const signInAs = (p: Party, ext: keyof typeof accounts, extra: { role?: 'supervisor' } = {}) =>
  signIn(p.page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password: accounts[ext], ...extra });

beforeAll(async () => {
  ({ agent, customer, supervisor } = scenario.party);
  // Everything the agent's page sends goes to Kamailio, except its challenges on the lost leg(s).
  await agent.page.routeWebSocket(/^wss?:/, (page) => {
    const server = page.connectToServer();
    page.onMessage((frame) => {
      const text = typeof frame === 'string' ? frame : frame.toString();
      if (text.includes('"type":"challenge"')) {
        const callId = /^(?:Call-ID|i):\s*(\S+)/im.exec(text)?.[1] ?? '';
        lostLeg ??= callId;
        if (lose === 'all' || callId === lostLeg) {
          lostChallenges.set(callId, (lostChallenges.get(callId) ?? 0) + 1);
          return;
        }
      }
      server.send(frame);
    });
    server.onMessage((frame) => page.send(frame));
  });
  await signInAs(agent, '1001');
  await signInAs(customer, '2001');
  await signInAs(supervisor, '1101', { role: 'supervisor' });
  for (const p of [agent, customer, supervisor]) await waitRegistered(p.page);
  await enrolAndPublish(scenario.site, scenario.sip.domain, { '1101': supervisor.page });
});

async function customerCallsAgentAndSupervisorListens(): Promise<void> {
  await dial(customer.page, '1001');
  await waitCallState(agent.page, 'ringing');
  await agent.page.getByTestId('answer').click();
  await expectHears(agent, tones.customer);
  await supervisor.page.getByTestId('supervise-target').fill('1001');
  await supervisor.page.getByTestId('supervise-listen').click();
}

describe('a supervision join whose requests are lost on the way (real Kamailio, real Chromium)', () => {
  it('is asked once more by itself, and the second join goes live without an error shown', async () => {
    lose = 'first';
    await explainedOnFailure([customer, agent, supervisor], async () => {
      await customerCallsAgentAndSupervisorListens();
      await supervisor.page.locator('[data-testid="supervision"][data-state="active"]').waitFor({ timeout: 30_000 });
      expect(lostChallenges.get(lostLeg ?? '') ?? 0, 'challenges lost on the first leg').toBeGreaterThan(0);
      expect(lostChallenges.size, 'legs that lost their challenges').toBe(1);
      await agent.page.locator('[data-testid="supervised-banner"][data-mode="listen"]').waitFor();
      await expectHears(supervisor, tones.customer);
      await expectHears(supervisor, tones.agent);
      expect(await supervisor.page.locator('[data-testid="notice"][data-severity="error"]').allTextContents()).toEqual([]);
    });
    for (const p of [supervisor, agent, customer]) await resetParty(p.page);
  });

  it('says it asked twice when the second join is lost too, and leaves the call as it was', async () => {
    lose = 'all';
    lostChallenges.clear();
    await explainedOnFailure([customer, agent, supervisor], async () => {
      await customerCallsAgentAndSupervisorListens();
      const notice = supervisor.page.locator('[data-testid="notice"][data-severity="error"]').last();
      await expect.poll(() => notice.textContent({ timeout: 1000 }).catch(() => ''), { timeout: 40_000 }).toMatch(/Supervision of 1001 did not start \(asked twice\)/);
      expect(lostChallenges.size, 'legs that lost their challenges').toBe(2);
      await expect.poll(() => callCard(supervisor.page).count(), { timeout: 20_000 }).toBe(0);
      await expect.poll(() => agent.page.getByTestId('supervised-banner').count(), { timeout: 20_000 }).toBe(0);
      await expectHears(customer, tones.agent);
      await expectHears(agent, tones.customer);
    });
    for (const p of [supervisor, agent, customer]) await resetParty(p.page);
  });
});
