import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { seriousFindings } from '../support/axe';
import { osBoundary } from '../support/osBoundary';
import { expectHears, signIn, waitCallState, waitRegistered, wrapUp } from '../support/phoneDriver';
import { useScenario } from '../support/scenario';

// What an agent working in the CRM all day relies on, in the web build against a real Kamailio: a
// sip:/tel: link checked and confirmed, the mini call window, the incoming-call notification while
// the page is in the background, and the high-contrast German interface with no serious axe finding.

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw' };
const tones = { agent: 600, customer: 1000 };
const scenario = useScenario(accounts, tones);
const as = (page: Page, ext: keyof typeof accounts) => signIn(page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password: accounts[ext] });
type Recorded = { title: string; body: string; closed: boolean };
const notifications = (page: Page) => page.evaluate(() => (window as unknown as { __notifications: Recorded[] }).__notifications.map(({ title, body, closed }) => ({ title, body, closed })));

beforeAll(async () => {
  const { agent, customer } = scenario.party;
  await agent.context.addInitScript(osBoundary);
  await agent.context.grantPermissions(['notifications'], { origin: new URL(scenario.rig.appUrl).origin });
  await agent.page.reload();
  await as(agent.page, '1001');
  await as(customer.page, '2001');
  await waitRegistered(agent.page);
  await waitRegistered(customer.page);
});

it('a sip: link is dialled only after the agent confirms; a link to another domain or with headers is refused', async () => {
  const { agent, customer } = scenario.party;
  const domain = scenario.sip.domain;
  await agent.page.evaluate((d) => (location.hash = `#dial=${encodeURIComponent(`sip:900123@premium.example`)}`), domain);
  await expect.poll(() => agent.page.getByTestId('notice').last().textContent()).toMatch(/another SIP domain \(premium\.example\)/);
  await agent.page.evaluate((d) => (location.hash = `#dial=${encodeURIComponent(`sip:2001@${d}?Replaces=x`)}`), domain);
  await expect.poll(() => agent.page.getByTestId('notice').last().textContent()).toMatch(/parameters or headers/);
  expect(await agent.page.getByTestId('call').count()).toBe(0);

  await agent.page.evaluate((d) => (location.hash = `#dial=${encodeURIComponent(`sip:2001@${d}`)}`), domain);
  await expect(agent.page.getByTestId('dial-request').textContent()).resolves.toContain('Call 2001?');
  expect(await agent.page.getByTestId('call').count()).toBe(0);
  // The Call button has the focus: Enter dials.
  await agent.page.keyboard.press('Enter');
  await waitCallState(customer.page, 'ringing');
  await customer.page.getByTestId('answer').click();
  await expectHears(agent, tones.customer);
  await agent.page.getByTestId('hangup').click();
  await wrapUp(agent.page);
  await wrapUp(customer.page);
}, 90_000);

