import { afterAll, beforeAll, expect, it } from 'vitest';
import { superviseHeader } from '../../src/shared/supervision/modes';
import { dial, expectHears, explainedOnFailure, signIn, waitCallState, waitRegistered } from '../support/phoneDriver';
import { enrolAndPublish } from '../support/policy';
import { useScenario } from '../support/scenario';
import { startWiretap, type Wiretap } from '../support/wiretap';

// SIP over secure WebSocket (wss://), the transport the README recommends: an attacker tapping the
// path between the apps and Kamailio records every byte of a call and a supervisor's join, and
// finds no SIP in it: no REGISTER or digest answer, no INVITE, no supervision request to copy.
// (Over ws:// the same tap reads all of that; tests/e2e/supervisionReplay.test.ts copies a join.)

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw' };
const tones = { agent: 600, customer: 1000, supervisor: 1400 };
const scenario = useScenario(accounts, tones, 'kamailio', { tls: true });
let tap: Wiretap;

beforeAll(async () => {
  tap = await startWiretap(scenario.sip.wsUrl);
});
afterAll(async () => {
  await tap?.close();
});

it('registers, calls and supervises over wss://; a tap on the path captures no SIP at all', async () => {
  const { agent, customer, supervisor } = scenario.party;
  expect(tap.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
  const as = (page: typeof agent.page, ext: keyof typeof accounts, role?: 'supervisor') =>
    signIn(page, { server: tap.url, domain: scenario.sip.domain, extension: ext, password: accounts[ext], role });
  await explainedOnFailure([agent, customer, supervisor], async () => {
    await as(supervisor.page, '1101', 'supervisor');
    await as(agent.page, '1001');
    await as(customer.page, '2001');
    for (const p of [agent, customer, supervisor]) await waitRegistered(p.page);
    await enrolAndPublish(scenario.site, scenario.sip.domain, { '1101': supervisor.page }, {}, [agent.page]);
    await dial(customer.page, '1001');
    await waitCallState(agent.page, 'ringing');
    await agent.page.getByTestId('answer').click();
    await expectHears(agent, tones.customer);
    await expectHears(customer, tones.agent);
    await supervisor.page.getByTestId('supervise-target').fill('1001');
    await supervisor.page.getByTestId('supervise-listen').click();
    await supervisor.page.locator('[data-testid="supervision"][data-state="active"]').waitFor();
    await agent.page.locator('[data-testid="supervised-banner"][data-mode="listen"]').waitFor();
    await expectHears(supervisor, tones.customer);
  });

  // What the apps sent, as their own WebSockets saw it before encryption: the secrets were there.
  const sent = [agent, customer, supervisor].flatMap((p) => p.wire).join('\n');
  for (const secret of ['REGISTER sip:', 'INVITE sip:1001@', 'Authorization: Digest', `${superviseHeader}: mode=listen;stmt=`]) expect(sent).toContain(secret);

  // What crossed the path: TLS records (0x16 0x03 opens each handshake), and not one of those secrets.
  const wire = tap.captured();
  expect(wire.length, 'bytes the tap saw').toBeGreaterThan(20_000);
  expect([...wire.subarray(0, 2)]).toEqual([0x16, 0x03]);
  const text = wire.toString('latin1');
  for (const secret of ['REGISTER', 'INVITE', 'SIP/2.0', 'Digest', 'sip:1001', 'sip:1101', superviseHeader, 'stmt=', 'a=fingerprint', 'Upgrade: websocket']) {
    expect(text.includes(secret), `the tap read "${secret}"`).toBe(false);
  }
  console.log(`[tls] the tap captured ${wire.length} bytes of a registration, a call and a supervisor's join over wss://; no SIP readable in them`);
});
