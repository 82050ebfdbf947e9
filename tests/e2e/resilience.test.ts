import { beforeAll, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/node/sipServer';
import type { Party } from '../support/browser';
import { useScenario } from '../support/scenario';
import { describeEachServer } from '../support/servers';
import { callCard, dial, expectHears, registrationState, signIn, waitCallState, waitRegistered, wrapUp } from '../support/phoneDriver';

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw' };
const tones = { agent: 600, customer: 1000 };

describeEachServer((server) => `network trouble with ${server.name}`, (server) => {
  const scenario = useScenario(accounts, tones, server.kind);
  let agent: Party, customer: Party;

  beforeAll(() => {
    ({ agent, customer } = scenario.party);
  });

  async function signInBothAndConnect(): Promise<void> {
    await signIn(agent.page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: '1001', password: accounts['1001'] });
    await signIn(customer.page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: '2001', password: accounts['2001'] });
    await waitRegistered(agent.page);
    await waitRegistered(customer.page);
    await dial(customer.page, '1001');
    await waitCallState(agent.page, 'ringing');
    await agent.page.getByTestId('answer').click();
    await expectHears(agent, tones.customer);
    await expectHears(customer, tones.agent);
  }

  /** After the restart: both apps are registered again without anyone touching them, and new calls work. */
  async function expectRecoveredWithNewCall(): Promise<void> {
    // The apps retry with back-off up to 30 s (±20 %) between attempts: a server that took a while
    // to come back (FreeSWITCH stops and starts in 10–20 s on a busy machine) is found by the next
    // attempt, up to 36 s later. A FreeSWITCH still starting answers REGISTER "503 Maximum Calls In
    // Progress, Retry-After: 300": the app asks again within 36 s rather than five minutes, and says so.
    await waitRegistered(agent.page, 60_000);
    await waitRegistered(customer.page, 60_000);
    await dial(agent.page, '2001');
    await waitCallState(customer.page, 'ringing');
    await customer.page.getByTestId('answer').click();
    await expectHears(customer, tones.agent);
    await expectHears(agent, tones.customer);
    await customer.page.getByTestId('hangup').click();
    await callCard(agent.page).waitFor({ state: 'detached' });
    await wrapUp(agent.page);
    await wrapUp(customer.page);
  }

  it('says so when the SIP server cannot be reached', async () => {
    const closedPort = await freeLoopbackPort();
    await signIn(agent.page, { server: `ws://127.0.0.1:${closedPort}`, domain: scenario.sip.domain, extension: '1001', password: accounts['1001'] });
    await expect.poll(() => agent.page.getByTestId('registration-message').textContent(), { timeout: 20_000 }).toMatch(/unreachable/i);
    await expect(registrationState(agent.page)).resolves.toBe('reconnecting');
  });

  // Kamailio only relays signalling: media flows peer to peer and survives a restart.
  if (server.kind === 'kamailio') {
    it('keeps the call and its audio through a Kamailio restart, and re-registers by itself', async () => {
      await signInBothAndConnect();

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

      await expectRecoveredWithNewCall();
    });
  }

  // Asterisk is a B2BUA that anchors the media: stopping it ends every call it carries. What users
  // get: the call is shown as ended on both sides (no card left behind), each side gets its wrap-up,
  // and both apps register again by themselves once Asterisk is back.
  // FreeSWITCH (B2BUA, media anchored) likewise: stopped as `freeswitch -stop` does (SIGTERM), it
  // hangs up every channel (SYSTEM_SHUTDOWN), and users get the same as with Asterisk.
  if (server.kind === 'asterisk' || server.kind === 'freeswitch') {
    it(`${server.kind === 'asterisk' ? 'an' : 'a'} ${server.name} restart ends the call cleanly on both sides; both re-register by themselves`, async () => {
      await signInBothAndConnect();

      const logFrom = scenario.sip.log().length;
      await scenario.sip.restart();
      if (server.kind === 'asterisk') {
        // "core stop now" hangs up every channel first: Asterisk sends each app a BYE (Q.850 cause 16).
        const byesSent = scenario.sip.log().slice(logFrom).match(/Transmitting SIP request[^\n]*\nBYE /g)?.length ?? 0;
        expect(byesSent, 'Asterisk should have sent a BYE to each side before stopping').toBe(2);
      } else {
        // FreeSWITCH hangs up each channel (SYSTEM_SHUTDOWN) and sends each app a BYE; its own trace of
        // those last requests does not reach the log file, so the apps' traces are read instead.
        await expect.poll(() => agent.sipTrace.slice(-30).some((l) => / < BYE /.test(l)), { timeout: 20_000, message: 'FreeSWITCH should have sent the agent a BYE' }).toBe(true);
        await expect.poll(() => customer.sipTrace.slice(-30).some((l) => / < BYE /.test(l)), { timeout: 20_000, message: 'FreeSWITCH should have sent the customer a BYE' }).toBe(true);
      }
      await expect.poll(() => callCard(agent.page).count(), { timeout: 30_000, message: 'the agent must not be left with a stuck call' }).toBe(0);
      await expect.poll(() => callCard(customer.page).count(), { timeout: 30_000, message: 'the customer must not be left with a stuck call' }).toBe(0);
      await wrapUp(agent.page);
      await wrapUp(customer.page);
      await expect(agent.page.getByTestId('history-item').first().getAttribute('data-outcome')).resolves.toBe('answered');

      await expectRecoveredWithNewCall();
    });
  }
});
