import { afterAll, beforeAll, expect, it } from 'vitest';
import { toneLevelDb } from '../../src/shared/goertzel';
import { analyzeTones } from '../../src/shared/toneAnalysis';
import { parseWav } from '../../src/shared/recording/wav';
import type { RecordingDetail, TimelineKind, TrackName } from '../../src/shared/recording/types';
import { dial, expectHears, expectSilent, explainedOnFailure, heardDb, resetParty, signIn, waitCallState, waitRegistered } from '../support/phoneDriver';
import { enrolAndPublish } from '../support/policy';
import { useScenario } from '../support/scenario';
import { describeEachServer, type ServerCase } from '../support/servers';

// A supervised call recorded by the agent's app, one track per party, proven by tones: the agent
// speaks 600 Hz, the customer 1000 Hz, the supervisor 1400 Hz. The customer track never holds the
// whisper, the coaching track holds exactly the whisper, a PCI pause leaves silence where the tone
// was; with the policy's "drop coaching track" no supervisor track reaches the disk; and a renderer
// killed mid-call leaves files that play.

const accounts = { '1001': 'agent-pw', '2001': 'customer-pw', '1101': 'supervisor-pw' };
const tones = { agent: 600, customer: 1000, supervisor: 1400 };
const all = [tones.agent, tones.customer, tones.supervisor];

interface TrackAudio {
  rate: number;
  samples: Float32Array;
}

