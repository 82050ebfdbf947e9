import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { base64UrlToBytes } from '../../src/shared/policy/canonical';
import { superviseHeader } from '../../src/shared/supervision/modes';
import type { Party } from '../support/browser';
import { callCard, dial, expectHears, explainedOnFailure, resetParty, signIn, waitCallState, waitRegistered } from '../support/phoneDriver';
import { enrolAndPublish } from '../support/policy';
import { useScenario } from '../support/scenario';
import { describeEachServer, type ServerCase } from '../support/servers';

// A supervision request captured off the wire and sent again, as an attacker on the path would:
// the genuine supervisor's app joins over plain ws://, the test copies its X-Whisperline-Supervise
// header from what the page sent, and a bare SIP client registered with the supervisor's extension
// (a leaked SIP password, no key) replays it: during the session, after it, after the agent's app
// reloads, to a second desk of the same extension (which never saw it), and past its lifetime.
// Nothing opens; each attempt is recorded in the audit trail of the desk it reached.

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw' };
const tones = { agent: 600, customer: 1000, supervisor: 1400, desk2: 700 };

interface Outcome {
  status: number;
  reason: string;
  leg?: number;
}
interface LegState {
  state: string;
  byeReason: string | null;
  loudest: Record<number, number>;
}
interface AuditRow {
  action: string;
  result: string;
  reason?: string;
}

