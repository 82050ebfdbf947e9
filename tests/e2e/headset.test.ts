import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fakeHidInitScript, type FakeHeadsetHandle, type FakeHeadsetPress } from '../support/fakeHid';
import { expectHears, expectSilent, signIn, waitCallState, waitRegistered, wrapUp } from '../support/phoneDriver';
import { useScenario } from '../support/scenario';

// A USB headset's call buttons through WebHID, against a real Kamailio: no headset is attached
// here, so the page gets a simulated one (tests/support/fakeHid.ts: a telephony-page HID device
// with Hook Switch and Phone Mute inputs and Off-Hook / Mute / Ring LEDs). The app is unchanged:
// it reads the device's report descriptor and report bytes as it would a real headset's.

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw' };
const tones = { agent: 600, customer: 1000 };
const scenario = useScenario(accounts, tones);
const as = (page: Page, ext: keyof typeof accounts) => signIn(page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password: accounts[ext] });
type Handle = { __fakeHeadset: FakeHeadsetHandle };
const leds = (page: Page) => page.evaluate(() => (window as unknown as Handle).__fakeHeadset.leds());
const press = (page: Page, what: FakeHeadsetPress) => page.evaluate((w) => (window as unknown as Handle).__fakeHeadset.press(w), what);
const headsetStatus = (page: Page) => page.getByTestId('headset-status').getAttribute('data-state');

beforeAll(async () => {
  const { agent, customer } = scenario.party;
  await agent.context.addInitScript({ content: fakeHidInitScript() });
  await agent.page.reload();
  await as(agent.page, '1001');
  await as(customer.page, '2001');
  await waitRegistered(agent.page);
  await waitRegistered(customer.page);
});

async function customerCalls() {
  const { customer } = scenario.party;
  await customer.page.getByTestId('dial-input').fill('1001');
  await customer.page.getByTestId('dial').click();
}

it('connect the headset once; lift to answer, mute and unmute from the headset, hang up on the hook; the LEDs follow', async () => {
  const { agent, customer } = scenario.party;
  await agent.page.getByTestId('open-settings').click();
  await agent.page.getByTestId('headset-connect').click();
  await expect.poll(() => headsetStatus(agent.page)).toBe('connected');
  await expect(agent.page.getByTestId('headset-status').getAttribute('data-device')).resolves.toBe('Simulated Telephony Headset');
  await agent.page.keyboard.press('Escape');
  await agent.page.getByTestId('settings').waitFor({ state: 'hidden' });

  await customerCalls();
  await waitCallState(agent.page, 'ringing');
  await expect.poll(() => leds(agent.page)).toMatchObject({ ring: true, offHook: false });
  await press(agent.page, 'hook-off');
  await waitCallState(agent.page, 'active');
  await expect.poll(() => leds(agent.page)).toMatchObject({ ring: false, offHook: true, mute: false });
  await expectHears(customer, tones.agent);

  await press(agent.page, 'mute');
  await expect.poll(() => leds(agent.page)).toMatchObject({ mute: true });
  await expectSilent(customer, tones.agent);
  await press(agent.page, 'mute');
  await expect.poll(() => leds(agent.page)).toMatchObject({ mute: false });
  await expectHears(customer, tones.agent);

  await press(agent.page, 'hook-on');
  await agent.page.getByTestId('wrapup').waitFor();
  await expect.poll(() => leds(agent.page)).toMatchObject({ offHook: false, mute: false, ring: false });
  await wrapUp(agent.page);
  await wrapUp(customer.page);
}, 120_000);

it('after a restart of the page the granted headset is back without a click; its mute button does nothing while a call rings', async () => {
  const { agent, customer } = scenario.party;
  await agent.page.reload();
  await waitRegistered(agent.page);
  await agent.page.getByTestId('open-settings').click();
  await expect.poll(() => headsetStatus(agent.page)).toBe('connected');
  await agent.page.keyboard.press('Escape');

  await customerCalls();
  await waitCallState(agent.page, 'ringing');
  await expect.poll(() => leds(agent.page)).toMatchObject({ ring: true });
  // The mute button while it rings does nothing (nothing to mute, nothing answered).
  await press(agent.page, 'mute');
  await waitCallState(agent.page, 'ringing');
  await press(agent.page, 'hook-off');
  await waitCallState(agent.page, 'active');
  await expectHears(agent, tones.customer);
  await customer.page.getByTestId('hangup').click();
  await agent.page.getByTestId('wrapup').waitFor();
  // The customer hung up: the app turns the off-hook LED off, and the headset follows.
  await expect.poll(() => leds(agent.page)).toMatchObject({ offHook: false });
  await wrapUp(agent.page);
  await wrapUp(customer.page);
}, 120_000);