function recordingSuite(server: ServerCase) {
  const scenario = useScenario(accounts, tones, server.kind);
  // A G.711 leg puts a tone's quantisation products near −52 dBFS (see expectSilent).
  const silent = server.kind === 'asterisk' ? -45 : -55;
  const report: string[] = [];
  const store = () => scenario.rig.recordings.store;
  const as = (ext: keyof typeof accounts, role?: 'supervisor') => {
    const p = ext === '1001' ? scenario.party.agent : ext === '2001' ? scenario.party.customer : scenario.party.supervisor;
    return signIn(p.page, { server: scenario.sip.wsUrl, domain: scenario.sip.domain, extension: ext, password: accounts[ext], ...(role ? { role } : {}) });
  };
  const publish = (coachingTrack: 'with-call' | 'never') =>
    enrolAndPublish(scenario.site, scenario.sip.domain, { '1101': scenario.party.supervisor.page }, {}, [scenario.party.agent.page], (input) => {
      input.recording = { calls: '*', coachingTrack, retentionDays: 30, pciPause: true, notifyAgent: true };
    });

  const customerCallsAgent = async () => {
    const { agent, customer, supervisor } = scenario.party;
    for (const p of [agent, customer, supervisor]) await resetParty(p.page);
    await dial(customer.page, '1001');
    await waitCallState(agent.page, 'ringing');
    await agent.page.getByTestId('answer').click();
    await expectHears(agent, tones.customer);
    await expectHears(customer, tones.agent);
    await agent.page.locator('[data-testid="recording"][data-state="recording"]').waitFor({ timeout: 20_000 });
  };
  const setMode = async (mode: 'listen' | 'whisper') => {
    const { agent, supervisor } = scenario.party;
    await supervisor.page.getByTestId(`mode-${mode}`).click();
    await supervisor.page.locator(`[data-testid="supervision"][data-mode="${mode}"]`).waitFor();
    await agent.page.locator(`[data-testid="supervised-banner"][data-mode="${mode}"]`).waitFor();
  };
  const join = async () => {
    const { agent, supervisor } = scenario.party;
    await supervisor.page.getByTestId('supervise-target').fill('1001');
    await supervisor.page.getByTestId('supervise-listen').click();
    await supervisor.page.locator('[data-testid="supervision"][data-state="active"]').waitFor();
    await agent.page.locator('[data-testid="supervised-banner"][data-mode="listen"]').waitFor();
    await expectHears(supervisor, tones.customer);
  };
  /** Audio that exists only as time passing on a live call (what the tracks must then hold). */
  const talk = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const newest = async (before: number): Promise<RecordingDetail> => {
    await expect.poll(async () => (await store().list()).length, { timeout: 20_000 }).toBeGreaterThan(before);
    const id = (await store().list())[0].meta.id;
    await expect.poll(async () => (await store().read(id))?.endedAt ?? null, { timeout: 30_000, message: 'the recording is closed when the call ends' }).not.toBeNull();
    return (await store().read(id))!;
  };
  const track = async (id: string, name: TrackName): Promise<TrackAudio> => {
    const bytes = await store().trackFile(id, name);
    expect(bytes, `${name} track on disk`).not.toBeNull();
    const wav = parseWav(bytes!);
    if (!('samples' in wav)) throw new Error(`${name}.wav does not parse: ${JSON.stringify(wav)}`);
    return { rate: wav.sampleRate, samples: Float32Array.from(wav.samples, (v) => v / 32768) };
  };
  /** Tone levels of a track between two moments of the recording (ms). */
  const levels = (t: TrackAudio, fromMs: number, toMs: number) => {
    const a = Math.max(0, Math.round((fromMs / 1000) * t.rate));
    const b = Math.min(t.samples.length, Math.round((toMs / 1000) * t.rate));
    return analyzeTones(t.samples.subarray(a, b), t.rate, all, 512);
  };
  /**
   * The loudest frame in which `hz` sounds as a tone: 20 dB above the spectrum 150 Hz either side.
   * A leaked voice is a tone there; a click (a tone's onset, a jitter-buffer glitch) is broadband and
   * lifts the neighbours as much, so it is not counted as the supervisor's voice.
   */
  const tonalMax = (t: TrackAudio, hz: number, fromMs: number, toMs: number) => {
    const n = 512;
    let loudest = -Infinity;
    const a = Math.max(0, Math.round((fromMs / 1000) * t.rate));
    const b = Math.min(t.samples.length, Math.round((toMs / 1000) * t.rate));
    for (let i = a; i + n <= b; i += n >> 1) {
      const frame = t.samples.subarray(i, i + n);
      const level = toneLevelDb(frame, t.rate, hz);
      const around = Math.max(toneLevelDb(frame, t.rate, hz - 150), toneLevelDb(frame, t.rate, hz + 150));
      if (level - around > 20) loudest = Math.max(loudest, level);
    }
    return loudest;
  };
  const at = (d: RecordingDetail, kind: TimelineKind, detail?: string) => {
    const e = d.timeline.find((x) => x.kind === kind && (detail === undefined || x.detail === detail));
    expect(e, `timeline has ${kind}${detail ? ` ${detail}` : ''}: ${JSON.stringify(d.timeline)}`).toBeDefined();
    return e!.atMs;
  };

  beforeAll(async () => {
    const { agent, customer, supervisor } = scenario.party;
    await as('1101', 'supervisor');
    await as('1001');
    await as('2001');
    for (const p of [agent, customer, supervisor]) await waitRegistered(p.page);
    await publish('with-call');
  });

  afterAll(() => {
    if (report.length) console.log(`[${server.name}] recording, tone levels per track (dBFS):\n${report.join('\n')}`);
  });

  it('records a supervised call as three tracks: the customer track never holds the whisper, the coaching track holds exactly the whisper, a PCI pause is silence', async () => {
    const { agent, customer, supervisor } = scenario.party;
    const before = (await store().list()).length;
    await explainedOnFailure([agent, customer, supervisor], async () => {
      await customerCallsAgent();
      await join();
      // The supervisor is told the call is recorded, and of the PCI pause below.
      await supervisor.page.locator('[data-testid="agent-recording"][data-state="recording"]').waitFor();
      await talk(1500);
      await setMode('whisper');
      await expectHears(agent, tones.supervisor);
      await expectSilent(customer, tones.supervisor);
      await talk(2500);
      await setMode('listen');
      await expectSilent(agent, tones.supervisor);
      await talk(1000);
      await agent.page.getByTestId('recording-pause').click();
      await agent.page.locator('[data-testid="recording"][data-state="paused"]').waitFor();
      await supervisor.page.locator('[data-testid="agent-recording"][data-state="paused"]').waitFor();
      await talk(2500);
      await agent.page.getByTestId('recording-pause').click();
      await agent.page.locator('[data-testid="recording"][data-state="recording"]').waitFor();
      await talk(1500);
      await supervisor.page.getByTestId('leave').click();
      await agent.page.getByTestId('hangup').click();
    });
    const d = await newest(before);
    expect(d.meta.tracks).toEqual(['customer', 'agent', 'supervisor']);
    const kinds = d.timeline.map((e) => e.kind);
    for (const k of ['recording-started', 'supervisor-joined', 'mode-changed', 'recording-paused', 'recording-resumed', 'ended'] as const) expect(kinds, JSON.stringify(d.timeline)).toContain(k);
    const whisperAt = at(d, 'mode-changed', 'whisper');
    const listenAt = d.timeline.find((e) => e.kind === 'mode-changed' && e.detail === 'listen' && e.atMs > whisperAt)?.atMs ?? NaN;
    const pausedAt = at(d, 'recording-paused');
    const resumedAt = at(d, 'recording-resumed');
    const endAt = at(d, 'ended');
    expect(whisperAt < listenAt && listenAt < pausedAt && pausedAt < resumedAt && resumedAt < endAt, JSON.stringify(d.timeline)).toBe(true);
    const [cust, ag, sup] = await Promise.all((['customer', 'agent', 'supervisor'] as const).map((n) => track(d.meta.id, n)));
    // The three files hold the same span: one clock.
    expect(new Set([cust.samples.length, ag.samples.length, sup.samples.length]).size).toBe(1);
    expect(cust.samples.length / cust.rate).toBeGreaterThan((endAt - 500) / 1000);

    const joinedAt = at(d, 'supervisor-joined');
    const whisper = { cust: levels(cust, whisperAt + 300, listenAt - 300), sup: levels(sup, whisperAt + 300, listenAt - 300), ag: levels(ag, whisperAt + 300, listenAt - 300) };
    const outside = [levels(sup, 0, whisperAt - 300), levels(sup, listenAt + 400, endAt)];
    const whole = { cust: levels(cust, 0, endAt), ag: levels(ag, 0, endAt) };
    const paused = [cust, ag, sup].map((t) => levels(t, pausedAt + 150, resumedAt - 150));
    const beforePause = levels(cust, pausedAt - 900, pausedAt - 150);
    report.push(
      `| track | window | ${all.map((f) => `${f} Hz median / loudest`).join(' | ')} |`,
      `|---|---|${all.map(() => '---|').join('')}`,
      ...([
        ['customer', 'whole call', whole.cust],
        ['agent', 'whole call', whole.ag],
        ['supervisor', 'whisper', whisper.sup],
        ['supervisor', 'outside whisper', outside[0]],
        ['customer', 'PCI pause', paused[0]],
        ['customer', 'before the pause', beforePause],
      ] as const).map(([t, w, l]) => `| ${t} | ${w} | ${all.map((f) => `${l.tones[f].median.toFixed(0)} / ${l.tones[f].max.toFixed(0)}`).join(' | ')} |`),
      `loudest frame with ${tones.supervisor} Hz as a tone: customer track ${tonalMax(cust, tones.supervisor, 0, endAt).toFixed(0)}, agent track ${tonalMax(ag, tones.supervisor, 0, endAt).toFixed(0)}`,
    );
    // Customer track: the customer throughout, never the supervisor's voice (not in one frame).
    expect(whisper.cust.tones[tones.customer].median, 'customer track holds the customer during the whisper').toBeGreaterThan(heardDb);
    expect(whisper.cust.tones[tones.supervisor].median, 'customer track during the whisper').toBeLessThan(silent);
    expect(tonalMax(cust, tones.supervisor, 0, endAt), 'customer track never holds the whisper').toBeLessThan(silent);
    // Agent track: the agent, never the supervisor.
    expect(whisper.ag.tones[tones.agent].median).toBeGreaterThan(heardDb);
    expect(tonalMax(ag, tones.supervisor, 0, endAt), 'agent track never holds the whisper').toBeLessThan(silent);
    // Coaching track: the whisper, and nothing at any other time. What the supervisor's leg carried
    // besides the voice (a codec's or echo canceller's residue of what the supervisor heard) is
    // at least 40 dB under it.
    expect(whisper.sup.tones[tones.supervisor].median, 'coaching track holds the whisper').toBeGreaterThan(heardDb);
    for (const o of outside) expect(o.rms.max, 'coaching track outside the whisper is silent').toBeLessThan(-70);
    for (const f of [tones.customer, tones.agent]) expect(whisper.sup.tones[f].median, `coaching track: ${f} Hz under the whisper`).toBeLessThan(whisper.sup.tones[tones.supervisor].median - 40);
    expect(joinedAt).toBeLessThan(whisperAt);
    // PCI pause: silence where the tone was, no gap (the files' length already showed no time is missing).
    expect(beforePause.tones[tones.customer].median).toBeGreaterThan(heardDb);
    for (const p of paused) expect(p.rms.max, 'a PCI pause records silence').toBeLessThan(-70);
  }, 180_000);

  it('with the policy’s "drop coaching track", a supervised call leaves no supervisor track on disk', async () => {
    const { agent, customer, supervisor } = scenario.party;
    await publish('never');
    const before = (await store().list()).length;
    await explainedOnFailure([agent, customer, supervisor], async () => {
      await customerCallsAgent();
      await join();
      await setMode('whisper');
      await expectHears(agent, tones.supervisor);
      await talk(1500);
      await supervisor.page.getByTestId('leave').click();
      await agent.page.getByTestId('hangup').click();
    });
    const d = await newest(before);
    expect(d.meta.tracks).toEqual(['customer', 'agent']);
    expect(d.tracks.map((t) => t.name)).toEqual(['customer', 'agent']);
    const files = await listFiles(scenario.rig.recordings.dir);
    expect(files.filter((f) => f.includes(d.meta.id) && /supervisor/.test(f)), files.join('\n')).toEqual([]);
    expect(await store().trackFile(d.meta.id, 'supervisor')).toBeNull();
    const ag = await track(d.meta.id, 'agent');
    expect(tonalMax(ag, tones.supervisor, 0, (ag.samples.length / ag.rate) * 1000), 'agent track never holds the whisper').toBeLessThan(silent);
  }, 120_000);

  it('a recording that cannot be written (the disk fills mid-call) stops: the call goes on, agent and supervisor are told once, what was written plays', async () => {
    const { agent, customer, supervisor } = scenario.party;
    await publish('with-call');
    const before = (await store().list()).length;
    const told = async (p: typeof agent) => (await p.page.getByTestId('notice').allTextContents()).filter((t) => /no longer being recorded/.test(t));
    let id = '';
    try {
      await explainedOnFailure([agent, customer, supervisor], async () => {
        await customerCallsAgent();
        await join();
        await supervisor.page.locator('[data-testid="agent-recording"][data-state="recording"]').waitFor();
        await expect.poll(async () => (await store().list()).length).toBeGreaterThan(before);
        id = (await store().list())[0].meta.id;
        // Every track (not just the one the store is writing now: a chunk goes to the tracks in turn,
        // and a failed chunk takes the ones already written back to where it began).
        const shortestTrackMs = async () => Math.min(...((await store().read(id))?.tracks.map((t) => t.durationMs) ?? [0]));
        await expect.poll(shortestTrackMs, { message: 'two seconds on disk before the disk fills' }).toBeGreaterThan(2000);
        scenario.rig.recordings.failWrites('ENOSPC');
        await agent.page.locator('[data-testid="recording"][data-state="failed"]').waitFor({ timeout: 20_000 });
        await supervisor.page.locator('[data-testid="agent-recording"][data-state="failed"]').waitFor();
        await expect.poll(() => told(agent)).toHaveLength(1);
        expect((await told(agent))[0]).toMatch(/disk is full/);
        await expect.poll(() => told(supervisor)).toHaveLength(1);
        // The call goes on, both ways, and nobody is told again as time passes.
        await talk(3000);
        await expectHears(agent, tones.customer);
        await expectHears(customer, tones.agent);
        await expectHears(supervisor, tones.customer);
        expect(await told(agent)).toHaveLength(1);
        expect(await told(supervisor)).toHaveLength(1);
        expect(await agent.page.getByTestId('call').count()).toBeGreaterThan(0);
      });
    } finally {
      scenario.rig.recordings.failWrites(null);
    }
    await supervisor.page.getByTestId('leave').click();
    await agent.page.getByTestId('hangup').click();
    const d = (await store().read(id))!;
    expect(d.durationMs).toBeGreaterThan(2000);
    for (const name of ['customer', 'agent'] as const) {
      const t = await track(id, name);
      const l = levels(t, 500, (t.samples.length / t.rate) * 1000);
      expect(l.tones[name === 'customer' ? tones.customer : tones.agent].median, `${name} track written before the disk filled`).toBeGreaterThan(heardDb);
    }
  }, 120_000);

  it('the agent’s app killed mid-call leaves tracks that play, missing at most the last seconds', async () => {
    const { agent } = scenario.party;
    await publish('with-call');
    const before = (await store().list()).length;
    await customerCallsAgent();
    await expect.poll(async () => (await store().list()).length, { timeout: 20_000 }).toBeGreaterThan(before);
    const id = (await store().list())[0].meta.id;
    const startedAt = Date.parse((await store().list())[0].meta.startedAt);
    await talk(5000);
    // The renderer dies as under kill -9: nothing runs to close the recording.
    const killedAt = Date.now();
    const cdp = await agent.context.newCDPSession(agent.page);
    const crashed = new Promise((r) => agent.page.once('crash', r));
    // Page.crash never answers (the page is gone): its end is the page's crash event.
    void cdp.send('Page.crash').catch(() => undefined);
    await crashed;
    const d = (await store().read(id))!;
    expect(d.endedAt).toBeNull();
    const recorded = d.durationMs / 1000;
    const lived = (killedAt - startedAt) / 1000;
    report.push(`kill: ${lived.toFixed(1)} s of call before the kill, ${recorded.toFixed(1)} s on disk: ${(lived - recorded).toFixed(1)} s lost`);
    expect(lived - recorded, 'seconds lost at the kill').toBeLessThan(3.5);
    // Both tracks measured before either is judged: a failure then says what each holds.
    const held = await Promise.all(
      (['customer', 'agent'] as const).map(async (name) => {
        const t = await track(id, name);
        const seconds = t.samples.length / t.rate;
        const tone = levels(t, 1000, seconds * 1000).tones[name === 'customer' ? tones.customer : tones.agent];
        return { name, seconds, median: tone.median, loudest: tone.max };
      }),
    );
    const what = held.map((h) => `${h.name} track ${h.seconds.toFixed(1)} s, its tone median ${h.median.toFixed(1)} / loudest ${h.loudest.toFixed(1)} dBFS`).join('; ');
    for (const h of held) {
      expect(h.seconds, `${h.name} track's length after the kill, of ${lived.toFixed(1)} s lived (${what})`).toBeGreaterThan(lived - 3.5);
      expect(h.median, `${h.name} track after the kill (${what})`).toBeGreaterThan(heardDb);
    }
  }, 120_000);
}

async function listFiles(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}

describeEachServer((s) => `a supervised call recorded with separate tracks, through ${s.name}`, recordingSuite);
