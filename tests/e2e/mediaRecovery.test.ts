import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Party } from '../support/browser';
import { useScenario } from '../support/scenario';
import { describeEachServer } from '../support/servers';
import { dial, expectHears, signIn, waitCallState, waitRegistered, wrapUp } from '../support/phoneDriver';

// A call that connects with no audio path (here: the agent's answer carried ICE credentials the
// other side cannot use; in the field: Asterisk dropping the browser's DTLS hello,
// asterisk/asterisk#2053) comes back without anyone noticing more than a moment of silence: the app
// re-offers, and both people hear each other.

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw' };
const tones = { agent: 600, customer: 1000 };

/** The page's next SIP answer to an INVITE goes out with wrong ICE credentials (same length, so Content-Length holds). */
async function spoilNextAnswer(page: Page): Promise<void> {
  await page.evaluate(() => {
    const send = WebSocket.prototype.send;
    let spoiled = false;
    WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
      if (!spoiled && typeof data === 'string' && data.startsWith('SIP/2.0 200') && /\r\nCSeq:\s*\d+ INVITE/i.test(data) && data.includes('a=ice-pwd:')) {
        spoiled = true;
        data = data.replace(/a=ice-(pwd|ufrag):(\S+)/g, (_m, key: string, value: string) => `a=ice-${key}:${[...value].reverse().join('')}`);
      }
      return send.call(this, data);
    };
  });
}

describeEachServer((server) => `a call with no audio path through ${server.name}`, (server) => {
  const scenario = useScenario(accounts, tones, server.kind);
  let agent: Party, customer: Party;

  beforeAll(async () => {
    ({ agent, customer } = scenario.party);
    for (const [p, ext] of [[agent, '1001'], [customer, '2001']] as const) {
      await signIn(p.page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password: accounts[ext] });
      await waitRegistered(p.page);
    }
  });

  it('is re-offered by the app until both people hear each other', async () => {
    await spoilNextAnswer(agent.page);
    await dial(customer.page, '1001');
    await waitCallState(agent.page, 'ringing');
    const answeredAt = { agent: agent.sipTrace.length, customer: customer.sipTrace.length };
    await agent.page.getByTestId('answer').click();
    await expectHears(agent, tones.customer, 20_000);
    await expectHears(customer, tones.agent, 20_000);
    if (server.kind === 'kamailio') {
      // Browser to browser, nothing heals this but a new offer: a re-INVITE from one of the two apps.
      // (Asterisk's ICE completes from the browser's own checks, so there the call heals either way.)
      const reInvites = [...agent.sipTrace.slice(answeredAt.agent), ...customer.sipTrace.slice(answeredAt.customer)].filter((l) => / > INVITE sip:/.test(l));
      expect(reInvites.length, 're-INVITEs after the answer').toBeGreaterThan(0);
    }
    await expect(agent.page.getByTestId('notice').allTextContents()).resolves.not.toContainEqual(expect.stringMatching(/No audio path/));
    await customer.page.getByTestId('hangup').click();
    await wrapUp(agent.page);
    await wrapUp(customer.page);
  });
});