it('the mini window and the notification: a call rings in both, is answered, muted, held and ended from the mini window', async () => {
  const { agent, customer } = scenario.party;
  await agent.page.getByTestId('open-settings').click();
  // The browser's permission was given (as the agent would by "Allow notifications" once).
  await agent.page.getByText('Notifications are on.').waitFor();
  const [mini] = await Promise.all([agent.context.waitForEvent('page'), agent.page.getByTestId('open-mini').click()]);
  await agent.page.keyboard.press('Escape');
  await mini.getByTestId('mini-peer').waitFor();
  await expect(mini.getByTestId('mini-peer').textContent()).resolves.toBe('No call');

  // The agent is in another app now.
  await agent.page.evaluate(() => ((window as unknown as { __osFocus: boolean }).__osFocus = false));
  await customer.page.getByTestId('dial-input').fill('1001');
  await customer.page.getByTestId('dial').click();
  await waitCallState(agent.page, 'ringing');
  await expect.poll(() => mini.getByTestId('mini-peer').textContent()).toBe('Incoming: Ext 2001');
  await expect.poll(() => notifications(agent.page)).toEqual([{ title: 'Incoming call', body: 'Ext 2001', closed: false }]);

  await mini.getByRole('button', { name: 'Answer' }).click();
  await waitCallState(agent.page, 'active');
  await expectHears(customer, tones.agent);
  // Answered elsewhere: the notification goes.
  await expect.poll(() => notifications(agent.page)).toEqual([{ title: 'Incoming call', body: 'Ext 2001', closed: true }]);
  await expect.poll(() => mini.getByTestId('mini-peer').textContent()).toBe('Ext 2001');
  await expect.poll(() => mini.getByTestId('mini-timer').textContent()).toMatch(/^0:0[1-9]$/);
  expect(await seriousFindings(mini), 'axe on the mini window').toEqual([]);

  await mini.getByRole('button', { name: 'Mute' }).click();
  await expect.poll(() => agent.page.getByTestId('mute').getAttribute('class')).toContain('MuiButton-contained');
  await mini.getByRole('button', { name: 'Unmute' }).click();
  await mini.getByRole('button', { name: 'Hold' }).click();
  await waitCallState(agent.page, 'held');
  await expect.poll(() => mini.getByTestId('mini-timer').textContent()).toBe('On hold');
  await mini.getByRole('button', { name: 'Resume' }).click();
  await waitCallState(agent.page, 'active');
  await expectHears(customer, tones.agent);
  await mini.getByRole('button', { name: 'Hang up' }).click();
  await expect.poll(() => mini.getByTestId('mini-peer').textContent()).toBe('No call');
  await wrapUp(agent.page);
  await wrapUp(customer.page);

  // A caller who gives up: the notification goes too.
  await customer.page.getByTestId('dial-input').fill('1001');
  await customer.page.getByTestId('dial').click();
  await expect.poll(async () => (await notifications(agent.page)).length).toBe(2);
  await customer.page.getByTestId('hangup').click();
  await expect.poll(async () => (await notifications(agent.page))[1].closed).toBe(true);
  await agent.page.evaluate(() => ((window as unknown as { __osFocus: boolean }).__osFocus = true));
  await mini.close();
}, 120_000);

it('high contrast and German: the call reads in German and axe finds nothing serious', async () => {
  const { agent, customer } = scenario.party;
  await agent.page.getByTestId('open-settings').click();
  await agent.page.getByTestId('settings-contrast').click();
  await agent.page.getByRole('option', { name: 'High contrast' }).click();
  await agent.page.getByTestId('settings-language').click();
  await agent.page.getByRole('option', { name: 'Deutsch' }).click();
  await expect.poll(() => agent.page.evaluate(() => document.documentElement.lang)).toBe('de');
  await agent.page.keyboard.press('Escape');
  await agent.page.getByTestId('settings').waitFor({ state: 'hidden' });
  expect(await agent.page.locator('[data-contrast="high"]').count()).toBe(1);
  const idle = await seriousFindings(agent.page);

  await customer.page.getByTestId('dial-input').fill('1001');
  await customer.page.getByTestId('dial').click();
  await waitCallState(agent.page, 'ringing');
  await agent.page.getByRole('button', { name: 'Annehmen' }).waitFor();
  await expect.poll(() => agent.page.getByTestId('announce-urgent').textContent()).toBe('Eingehender Anruf von Ext 2001');
  const ringing = await seriousFindings(agent.page);
  await agent.page.getByRole('button', { name: 'Annehmen' }).click();
  await waitCallState(agent.page, 'active');
  const onCall = await seriousFindings(agent.page);
  await agent.page.getByRole('button', { name: 'Auflegen' }).click();
  await agent.page.getByTestId('wrapup').waitFor();
  const wrap = await seriousFindings(agent.page);
  await wrapUp(agent.page);
  await wrapUp(customer.page);
  expect({ idle, ringing, onCall, wrap }).toEqual({ idle: [], ringing: [], onCall: [], wrap: [] });

  // Back to English for whoever runs next in this profile.
  await agent.page.getByTestId('open-settings').click();
  await agent.page.getByTestId('settings-language').click();
  await agent.page.getByRole('option', { name: 'English' }).click();
  await agent.page.keyboard.press('Escape');
}, 120_000);
