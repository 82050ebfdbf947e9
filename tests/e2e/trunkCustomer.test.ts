import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Party } from '../support/browser';
import { useScenario } from '../support/scenario';
import { enrolAndPublish } from '../support/policy';
import { asterisk, freeswitch } from '../support/servers';
import { callCard, dial, expectHears, expectSilent, explainedOnFailure, resetParty, signIn, waitCallState, waitRegistered, wrapUp } from '../support/phoneDriver';
import type { PbxKind, PbxOptions } from '../../src/node/pbx';
import { findRtpEngine } from '../../src/node/rtpengine';
import { findBaresip, startTrunkCustomer, type TrunkCustomer } from '../../src/node/trunkCustomer';

// A customer from the phone network: a real SIP client nobody here wrote (baresip) on plain SIP/UDP
// with plain RTP G.711 (no ICE, no DTLS, no Opus), calling the agent's app and called by it, through
// each server: Kamailio bridging WebRTC and RTP through rtpengine, Asterisk bridging them itself.
// What the customer hears is baresip's decoded audio (a WAV), measured like the app's capture tap.

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw' };
const tones = { agent: 600, customer: 1000, supervisor: 1400 };
/** On G.711 a tone's quantization products sit on a 200 Hz grid: 2200 Hz is on the same grid as 1400 Hz, and used by no one. */
const referenceHz = 2200;
const heardDb = -40;
const silentDb = -60;

interface TrunkCase {
  kind: PbxKind;
  name: string;
  /** Why it cannot run here, or null. */
  skip: string | null;
  options: Omit<PbxOptions, 'accounts'>;
  /** App-mixed supervision with the customer on the trunk. */
  supervision: boolean;
}

const baresip = findBaresip();
const rtpengine = findRtpEngine();

// Adding a server is one line: its kind and its options for a plain RTP account on its sipUdpPort.
const cases: TrunkCase[] = [
  { kind: 'kamailio', name: 'Kamailio + rtpengine', skip: rtpengine.found ? null : rtpengine.reason, options: { rtpengine: true }, supervision: true },
  // No codec_opus in our Asterisk: the app's leg is G.711 like the trunk's, so Asterisk only relays.
  { kind: 'asterisk', name: 'Asterisk', skip: asterisk.found ? null : asterisk.reason, options: { plainRtpAccounts: ['2001'], codecs: ['ulaw', 'alaw'] }, supervision: true },
  // One sofia profile takes both WebSocket and plain UDP (sipUdpPort); FreeSWITCH anchors the media and
  // transcodes (the app's leg may be Opus, the trunk's G.711).
  { kind: 'freeswitch', name: 'FreeSWITCH', skip: freeswitch.found ? null : freeswitch.reason, options: { codecs: ['ulaw', 'alaw'] }, supervision: true },
];

/** Polls what the trunk customer heard at `hz` until `ok(level)`. */
async function customerLevel(customer: TrunkCustomer, hz: number, ok: (db: number) => boolean, what: string, timeout = 15_000): Promise<void> {
  let last = NaN;
  try {
    await expect.poll(async () => ok((last = (await customer.heardLevels([hz]))[hz])), { timeout, message: what }).toBe(true);
  } catch (e) {
    console.log(`${what}: last level ${last.toFixed(1)} dBFS; baresip said:\n${customer.log().slice(-3000)}`);
    throw e;
  }
}
const customerHears = (c: TrunkCustomer, hz: number) => customerLevel(c, hz, (db) => db > heardDb, `the trunk customer should hear ${hz} Hz`);
/** The customer's baresip accepts G.711 RTP for decoding at the full rate (64 kbit/s of payload; it counts over 3 s, so the poll is generous). */
async function customerReceives(customer: TrunkCustomer): Promise<void> {
  const since = Date.now();
  await expect
    .poll(() => Date.now() - since > 3500 && customer.receivedBitrate() >= 56_000, { timeout: 15_000, message: `the trunk customer should receive RTP (last ${customer.receivedBitrate()} bit/s)` })
    .toBe(true);
}
/** `below`: on G.711 the agent's tone puts quantization products on a 200 Hz grid near −52 dBFS (1400 Hz among them), so a tone beside another one is judged silent at −45. */
const customerSilent = (c: TrunkCustomer, hz: number, below = silentDb) => customerLevel(c, hz, (db) => db < below, `the trunk customer should not hear ${hz} Hz`);

