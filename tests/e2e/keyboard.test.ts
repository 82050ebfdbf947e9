import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { enrolAndPublish } from '../support/policy';
import { expectHears, signIn, waitCallState, waitRegistered, wrapUp } from '../support/phoneDriver';
import { useScenario } from '../support/scenario';
import { pressOn, tabTo } from '../support/keyboard';

// An agent and a supervisor who never touch the mouse: answer, hold, resume, transfer, supervise
// and change mode with Tab, Enter, Space and the call keys only. What a screen reader is told on
// the way is checked too (the live regions), and that the ticking call timer is never read out.

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw', '3001': 'third-pw' };
const tones = { agent: 600, customer: 1000, supervisor: 1400, third: 1800 };
const scenario = useScenario(accounts, tones);
const as = (page: Page, ext: keyof typeof accounts, role?: 'supervisor') =>
  signIn(page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password: accounts[ext], ...(role ? { role } : {}) });
const polite = (page: Page) => page.getByTestId('announce-polite').textContent();
const urgent = (page: Page) => page.getByTestId('announce-urgent').textContent();

/** The customer calls 1001 (set up with the mouse: the customer is not under test). */
async function customerCalls(page: Page, target = '1001') {
  await page.getByTestId('dial-input').fill(target);
  await page.getByTestId('dial').click();
}

beforeAll(async () => {
  const { agent, customer, supervisor, third } = scenario.party;
  await as(supervisor.page, '1101', 'supervisor');
  await as(agent.page, '1001');
  await as(customer.page, '2001');
  await as(third.page, '3001');
  for (const p of [agent, customer, supervisor, third]) await waitRegistered(p.page);
  await enrolAndPublish(scenario.site, scenario.sip.domain, { '1101': supervisor.page }, {}, [agent.page]);
});

it('answer with Tab and Enter, hold and resume, mute with the call key; the screen reader hears the caller, hold and the end', async () => {
  const { agent, customer } = scenario.party;
  await agent.page.bringToFront();
  await customerCalls(customer.page);
  await waitCallState(agent.page, 'ringing');
  await expect.poll(() => urgent(agent.page)).toContain('Incoming call from Ext 2001');
  await pressOn(agent.page, 'answer');
  await waitCallState(agent.page, 'active');
  await expectHears(customer, tones.agent);

  await pressOn(agent.page, 'hold');
  await waitCallState(agent.page, 'held');
  await expect.poll(() => polite(agent.page)).toBe('Call with Ext 2001 on hold');
  // Focus stays on the button: Space resumes.
  await agent.page.keyboard.press('Space');
  await waitCallState(agent.page, 'active');
  await expect.poll(() => polite(agent.page)).toBe('Call with Ext 2001 resumed');

  // Ctrl+Shift+F8 mutes wherever the focus is; the customer stops hearing the agent.
  await agent.page.keyboard.press('Control+Shift+F8');
  await expect.poll(() => agent.page.getByTestId('mute').getAttribute('class')).toContain('MuiButton-contained');
  await expect.poll(() => polite(agent.page)).toBe('Microphone muted');
  await agent.page.keyboard.press('Control+Shift+F8');
  await expectHears(customer, tones.agent);

  // The ticking call time is in no live region, so a screen reader does not read it every second.
  await expect.poll(() => agent.page.locator('[role="timer"]').first().textContent()).toMatch(/^\d+:\d\d$/);
  const liveTexts = await agent.page.evaluate(() =>
    [...document.querySelectorAll('[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"]')].map((e) => e.textContent ?? ''),
  );
  expect(liveTexts.filter((text) => /\d+:\d\d/.test(text))).toEqual([]);

  await agent.page.keyboard.press('Control+Shift+F10');
  await expect.poll(() => polite(agent.page)).toBe('Call with Ext 2001 ended');
  await wrapUp(agent.page);
  await wrapUp(customer.page);
}, 120_000);

it('answer with Ctrl+Shift+F9 and blind-transfer to 3001 by keyboard', async () => {
  const { agent, customer, third } = scenario.party;
  await customerCalls(customer.page);
  await waitCallState(agent.page, 'ringing');
  await agent.page.keyboard.press('Control+Shift+F9');
  await waitCallState(agent.page, 'active');
  await tabTo(agent.page, 'transfer-target');
  await agent.page.keyboard.type('3001');
  await pressOn(agent.page, 'blind-transfer');
  await waitCallState(third.page, 'ringing');
  await third.page.getByTestId('answer').click();
  await expectHears(third, tones.customer);
  await wrapUp(agent.page);
  await third.page.getByTestId('hangup').click();
  await wrapUp(third.page);
  await wrapUp(customer.page);
}, 120_000);

it('the supervisor joins, whispers and leaves by keyboard; the agent is told who joined', async () => {
  const { agent, customer, supervisor } = scenario.party;
  await customerCalls(customer.page);
  await waitCallState(agent.page, 'ringing');
  await agent.page.keyboard.press('Control+Shift+F9');
  await expectHears(agent, tones.customer);

  await supervisor.page.bringToFront();
  await tabTo(supervisor.page, 'supervise-target');
  await supervisor.page.keyboard.type('1001');
  await pressOn(supervisor.page, 'supervise-listen');
  await supervisor.page.locator('[data-testid="supervision"][data-state="active"]').waitFor({ timeout: 20_000 });
  await expectHears(supervisor, tones.customer);
  await pressOn(supervisor.page, 'mode-whisper');
  await supervisor.page.locator('[data-testid="supervision"][data-mode="whisper"]').waitFor({ timeout: 20_000 });
  await expectHears(agent, tones.supervisor);
  await expect.poll(() => polite(agent.page)).toMatch(/joined/);
  await pressOn(supervisor.page, 'leave');
  await supervisor.page.locator('[data-testid="supervision"]').waitFor({ state: 'detached', timeout: 20_000 });

  await agent.page.bringToFront();
  await agent.page.keyboard.press('Control+Shift+F10');
  await wrapUp(agent.page);
  await wrapUp(customer.page);
}, 120_000);
