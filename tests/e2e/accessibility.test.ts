import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { enrolAndPublish } from '../support/policy';
import { seriousFindings } from '../support/axe';
import { dial, expectHears, resetParty, signIn, waitCallState, waitRegistered } from '../support/phoneDriver';
import { useScenario } from '../support/scenario';

// Every view through axe-core (WCAG 2.x A and AA rules) as a screen-reader or keyboard user meets
// it: the agent idle, ringing and on a supervised call, the supervisor's board and supervision
// card, the settings dialog and the QA player. A serious or critical finding fails the test, with
// the rule, the element and axe's own help text.

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw' };
const tones = { agent: 600, customer: 1000, supervisor: 1400 };

const scenario = useScenario(accounts, tones);
const as = (page: Page, ext: keyof typeof accounts, role?: 'supervisor') =>
  signIn(page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password: accounts[ext], ...(role ? { role } : {}) });

beforeAll(async () => {
  const { agent, customer, supervisor } = scenario.party;
  await as(supervisor.page, '1101', 'supervisor');
  await as(agent.page, '1001');
  await as(customer.page, '2001');
  for (const p of [agent, customer, supervisor]) await waitRegistered(p.page);
  await enrolAndPublish(scenario.site, scenario.sip.domain, { '1101': supervisor.page }, {}, [agent.page], (input) => {
    input.recording = { calls: '*', coachingTrack: 'with-call', retentionDays: 30, pciPause: true, notifyAgent: true };
  });
});

it('no serious finding in any view: agent idle, settings, ringing, on a supervised and recorded call; supervisor card, board, recordings', async () => {
  const { agent, customer, supervisor } = scenario.party;
  const findings: Record<string, string[]> = {};
  const check = async (view: string, page: Page) => {
    findings[view] = await seriousFindings(page);
  };
  for (const p of [agent, customer, supervisor]) await resetParty(p.page);
  await check('agent, idle', agent.page);
  await agent.page.getByTestId('open-settings').click();
  await agent.page.getByTestId('settings').waitFor();
  await check('settings dialog', agent.page);
  await agent.page.keyboard.press('Escape');
  await agent.page.getByTestId('settings').waitFor({ state: 'hidden' });

  await dial(customer.page, '1001');
  await waitCallState(agent.page, 'ringing');
  await check('agent, incoming call', agent.page);
  await agent.page.getByTestId('answer').click();
  await expectHears(agent, tones.customer);
  await supervisor.page.getByTestId('supervise-target').fill('1001');
  await supervisor.page.getByTestId('supervise-listen').click();
  await supervisor.page.locator('[data-testid="supervision"][data-state="active"]').waitFor();
  await agent.page.locator('[data-testid="supervised-banner"]').waitFor();
  await agent.page.locator('[data-testid="recording"][data-state="recording"]').waitFor({ timeout: 20_000 });
  await check('agent, on a supervised recorded call', agent.page);
  await check('supervisor, supervision card and team board', supervisor.page);
  await supervisor.page.getByTestId('leave').click();
  await agent.page.getByTestId('hangup').click();

  await expect.poll(async () => (await scenario.rig.recordings.store.list()).length).toBeGreaterThan(0);
  await supervisor.page.getByTestId('open-recordings').click();
  await supervisor.page.getByTestId('recording-row').first().click();
  await expect.poll(() => supervisor.page.getByTestId('player').getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
  await check('supervisor, recordings player', supervisor.page);

  const report = Object.entries(findings).map(([view, f]) => `${view}: ${f.length ? `\n  ${f.join('\n  ')}` : 'none'}`);
  console.log(`axe-core, serious and critical findings per view:\n${report.join('\n')}`);
  expect(Object.values(findings).flat(), report.join('\n')).toEqual([]);
}, 180_000);