for (const server of cases) {
  const title = `a PSTN-style customer (baresip, plain RTP G.711) and the agent's app through ${server.name}`;
  const skip = baresip.found ? server.skip : baresip.reason;
  if (skip) console.log(`skipped: "${title}": ${skip}`);
  describe.skipIf(skip !== null)(title, () => {
    // The app's people, each with a tone microphone; the customer is baresip, not a page.
    const appTones: Record<string, number> = server.supervision ? { agent: tones.agent, supervisor: tones.supervisor } : { agent: tones.agent };
    const scenario = useScenario<string>(accounts, appTones, server.kind, server.options);
    let agent: Party;
    let supervisor: Party | undefined;
    let customer: TrunkCustomer;
    const parties = () => [agent, ...(supervisor ? [supervisor] : [])];

    beforeAll(async () => {
      const p = scenario.party;
      agent = p.agent;
      supervisor = p.supervisor;
      const at = (ext: keyof typeof accounts, extra = {}) => ({ server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password: accounts[ext], ...extra });
      await signIn(agent.page, at('1001'));
      if (supervisor) await signIn(supervisor.page, at('1101', { role: 'supervisor' }));
      for (const party of parties()) await waitRegistered(party.page);
      if (supervisor) await enrolAndPublish(scenario.site, scenario.sip.domain, { '1101': supervisor.page });
      customer = await startTrunkCustomer({ server: scenario.sip, account: '2001', password: accounts['2001'], tone: tones.customer });
    });

    afterAll(async () => {
      await customer?.stop();
    });

    afterEach(async (ctx) => {
      if (process.env.WHISPERLINE_TRUNK_DUMP) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(`${process.env.WHISPERLINE_TRUNK_DUMP}-${server.kind}-customer.log`, customer?.log() ?? '');
        writeFileSync(`${process.env.WHISPERLINE_TRUNK_DUMP}-${server.kind}-server.log`, scenario.sip?.log() ?? '');
      }
      if (ctx.task.result?.state === 'fail') console.log(`the trunk customer's side:\n${customer?.log().slice(-4000)}\n--- server ---\n${scenario.sip?.log().slice(-6000)}`);
      for (const p of parties()) {
        for (const leave of await p.page.getByTestId('leave').all()) await leave.click().catch(() => undefined);
        await resetParty(p.page);
      }
      if (customer && !['idle', 'closed'].includes(customer.callState())) {
        await customer.hangup().catch(() => undefined);
        await customer.waitFor('closed').catch(() => undefined);
      }
    });

    const customerCallsAgent = async () => {
      await customer.dial('1001');
      await waitCallState(agent.page, 'ringing');
      await agent.page.getByTestId('answer').click();
      await customer.waitFor('established');
      await waitCallState(agent.page, 'active');
      await expectHears(agent, tones.customer);
      await customerHears(customer, tones.agent);
    };

    it('the customer calls the agent: each hears the other; hold silences both ways and resume restores them; the customer hangs up', async () => {
      await explainedOnFailure(parties(), async () => {
        await customerCallsAgent();
        await agent.page.getByTestId('hold').click();
        await waitCallState(agent.page, 'held');
        await expectSilent(agent, tones.customer);
        await customerSilent(customer, tones.agent);
        // Did the customer's recording survive the hold? Through a server that re-INVITEs the
        // customer on hold (Kamailio passes the app's a=sendonly on), baresip 1.0.0 drops its
        // decode dump for the rest of the call (a baresip bug, see recordingLost): the check above
        // then saw no audio at all, and what the customer hears after the resume is only visible
        // as the RTP it receives and decodes.
        const lost = customer.recordingLost();
        if (lost) expect(customer.log(), 'only baresip 1.0.0 is known to drop its recording on a hold').toMatch(/^baresip v1\.0\.0 /m);
        await agent.page.getByTestId('hold').click();
        await waitCallState(agent.page, 'active');
        await expectHears(agent, tones.customer);
        if (lost) {
          await customerReceives(customer);
          console.log(`${server.name}: after the hold the trunk customer (baresip 1.0.0) receives and decodes the agent's audio at ${customer.receivedBitrate()} bit/s; its decoded audio is no longer recorded (baresip 1.0.0 drops its receive filters on a hold re-INVITE), so the tone itself is not measured at the customer after the resume`);
        } else await customerHears(customer, tones.agent);
        await customer.hangup();
        await callCard(agent.page).waitFor({ state: 'detached', timeout: 20_000 });
        await wrapUp(agent.page);
      });
    });

    it("the agent hangs up: the customer's call ends", async () => {
      await explainedOnFailure(parties(), async () => {
        await customerCallsAgent();
        await agent.page.getByTestId('hangup').click();
        await customer.waitFor('closed');
        await wrapUp(agent.page);
      });
    });

    it('the agent calls the customer out: audio both ways, the customer mutes, the agent hangs up', async () => {
      await explainedOnFailure(parties(), async () => {
        await dial(agent.page, '2001');
        await customer.waitFor('incoming');
        await customer.answer();
        await customer.waitFor('established');
        await waitCallState(agent.page, 'active');
        await expectHears(agent, tones.customer);
        await customerHears(customer, tones.agent);
        await customer.mute(true);
        await expectSilent(agent, tones.customer);
        await customer.mute(false);
        await expectHears(agent, tones.customer);
        await agent.page.getByTestId('hangup').click();
        await customer.waitFor('closed');
        await wrapUp(agent.page);
      });
    });

    if (!server.supervision) return;

    it("supervision of the trunk customer's call: listen and whisper never reach the customer's recording; barge does", async () => {
      const sup = supervisor!;
      const setMode = async (mode: 'listen' | 'whisper' | 'barge') => {
        await sup.page.getByTestId(`mode-${mode}`).click();
        await sup.page.locator(`[data-testid="supervision"][data-mode="${mode}"]`).waitFor();
        await agent.page.locator(`[data-testid="supervised-banner"][data-mode="${mode}"]`).waitFor();
      };
      /** What the customer heard over the next 1.5 s at the supervisor's tone, against an unused frequency on the same G.711 grid. */
      const leak = async () => {
        await new Promise((r) => setTimeout(r, 1600));
        const a = await customer.heard([tones.supervisor, referenceHz, tones.agent], 1500);
        return { sup: a.tones[tones.supervisor].median, ref: a.tones[referenceHz].median, agent: a.tones[tones.agent].median, loudest: a.tones[tones.supervisor].max };
      };
      const report: string[] = [];
      await explainedOnFailure(parties(), async () => {
        await customerCallsAgent();
        const before = await leak();
        report.push(`before join: customer hears agent ${before.agent.toFixed(1)}, at ${tones.supervisor} Hz ${before.sup.toFixed(1)} (ref ${referenceHz} Hz ${before.ref.toFixed(1)})`);
        await sup.page.getByTestId('supervise-target').fill('1001');
        await sup.page.getByTestId('supervise-listen').click();
        await sup.page.locator('[data-testid="supervision"][data-state="active"]').waitFor();
        await agent.page.locator('[data-testid="supervised-banner"][data-mode="listen"]').waitFor();
        for (const mode of ['listen', 'whisper', 'barge', 'whisper', 'listen'] as const) {
          if (mode !== 'listen' || report.length > 1) await setMode(mode);
          await expectHears(agent, tones.customer);
          await expectHears(sup, tones.customer);
          await expectHears(sup, tones.agent);
          await customerHears(customer, tones.agent);
          if (mode === 'listen') await expectSilent(agent, tones.supervisor);
          else await expectHears(agent, tones.supervisor);
          if (mode === 'barge') {
            await customerHears(customer, tones.supervisor);
            // Steadily, not a moment: the supervisor's tone is continuous, so the median of every
            // ≈32 ms frame over the next 1.5 s windows is the level the customer hears.
            for (let i = 0; i < 3; i++) {
              const b = await leak();
              report.push(`barge: customer hears the supervisor ${b.sup.toFixed(1)} (loudest frame ${b.loudest.toFixed(1)}), agent ${b.agent.toFixed(1)}`);
              expect(b.sup, `the customer's steady level of the supervisor's tone in barge (window ${i + 1})`).toBeGreaterThan(heardDb);
              expect(b.agent, `the customer's steady level of the agent's tone in barge (window ${i + 1})`).toBeGreaterThan(heardDb);
            }
            continue;
          }
          await customerSilent(customer, tones.supervisor, -45);
          const l = await leak();
          report.push(`${mode}: customer hears agent ${l.agent.toFixed(1)}, at ${tones.supervisor} Hz ${l.sup.toFixed(1)} (loudest frame ${l.loudest.toFixed(1)}; ref ${referenceHz} Hz ${l.ref.toFixed(1)})`);
          const limit = Math.max(Math.max(l.ref, -100) + 10, before.sup + 6);
          expect(l.sup, `the customer's level at the supervisor's tone in ${mode}`).toBeLessThan(limit);
        }
        await sup.page.getByTestId('leave').click();
        await customer.hangup();
        await callCard(agent.page).waitFor({ state: 'detached', timeout: 20_000 });
        await wrapUp(agent.page);
      }).finally(() => console.log([`Trunk customer's recording under supervision (${server.name}, dBFS):`, ...report].join('\n  ')));
    });
  });
}
