import { beforeAll, expect, it } from 'vitest';
import type { Party } from '../support/browser';
import { useScenario } from '../support/scenario';
import { describeEachServer } from '../support/servers';
import { callCard, dial, expectHears, expectSilent, signIn, waitCallState, waitRegistered, wrapUp } from '../support/phoneDriver';

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '3001': 'third-pw' };
const tones = { agent: 600, customer: 1000 };

describeEachServer((server) => `agent softphone against a real ${server.name}`, (server) => {
  const scenario = useScenario(accounts, tones, server.kind);
  const account = (ext: keyof typeof accounts, password = accounts[ext]) => ({ server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password });
  let agent: Party, customer: Party;

  beforeAll(() => {
    ({ agent, customer } = scenario.party);
  });

  it('tells the agent when the password is wrong', async () => {
    await signIn(agent.page, account('1001', 'not-the-password'));
    await expect.poll(() => agent.page.getByTestId('registration').getAttribute('data-state'), { timeout: 20_000 }).toBe('failed');
    await expect(agent.page.getByTestId('registration-message').textContent()).resolves.toMatch(/wrong user name or password/i);
  });

  it('registers with the right password', async () => {
    await signIn(agent.page, account('1001'));
    await waitRegistered(agent.page);
    await signIn(customer.page, account('2001'));
    await waitRegistered(customer.page);
  });

  it('signing out stops new calls but keeps the one in progress; signing in brings calls back', async () => {
    await dial(customer.page, '1001');
    await waitCallState(agent.page, 'ringing');
    await agent.page.getByTestId('answer').click();
    await expectHears(customer, tones.agent);
    await agent.page.getByTestId('sign-toggle').click();
    await agent.page.locator('[data-testid="registration"][data-state="unregistered"]').waitFor();
    await expectHears(customer, tones.agent);
    await expectHears(agent, tones.customer);
    await agent.page.getByTestId('hangup').click();
    await wrapUp(agent.page);
    await wrapUp(customer.page);
    // Signed out: the registrar no longer knows where 1001 is.
    await dial(customer.page, '1001');
    await expect.poll(() => customer.page.getByTestId('notice').last().textContent(), { timeout: 20_000 }).toMatch(/not available.*480/i);
    await agent.page.getByTestId('sign-toggle').click();
    await waitRegistered(agent.page);
  });

  it('takes an inbound call with audio both ways, then wraps up', async () => {
    await dial(customer.page, '1001');
    await waitCallState(agent.page, 'ringing');
    await agent.page.getByTestId('answer').click();
    await waitCallState(agent.page, 'active');
    await waitCallState(customer.page, 'active');
    await expectHears(agent, tones.customer);
    await expectHears(customer, tones.agent);

    await customer.page.getByTestId('hangup').click();
    await wrapUp(agent.page, { resolved: false, note: 'Asked about delivery date' });
    await wrapUp(customer.page);
    const item = agent.page.getByTestId('history-item').first();
    await expect(item.textContent()).resolves.toMatch(/not resolved/);
    await expect(item.getAttribute('data-outcome')).resolves.toBe('answered');
  });

  it('places an outbound call; hold silences both ways and resume restores it', async () => {
    await dial(agent.page, '2001');
    await waitCallState(customer.page, 'ringing');
    await customer.page.getByTestId('answer').click();
    await waitCallState(agent.page, 'active');
    await expectHears(customer, tones.agent);
    await expectHears(agent, tones.customer);

    // Through Asterisk the hold re-INVITE (a=sendonly) is answered by Asterisk itself (a=recvonly),
    // which then holds the customer's leg (no music on hold is configured: silence).
    await agent.page.getByTestId('hold').click();
    await waitCallState(agent.page, 'held');
    await expectSilent(customer, tones.agent);
    await expectSilent(agent, tones.customer);

    await agent.page.getByTestId('hold').click();
    await waitCallState(agent.page, 'active');
    await expectHears(customer, tones.agent);
    await expectHears(agent, tones.customer);

    await agent.page.getByTestId('mute').click();
    await expectSilent(customer, tones.agent);
    await agent.page.getByTestId('mute').click();
    await expectHears(customer, tones.agent);

    await agent.page.getByTestId('hangup').click();
    await callCard(customer.page).waitFor({ state: 'detached' });
    await wrapUp(agent.page);
    await wrapUp(customer.page);
  });
});
