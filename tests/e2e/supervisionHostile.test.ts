import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PbxKind } from '../../src/node/pbx';
import { supervisionInfoContentType } from '../../src/shared/supervision/modes';
import type { Party } from '../support/browser';
import { useScenario } from '../support/scenario';
import { asterisk } from '../support/servers';
import { callCard, dial, expectHears, expectSilent, signIn, waitCallState, waitRegistered } from '../support/phoneDriver';
import { makeOrgPolicy, newKeyPair, statementFrom } from '../support/policy';

// Hostile supervision requests against a real agent page, through a proxy (Kamailio) and a B2BUA
// (Asterisk): each is refused, recorded in the agent's audit trail, and the customer call goes on.
// They come from a bare SIP client (tests/support/hostile) registered as the real supervisor 1101
// (a stolen phone, a broken or malicious client) and as 3001 (someone the policy does not name);
// statements are signed here, with keys enrolled in the policy or not.

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw', '3001': 'intruder-pw' };
const tones = { agent: 600, customer: 1000 };
const attackerTone = 1400;

interface Outcome {
  status: number;
  reason: string;
  leg?: number;
}
interface AuditRow {
  action: string;
  result: string;
  reason?: string;
  actor: string;
  mode?: string;
}

if (!asterisk.found) console.log(`skipped: hostile supervision requests through Asterisk: ${asterisk.reason}`);

