import { readFile } from 'node:fs/promises';
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { enrolAndPublish } from '../support/policy';
import { expectHears, signIn, waitCallState, waitRegistered } from '../support/phoneDriver';
import { useScenario } from '../support/scenario';

// "Collect logs" as support would ask for it, after a real session against Kamailio: a sign-in
// with a digest challenge, a call, a supervisor joining with a signed statement. What the agent's
// page sent and got on the wire is captured; none of its secrets may be in the bundle, while the
// SIP flow support needs (methods, Call-IDs) is.

const accounts = { '1001': 'agent-pw-Xq93', '2001': 'customer-pw', '1101': 'supervisor-pw' };
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
  await enrolAndPublish(scenario.site, scenario.sip.domain, { '1101': supervisor.page }, {}, [agent.page]);
});

it('the bundle has the SIP flow and none of the password, digests, nonces or supervision statements that crossed the wire', async () => {
  const { agent, customer, supervisor } = scenario.party;
  await customer.page.getByTestId('dial-input').fill('1001');
  await customer.page.getByTestId('dial').click();
  await waitCallState(agent.page, 'ringing');
  await agent.page.getByTestId('answer').click();
  await expectHears(agent, tones.customer);
  await supervisor.page.getByTestId('supervise-target').fill('1001');
  await supervisor.page.getByTestId('supervise-listen').click();
  await supervisor.page.locator('[data-testid="supervision"][data-state="active"]').waitFor({ timeout: 20_000 });
  await supervisor.page.getByTestId('leave').click();

  // The secrets an eavesdropper could have taken from the agent's and supervisor's traffic.
  const wire = [...agent.wire, ...supervisor.wire].join('\n');
  const secrets = new Set<string>([accounts['1001']]);
  for (const m of wire.matchAll(/\b(?:response|nonce|cnonce)="([^"]{8,})"/g)) secrets.add(m[1]);
  for (const m of wire.matchAll(/stmt=([A-Za-z0-9_.-]{20,})/g)) secrets.add(m[1]);
  expect([...secrets].filter((s) => s.length > 30).length, 'a digest and a statement were seen on the wire').toBeGreaterThan(1);
  const callId = /^Call-ID:\s*(\S+)/im.exec(agent.wire.find((w) => w.startsWith('REGISTER')) ?? '')?.[1];
  expect(callId).toBeTruthy();

  await agent.page.getByTestId('open-settings').click();
  const [download] = await Promise.all([agent.page.waitForEvent('download'), agent.page.getByTestId('collect-logs').click()]);
  await expect(agent.page.getByTestId('collect-logs-result').getAttribute('data-state')).resolves.toBe('ok');
  const files = unzipSync(new Uint8Array(await readFile((await download.path())!)));
  const texts = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, strFromU8(bytes)]));
  expect(Object.keys(texts)).toEqual(expect.arrayContaining(['page.log', 'manifest.json', 'README.txt']));
  const all = Object.values(texts).join('\n');
  const leaked = [...secrets].filter((s) => all.includes(s));
  expect(leaked).toEqual([]);
  // What support needs is still there.
  expect(texts['page.log']).toContain('REGISTER sip:');
  expect(texts['page.log']).toContain(callId!);
  expect(texts['page.log']).toMatch(/X-Whisperline-Supervise: mode=listen;stmt=\[redacted\]/);
  await agent.page.keyboard.press('Escape');
  await agent.page.getByTestId('hangup').click();
}, 120_000);
