// Side by side on the same Asterisk: Whisperline's app-mixed supervision vs Asterisk ChanSpy, driven
// through the same supervisor buttons. Each path gets its own Asterisk (G.711: ChanSpy has to
// decode the call) and its own browser parties.
import { findAsterisk } from '../src/node/asteriskServer';
import { startPbx } from '../src/node/pbx';
import type { PbxProfileId } from '../src/shared/pbx/profiles';
import { startRig } from '../tests/support/browser';
import { enrolAndPublish } from '../tests/support/policy';
import { dial, signIn, waitCallState, waitRegistered } from '../src/node/appDriver';
import { firstHeard, joinSamples, oneWayLatency, stats, switchSamples } from './benchAudio';

const tones = { agent: 600, customer: 1000, supervisor: 1400 };
const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw' };

type Measures = Record<'customerToAgentMs' | 'supervisorToAgentMs' | 'joinMs' | 'switchToWhisperMs', number[]>;

async function measurePath(profile: PbxProfileId, samples: number): Promise<Measures> {
  const sip = await startPbx('asterisk', { accounts, codecs: ['ulaw', 'alaw'] });
  const rig = await startRig();
  const m: Measures = { customerToAgentMs: [], supervisorToAgentMs: [], joinMs: [], switchToWhisperMs: [] };
  try {
    const [agent, customer, supervisor] = [await rig.party('agent', tones.agent), await rig.party('customer', tones.customer), await rig.party('supervisor', tones.supervisor)];
    const at = { server: sip.wsUrl, domain: sip.domain };
    await signIn(agent.page, { ...at, extension: '1001', password: accounts['1001'] });
    await signIn(customer.page, { ...at, extension: '2001', password: accounts['2001'] });
    await signIn(supervisor.page, { ...at, extension: '1101', password: accounts['1101'], role: 'supervisor', pbxProfile: profile });
    for (const p of [agent, customer, supervisor]) await waitRegistered(p.page);
    if (profile === 'app-mixed') await enrolAndPublish(rig.site, sip.domain, { '1101': supervisor.page });
    await dial(customer.page, '1001');
    await waitCallState(agent.page, 'ringing');
    await agent.page.getByTestId('answer').click();
    await firstHeard(agent.page, tones.customer);
    m.joinMs = await joinSamples(supervisor.page, tones.customer, samples);
    m.switchToWhisperMs = await switchSamples(supervisor.page, agent.page, tones.supervisor, samples);
    for (let i = 0; i < samples; i++) {
      m.customerToAgentMs.push(await oneWayLatency(customer.page, agent.page, tones.customer));
      m.supervisorToAgentMs.push(await oneWayLatency(supervisor.page, agent.page, tones.supervisor));
    }
  } finally {
    await rig.close();
    await sip.stop();
  }
  return m;
}

/** The comparison as JSON and as a markdown section; a clear "skipped" where no Asterisk is found. */
export async function comparePathsOnAsterisk(samples: number): Promise<{ json: unknown; md: string[] }> {
  const install = findAsterisk();
  const head = ['## Supervision paths on the same Asterisk 22 (B2BUA, media anchored, G.711)', ''];
  if (!install.found) return { json: { skipped: install.reason }, md: [...head, `Skipped: ${install.reason}.`, ''] };
  const paths: Array<[string, PbxProfileId]> = [
    ['app-mixed (Whisperline)', 'app-mixed'],
    ['ChanSpy (PBX feature code)', 'asterisk-chanspy'],
  ];
  const results: Record<string, Record<string, ReturnType<typeof stats>>> = {};
  for (const [label, profile] of paths) {
    try {
      const m = await measurePath(profile, samples);
      results[label] = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, stats(v)]));
    } catch (e) {
      results[label] = {};
      console.error(`[bench] ${label} on Asterisk failed: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const cell = (label: string, key: string) => results[label]?.[key]?.median ?? 'failed';
  const ratio = (label: string) => {
    const r = results[label];
    return r?.supervisorToAgentMs && r.customerToAgentMs ? (r.supervisorToAgentMs.median / r.customerToAgentMs.median).toFixed(2) : '–';
  };
  const rows = paths.map(([label]) => `| ${label} | ${cell(label, 'customerToAgentMs')} | ${cell(label, 'supervisorToAgentMs')} | ${ratio(label)} | ${cell(label, 'joinMs')} | ${cell(label, 'switchToWhisperMs')} |`);
  return {
    json: results,
    md: [
      ...head,
      `Medians of ${samples} samples (ms). Join: click Listen → the supervisor hears the customer (ChanSpy: the code is dialled). Switch: click Whisper → the agent hears the supervisor (ChanSpy: DTMF 5).`,
      '',
      '| path | customer → agent | supervisor (whisper) → agent | ratio | join | switch to whisper |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ],
  };
}