function hostileSuite(server: PbxKind) {
  const scenario = useScenario(accounts, tones, server);
  let agent: Party, customer: Party, attacker: Page, stranger: Page;
  let domain = '';
  let keys: Record<'sup' | 'qa' | 'sales' | 'unenrolled', CryptoKeyPair>;
  const at = (ext: string) => `${ext}@${domain}`;

  const sign = (who: keyof typeof keys, o: { sup?: string; agent?: string; mode: 'listen' | 'whisper' | 'barge' | 'takeover'; binding?: string; now?: Date; lifetimeSeconds?: number; nonce?: string }) =>
    statementFrom(keys[who], { sup: o.sup ?? at('1101'), agent: o.agent ?? at('1001'), mode: o.mode, binding: o.binding, now: o.now, lifetimeSeconds: o.lifetimeSeconds, nonce: o.nonce });
  const header = (value: string) => `X-Whisperline-Supervise: ${value}`;
  const invite = (from: Page, headers: string[], spoofFrom?: string): Promise<Outcome> =>
    from.evaluate(([target, h, f]) => (window as unknown as { hostile: { invite(t: string, o: object): Promise<Outcome> } }).hostile.invite(target, { headers: h, from: f }), [`sip:1001@${domain}`, headers, spoofFrom] as const);
  const hostileCall = <T,>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(([f, a]) => (window as unknown as { hostile: Record<string, (...x: unknown[]) => Promise<unknown>> }).hostile[f as string](...(a as unknown[])), [fn, args] as const) as Promise<T>;
  const audit = (): Promise<AuditRow[]> => agent.page.evaluate(() => JSON.parse(localStorage.getItem('whisperline.audit') ?? '[]'));
  /** The status a refusal reaches the caller with: the agent's own through a proxy; a B2BUA maps it. */
  const expectRefused = (outcome: Outcome, status: number, reason: string) => {
    if (server === 'kamailio') expect(`${outcome.status} ${outcome.reason}`).toBe(`${status} ${reason}`);
    else expect(outcome.status, `${outcome.status} ${outcome.reason}`).toBeGreaterThanOrEqual(400);
  };
  const lastRefusal = async (reason: RegExp, before: number) => {
    await expect.poll(async () => (await audit()).length, { timeout: 20_000 }).toBeGreaterThan(before);
    const rows = (await audit()).slice(before);
    expect(rows.filter((r) => r.action === 'refusal' && r.result === 'refused').map((r) => r.reason).join(' | ')).toMatch(reason);
    // Nothing was allowed (a 'leave' of an earlier leg may still land here).
    expect(rows.filter((r) => r.result === 'ok' && r.action !== 'leave')).toEqual([]);
  };
  /**
   * What the real supervisor's app does on an answered leg: waits for the agent's challenge
   * (repeating its request, since the first can overtake the 200 OK and be dropped), then answers it
   * with a statement carrying the challenge, signed with the key. Resolves with the call's binding.
   */
  const prove = async (leg: number, mode: 'listen' = 'listen'): Promise<string> => {
    let challenge: { challenge: string; call: string } | undefined;
    await expect
      .poll(
        async () => {
          const got = (await hostileCall<string[]>(attacker, 'received', leg)).map((b) => JSON.parse(b)).find((b) => b.type === 'challenge');
          if (!got) await hostileCall(attacker, 'message', leg, supervisionInfoContentType, JSON.stringify({ type: 'mode', mode }));
          challenge = got;
          return !!got;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    await hostileCall(attacker, 'message', leg, supervisionInfoContentType, JSON.stringify({ type: 'proof', stmt: await sign('sup', { mode, binding: challenge!.call, nonce: challenge!.challenge }) }));
    return challenge!.call;
  };
  const callUntouched = async () => {
    await expect(agent.page.getByTestId('supervised-banner').count()).resolves.toBe(0);
    await expect(callCard(agent.page).count()).resolves.toBe(1);
  };

  beforeAll(async () => {
    ({ agent, customer } = scenario.party);
    domain = scenario.sip.domain;
    const pairs = await Promise.all([newKeyPair(), newKeyPair(), newKeyPair(), newKeyPair()]);
    keys = { sup: pairs[0].pair, qa: pairs[1].pair, sales: pairs[2].pair, unenrolled: pairs[3].pair };
    // 1101 leads 1001's team; 1301 (QA) may only listen; 1102 leads Sales only (not 1001's team).
    const published = await makeOrgPolicy(domain, { '1101': pairs[0].publicKey, '1301': pairs[1].publicKey, '1102': pairs[2].publicKey }, (p) => {
      (p.people ??= []).push({ id: at('1102'), name: 'Sales Lead', roles: ['supervisor'] });
      (p.teams.find((t) => t.id === 'sales')!.supervisors ??= []).push(at('1102'));
    });
    scenario.site.publish(published);
    const as = { server: scenario.sip.wsUrl, domain };
    await signIn(agent.page, { ...as, extension: '1001', password: accounts['1001'] });
    await signIn(customer.page, { ...as, extension: '2001', password: accounts['2001'] });
    for (const p of [agent, customer]) await waitRegistered(p.page);
    const hostileUrl = new URL('hostile/index.html', scenario.rig.appUrl).href;
    attacker = (await scenario.rig.party('attacker', attackerTone, hostileUrl)).page;
    stranger = (await scenario.rig.party('stranger', 1800, hostileUrl)).page;
    await hostileCall(attacker, 'start', { ...as, user: '1101', password: accounts['1101'] });
    await hostileCall(stranger, 'start', { ...as, user: '3001', password: accounts['3001'] });
  });

  it('the customer call every hostile request is aimed at is up', async () => {
    await dial(customer.page, '1001');
    await waitCallState(agent.page, 'ringing');
    await agent.page.getByTestId('answer').click();
    await expectHears(agent, tones.customer);
    await expectHears(customer, tones.agent);
  });

  afterEach(async () => {
    await callUntouched();
    await expectHears(customer, tones.agent);
    await expectHears(agent, tones.customer);
  });

  const now = () => new Date();
  const cases: Array<[string, () => Promise<{ from?: 'stranger'; headers: string[]; spoofFrom?: string }>, number, string]> = [
    ['no statement at all (the old, unsigned request)', async () => ({ headers: [header('mode=listen')] }), 400, 'Missing Supervision Statement'],
    ['a forged signature', async () => {
      const t = (await sign('sup', { mode: 'listen' })).split('.');
      t[1] = `${t[1].slice(0, 20)}${t[1][20] === 'A' ? 'B' : 'A'}${t[1].slice(21)}`;
      return { headers: [header(`mode=listen;stmt=${t.join('.')}`)] };
    }, 403, 'Bad Supervision Signature'],
    ['a key the admin never enrolled', async () => ({ headers: [header(`mode=listen;stmt=${await sign('unenrolled', { mode: 'listen' })}`)] }), 403, 'Supervisor Key Not Enrolled'],
    ['an expired statement', async () => ({ headers: [header(`mode=listen;stmt=${await sign('sup', { mode: 'listen', now: new Date(now().getTime() - 600_000) })}`)] }), 403, 'Statement Expired'],
    ['a statement dated in the future', async () => ({ headers: [header(`mode=listen;stmt=${await sign('sup', { mode: 'listen', now: new Date(now().getTime() + 600_000) })}`)] }), 403, 'Statement Not Yet Valid'],
    ['a supervisor asking for an agent outside their teams', async () => ({ headers: [header(`mode=listen;stmt=${await sign('sales', { sup: at('1102'), mode: 'listen' })}`)] }), 403, 'Agent Outside Scope'],
    ['a statement for another agent', async () => ({ headers: [header(`mode=listen;stmt=${await sign('sup', { agent: at('1002'), mode: 'listen' })}`)] }), 403, 'Agent Outside Scope'],
    ['a listen grant used to barge', async () => ({ headers: [header(`mode=barge;stmt=${await sign('sup', { mode: 'listen' })}`)] }), 403, 'Mode Not Allowed'],
    ['a role that may only listen, asking to whisper', async () => ({ headers: [header(`mode=whisper;stmt=${await sign('qa', { sup: at('1301'), mode: 'whisper' })}`)] }), 403, 'Mode Not Allowed'],
    ['a statement for another call', async () => ({ headers: [header(`mode=listen;stmt=${await sign('sup', { mode: 'listen', binding: 'some-other-call@pbx' })}`)] }), 403, 'Statement For Another Call'],
    ['a valid statement sent by someone else', async () => ({ from: 'stranger', headers: [header(`mode=listen;stmt=${await sign('sup', { mode: 'listen' })}`)] }), 403, 'Identity Mismatch'],
    ['a malformed header', async () => ({ headers: [header('mode=listen;stmt=%%%;;')] }), 400, 'Bad Supervision Request'],
    ['an oversized header', async () => ({ headers: [header(`mode=listen;stmt=${'A'.repeat(3000)}`)] }), 400, 'Bad Supervision Request'],
  ];
  // Through a B2BUA the agent sees one header (the dialplan copies the first): a proxy passes both.
  if (server === 'kamailio') {
    cases.push(['a duplicated header', async () => ({ headers: [header(`mode=listen;stmt=${await sign('sup', { mode: 'listen' })}`), header('mode=barge')] }), 400, 'Bad Supervision Request']);
  }

  it.each(cases)('refuses %s, records it, and the call goes on', async (_what, make, status, reason) => {
    const before = (await audit()).length;
    const req = await make();
    const outcome = await invite(req.from === 'stranger' ? stranger : attacker, req.headers, req.spoofFrom);
    expectRefused(outcome, status, reason);
    await lastRefusal(new RegExp(`${status} ${reason}`), before);
  });

  it('refuses a spoofed From: at the PBX, or at the agent’s app when the statement is not the claimed supervisor’s', async () => {
    const before = (await audit()).length;
    const stmt = await sign('unenrolled', { mode: 'listen' });
    const outcome = await invite(stranger, [header(`mode=listen;stmt=${stmt}`)], `sip:1101@${domain}`);
    expect(outcome.status, `${outcome.status} ${outcome.reason}`).toBeGreaterThanOrEqual(400);
    // The agent's app records before it answers, so by now any entry is there. Kamailio here pins From
    // to the authenticated user (pv_auth_check) and Asterisk sets each endpoint's caller ID: where the
    // PBX refuses, the request never reaches the agent; where it passes, the agent's app refuses it.
    const reached = (await audit()).length > before;
    console.log(`[${server}] spoofed From: ${outcome.status} ${outcome.reason}, ${reached ? 'refused by the agent’s app' : 'refused by the PBX'}`);
    if (reached) await lastRefusal(/403 (Supervisor Key Not Enrolled|Identity Mismatch)/, before);
  });

  it('accepts a valid statement once; the same statement again is a replay', async () => {
    const stmt = await sign('sup', { mode: 'listen' });
    const first = await invite(attacker, [header(`mode=listen;stmt=${stmt}`)]);
    expect(first.status).toBe(200);
    await prove(first.leg!);
    await agent.page.locator('[data-testid="supervised-banner"][data-mode="listen"]').waitFor();
    await hostileCall(attacker, 'hangup', first.leg);
    await expect.poll(() => agent.page.getByTestId('supervised-banner').count(), { timeout: 20_000 }).toBe(0);
    const before = (await audit()).length;
    const again = await invite(attacker, [header(`mode=listen;stmt=${stmt}`)]);
    expectRefused(again, 403, 'Replayed Statement');
    await lastRefusal(/403 Replayed Statement/, before);
  });

  it('on a live leg, refuses a listen grant used to barge and a statement for another call; nothing reaches the customer', async () => {
    const joined = await invite(attacker, [header(`mode=listen;stmt=${await sign('sup', { mode: 'listen' })}`)]);
    expect(joined.status).toBe(200);
    const leg = joined.leg!;
    try {
      // The agent's challenge names the call; statements for changes must name it.
      const binding = await prove(leg);
      expect(binding).toBeTruthy();
      await agent.page.locator('[data-testid="supervised-banner"][data-mode="listen"]').waitFor();
      // Only what follows the join's confirmation counts below.
      await expect.poll(async () => (await hostileCall<string[]>(attacker, 'received', leg)).some((b) => JSON.parse(b).type === 'state'), { timeout: 20_000 }).toBe(true);
      const change = async (body: object, refused: RegExp) => {
        const seen = (await hostileCall<string[]>(attacker, 'received', leg)).length;
        await hostileCall(attacker, 'message', leg, supervisionInfoContentType, JSON.stringify(body));
        // Through a B2BUA the PBX answers the MESSAGE itself; the agent's state report says what happened.
        await expect.poll(async () => (await hostileCall<string[]>(attacker, 'received', leg)).slice(seen).map((b) => JSON.parse(b).refused ?? '').join(' '), { timeout: 20_000 }).toMatch(refused);
      };
      await change({ type: 'mode', mode: 'barge', seq: 1, stmt: await sign('sup', { mode: 'listen', binding }) }, /403 Mode Not Allowed/);
      await change({ type: 'mode', mode: 'barge', seq: 2, stmt: await sign('sup', { mode: 'barge', binding: 'another-call@pbx' }) }, /403 Statement For Another Call/);
      await change({ type: 'mode', mode: 'whisper', seq: 3 }, /400 Missing Supervision Statement/);
      await expect(agent.page.locator('[data-testid="supervised-banner"]').getAttribute('data-mode')).resolves.toBe('listen');
      await expectSilent(customer, attackerTone);
      await expectSilent(agent, attackerTone);
      const rows = await audit();
      expect(rows.filter((r) => r.action === 'refusal').slice(-3).map((r) => r.mode)).toEqual(['barge', 'barge', 'whisper']);
    } finally {
      await hostileCall(attacker, 'hangup', leg);
      await expect.poll(() => agent.page.getByTestId('supervised-banner').count(), { timeout: 20_000 }).toBe(0);
    }
  });

  it('a flood of requests is refused while the call and the app carry on; the audit trail stays intact', async () => {
    const before = (await audit()).length;
    const junk = await sign('unenrolled', { mode: 'listen' });
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => invite(i % 2 ? attacker : stranger, [header(i % 3 ? `mode=listen;stmt=${junk}` : 'mode=listen;stmt=x')])));
    expect(outcomes.every((o) => o.status >= 400), outcomes.map((o) => o.status).join(',')).toBe(true);
    // Responsive: the agent can still mute and unmute the customer call.
    await agent.page.getByTestId('mute').click();
    await expectSilent(customer, tones.agent);
    await agent.page.getByTestId('mute').click();
    await expectHears(customer, tones.agent);
    await expect.poll(async () => (await audit()).slice(before).filter((r) => r.action === 'refusal').length, { timeout: 30_000 }).toBe(30);
    // The whole trail, checked from Settings → Organisation.
    await agent.page.getByTestId('open-settings').click();
    await agent.page.getByTestId('audit-verify').click();
    await expect.poll(() => agent.page.getByTestId('audit-result').getAttribute('data-state')).toBe('intact');
    await expect(agent.page.getByTestId('audit-result').textContent()).resolves.toMatch(/entries, chain intact/);
    await agent.page.keyboard.press('Escape');
  });
}

describe('hostile supervision requests through Kamailio (a proxy)', () => hostileSuite('kamailio'));
describe.skipIf(!asterisk.found)('hostile supervision requests through Asterisk (a B2BUA)', () => hostileSuite('asterisk'));
