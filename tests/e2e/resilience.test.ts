import { beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/node/sipServer';
import type { Party } from '../support/browser';
import { useScenario } from '../support/scenario';
import { callCard, dial, expectHears, registrationState, signIn, waitCallState, waitRegistered, wrapUp } from '../support/phoneDriver';

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw' };
const tones = { agent: 600, customer: 1000 };


const scenario = useScenario(accounts, tones);
let agent: Party, customer: Party;

beforeAll(() => {
  ({ agent, customer } = scenario.party);
});

describe('network trouble', () => {
  it('says so when the SIP server cannot be reached', async () => {
    const closedPort = await freeLoopbackPort();
    await signIn(agent.page, { server: `ws://127.0.0.1:${closedPort}`, domain: scenario.sip.domain, extension: '1001', password: accounts['1001'] });
    await expect.poll(() => agent.page.getByTestId('registration-message').textContent(), { timeout: 20_000 }).toMatch(/unreachable/i);
    await expect(registrationState(agent.page)).resolves.toBe('reconnecting');
  });

  it('keeps the call and its audio through a SIP server restart, and re-registers by itself', async () => {
    await signIn(agent.page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: '1001', password: accounts['1001'] });
    await signIn(customer.page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: '2001', password: accounts['2001'] });
    await waitRegistered(agent.page);
    await waitRegistered(customer.page);
    await dial(customer.page, '1001');
    await waitCallState(agent.page, 'ringing');
    await agent.page.getByTestId('answer').click();
    await expectHears(agent, tones.customer);

    await scenario.sip.restart();
    // Media flows peer to peer: the call does not notice the signalling outage.
    await expectHears(agent, tones.customer, 3000);
    await expectHears(customer, tones.agent, 3000);
    await expect(callCard(agent.page, 'active').count()).resolves.toBe(1);

    await waitRegistered(agent.page, 20_000);
    await waitRegistered(customer.page, 20_000);
    await expectHears(agent, tones.customer);

    // In-dialog requests still reach the other side over its new WebSocket.
    await agent.page.getByTestId('hangup').click();
    await callCard(customer.page).waitFor({ state: 'detached', timeout: 20_000 });
    await wrapUp(agent.page);
    await wrapUp(customer.page);

    // And new calls work after the restart.
    await dial(agent.page, '2001');
    await waitCallState(customer.page, 'ringing');
    await customer.page.getByTestId('answer').click();
    await expectHears(customer, tones.agent);
    await customer.page.getByTestId('hangup').click();
    await callCard(agent.page).waitFor({ state: 'detached' });
  });
});