function replaySuite(server: ServerCase) {
  const scenario = useScenario(accounts, tones, server.kind);
  let attacker: Page;
  let captured = '';
  let issuedAt = 0;
  const table: string[] = [];
  const parties = () => scenario.party;
  const as = (p: Party, ext: keyof typeof accounts, extra: { role?: 'supervisor' } = {}) => signIn(p.page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password: accounts[ext], ...extra });
  const audit = (p: Party): Promise<AuditRow[]> => p.page.evaluate(() => JSON.parse(localStorage.getItem('whisperline.audit') ?? '[]'));
  const hostile = <T,>(fn: string, ...args: unknown[]): Promise<T> =>
    attacker.evaluate(([f, a]) => (window as unknown as { hostile: Record<string, (...x: unknown[]) => Promise<unknown>> }).hostile[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;
  const replay = (): Promise<Outcome> => hostile('invite', `sip:1001@${scenario.sip.domain}`, { headers: [`${superviseHeader}: ${captured}`], listenHz: [tones.customer, tones.agent, tones.desk2] });
  /** Through a proxy the agent's own answer arrives; a B2BUA answers with its own mapping of it. */
  const expectAnswer = (o: Outcome, status: number, reason: string) => {
    if (server.kind === 'kamailio') expect(`${o.status} ${o.reason}`).toBe(`${status} ${reason}`);
    else expect(o.status, `${o.status} ${o.reason}`).toBeGreaterThanOrEqual(400);
  };
  /** The desk's newest entries since `before`: one refusal with this reason, and nothing granted. */
  const recorded = async (desk: Party, before: number, reason: RegExp): Promise<string> => {
    await expect.poll(async () => (await audit(desk)).slice(before).filter((r) => r.action === 'refusal').length, { timeout: 20_000 }).toBeGreaterThan(0);
    const rows = (await audit(desk)).slice(before);
    const refusal = rows.find((r) => r.action === 'refusal')!;
    expect(refusal.reason).toMatch(reason);
    expect(rows.filter((r) => r.result === 'ok' && r.action !== 'leave')).toEqual([]);
    return refusal.reason!.replace(/:.*/, '');
  };
  const customerCalls = async (desk: Party) => {
    const { customer } = parties();
    await dial(customer.page, '1001');
    await waitCallState(desk.page, 'ringing');
    await desk.page.getByTestId('answer').click();
    await expectHears(desk, tones.customer);
    await expectHears(customer, desk.toneHz);
  };

  beforeAll(async () => {
    const { agent, customer, supervisor } = parties();
    await as(supervisor, '1101', { role: 'supervisor' });
    await as(agent, '1001');
    await as(customer, '2001');
    for (const p of [agent, customer, supervisor]) await waitRegistered(p.page);
    await enrolAndPublish(scenario.site, scenario.sip.domain, { '1101': supervisor.page }, {}, [agent.page]);
    attacker = (await scenario.rig.party('attacker', 1800, new URL('hostile/index.html', scenario.rig.appUrl).href)).page;
  });

  afterAll(() => {
    console.log(`[${server.name}] captured join replayed (statement issued ${issuedAt}):\n| attempt | SIP answer to the replay | agent's audit trail |\n|---|---|---|\n${table.join('\n')}`);
  });

  it('the genuine supervisor joins over plain ws://, and its request is copied off the wire', async () => {
    const { agent, customer, supervisor } = parties();
    await explainedOnFailure([agent, customer, supervisor], async () => {
      await customerCalls(agent);
      await supervisor.page.getByTestId('supervise-target').fill('1001');
      await supervisor.page.getByTestId('supervise-listen').click();
      await supervisor.page.locator('[data-testid="supervision"][data-state="active"]').waitFor();
      await agent.page.locator('[data-testid="supervised-banner"][data-mode="listen"]').waitFor();
      await expectHears(supervisor, tones.customer);
    });
    const invite = supervisor.wire.find((m) => m.startsWith('INVITE ') && m.includes(`${superviseHeader}:`));
    captured = new RegExp(`^${superviseHeader}:\\s*(.+)$`, 'mi').exec(invite ?? '')?.[1]?.trim() ?? '';
    expect(captured).toMatch(/^mode=listen;stmt=/);
    const payload = captured.split('stmt=')[1].split('.')[0];
    issuedAt = (JSON.parse(new TextDecoder().decode(base64UrlToBytes(payload)!)) as { iat: number }).iat;
    // The attacker: the supervisor's extension and password, but not the supervisor's key.
    await hostile('start', { server: scenario.sip.wsUrl, domain: scenario.sip.domain, user: '1101', password: accounts['1101'] });
  });

  it('replayed while the genuine session runs: refused (486), recorded', async () => {
    const { agent } = parties();
    const before = (await audit(agent)).length;
    const o = await replay();
    expectAnswer(o, 486, 'Call Already Supervised');
    table.push(`| during the genuine session | ${o.status} ${o.reason} | ${await recorded(agent, before, /^486 Call Already Supervised/)} |`);
  });

  it('replayed after the supervisor left: refused as a replay, recorded', async () => {
    const { agent, supervisor } = parties();
    await supervisor.page.getByTestId('leave').click();
    await expect.poll(() => agent.page.getByTestId('supervised-banner').count(), { timeout: 20_000 }).toBe(0);
    const before = (await audit(agent)).length;
    const o = await replay();
    expectAnswer(o, 403, 'Replayed Statement');
    table.push(`| after the genuine session | ${o.status} ${o.reason} | ${await recorded(agent, before, /^403 Replayed Statement/)} |`);
  });

  it('replayed after the agent’s app reloaded and took the customer’s call again: refused as a replay, recorded', async () => {
    const { agent, customer } = parties();
    await agent.page.reload();
    await resetParty(customer.page);
    // The app signs itself back in from its saved settings, as after a restart. (Signing in again
    // by hand would race that registration: the new page could read "registered" from the first.)
    await waitRegistered(agent.page);
    await explainedOnFailure([agent, customer], () => customerCalls(agent));
    const before = (await audit(agent)).length;
    const o = await replay();
    expectAnswer(o, 403, 'Replayed Statement');
    table.push(`| after the agent's app reloaded (${Math.round(Date.now() / 1000) - issuedAt} s after issue) | ${o.status} ${o.reason} | ${await recorded(agent, before, /^403 Replayed Statement/)} |`);
    await expectHears(customer, tones.agent);
  });

  it('replayed to a second desk of the agent’s extension that never saw it: answered with nothing, challenged, hung up, recorded; nobody heard anything', async () => {
    const { agent, customer, desk2 } = parties();
    await resetParty(agent.page);
    await resetParty(customer.page);
    await agent.page.getByTestId('sign-toggle').click();
    await agent.page.locator('[data-testid="registration"]:not([data-state="registered"])').waitFor();
    await as(desk2, '1001');
    await waitRegistered(desk2.page);
    await explainedOnFailure([desk2, customer], () => customerCalls(desk2));
    const before = (await audit(desk2)).length;
    const o = await replay();
    // This desk's record never saw the statement, so the INVITE passes its checks; the leg is
    // answered with nothing of the call connected to it, and the challenge cannot be answered.
    expect(o.status, `${o.status} ${o.reason}`).toBe(200);
    if (server.kind === 'freeswitch') {
      // FreeSWITCH hangs up both of its calls when the agent's app ends the leg ("Sending BYE" in its
      // log), but that BYE never reached this client (its leg stays up at its end, carrying nothing):
      // the agent's refusal record is what says the leg is over.
      await recorded(desk2, before, /^403 Supervision Not Proven/);
    } else await expect.poll(async () => (await hostile<LegState>('legState', o.leg))?.state, { timeout: 20_000 }).toBe('Terminated');
    const leg = (await hostile<LegState>('legState', o.leg))!;
    for (const hz of [tones.customer, tones.desk2]) expect(leg.loudest[hz], `the attacker's loudest frame at ${hz} Hz`).toBeLessThan(-60);
    if (server.kind === 'kamailio') expect(leg.byeReason).toMatch(/cause=403.*Supervision Not Proven/);
    const refusal = await recorded(desk2, before, /^403 Supervision Not Proven/);
    const ended = leg.state === 'Terminated' ? `then BYE ${leg.byeReason || '(no Reason relayed)'}` : 'the PBX hung up its calls (its BYE did not reach this client)';
    table.push(`| to a second desk of 1001 | 200, ${ended}; loudest frame heard ${Math.max(...Object.values(leg.loudest)).toFixed(0)} dBFS | ${refusal} |`);
    await expect(desk2.page.getByTestId('supervised-banner').count()).resolves.toBe(0);
    await expect(callCard(desk2.page).count()).resolves.toBe(1);
    await expectHears(customer, tones.desk2);
    await expectHears(desk2, tones.customer);
  });

  it('replayed past its lifetime + skew: refused as expired, recorded', async () => {
    const { desk2 } = parties();
    // 60 s lifetime + 30 s allowance for clock skew; the other steps took most of it already.
    const wait = (issuedAt + 92) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const before = (await audit(desk2)).length;
    const o = await replay();
    expectAnswer(o, 403, 'Statement Expired');
    table.push(`| past lifetime + skew (${Math.round(Date.now() / 1000) - issuedAt} s after issue) | ${o.status} ${o.reason} | ${await recorded(desk2, before, /^403 Statement Expired/)} |`);
  }, 120_000);
}

describeEachServer((s) => `a supervision request captured off the wire, replayed through ${s.name}`, replaySuite);
