import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { RecordingMeta, TimelineEvent, TrackName } from '../../src/shared/recording/types';
import { signIn, waitRegistered } from '../support/phoneDriver';
import { useScenario } from '../support/scenario';

// The QA player as a supervisor uses it, on a recording seeded straight into the store the web
// build's server reads (no live call): 12 s of three tracks told apart by tone (customer 1000 Hz,
// agent 600 Hz, the coaching track 1400 Hz only while the supervisor whispered), a PCI pause of
// silence on every track, and the timeline a supervised call leaves. What a reviewer would notice:
// three waveforms drawn from their own tracks, the markers listed and on the waveform, a marker
// jumps there, mute and solo change what is heard, the speed applies, the pause is shaded, and a
// comment at the current time is kept.

const accounts = { '1101': 'supervisor-pw' };
const tones = { supervisor: 1400 };
// The README's picture is rewritten only when asked, so `npm test` leaves the working tree as it found it.
const screenshots = join(process.cwd(), process.env.WHISPERLINE_UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots');

const rate = 16_000;
const durationMs = 12_000;
const whisperMs = [3_000, 6_000] as const;
const pauseMs = [8_000, 9_500] as const;
const trackHz = { customer: 1000, agent: 600, supervisor: 1400 } as const;
const trackOrder: TrackName[] = ['customer', 'agent', 'supervisor'];
const id = 'qa-player-seeded-0001';
const otherId = 'qa-player-seeded-0000';

/** The timeline a supervised call leaves; times on the tracks' clock. */
const timeline = (agent: string, supervisor: string): TimelineEvent[] => [
  { atMs: 0, kind: 'recording-started' },
  { atMs: 1_200, kind: 'supervisor-joined', detail: supervisor },
  { atMs: whisperMs[0], kind: 'mode-changed', detail: 'whisper' },
  { atMs: 4_500, kind: 'prompt', detail: 'Offer the loyalty discount' },
  { atMs: whisperMs[1], kind: 'mode-changed', detail: 'listen' },
  { atMs: pauseMs[0], kind: 'recording-paused', detail: `by ${agent}` },
  { atMs: pauseMs[1], kind: 'recording-resumed', detail: `by ${agent}` },
  { atMs: durationMs, kind: 'ended' },
];
/** What the player lists for that timeline: kind, time, chip text. */
const expectedMarkers = [
  ['recording-started', 0, '0:00 start'],
  ['supervisor-joined', 1_200, '0:01 joined'],
  ['mode-changed', 3_000, '0:03 whisper'],
  ['prompt', 4_500, '0:04 prompt'],
  ['mode-changed', 6_000, '0:06 listen'],
  ['recording-paused', 8_000, '0:08 paused'],
  ['recording-resumed', 9_500, '0:09 rec resumed'],
  ['ended', 12_000, '0:12 ended'],
];

/**
 * One sample of a track at time t (s): its tone under a slow syllable-like swell (so the waveform
 * looks like speech, never dropping below a third), silence in the PCI pause, and the coaching
 * track only during the whisper; 10 ms fades at every edge so no click shows.
 */
function sample(track: TrackName, t: number, phase: number): number {
  const ms = t * 1000;
  const edge = (a: number, b: number) => Math.max(0, Math.min(1, (ms - a) / 10, (b - ms) / 10));
  let gain = ms >= pauseMs[0] && ms < pauseMs[1] ? 0 : 1 - edge(pauseMs[0], pauseMs[1]);
  if (track === 'supervisor') gain *= edge(whisperMs[0], whisperMs[1]);
  const swell = 0.35 + 0.65 * Math.abs(Math.sin(Math.PI * t * (track === 'agent' ? 1.7 : 2.3) + phase)) ** 1.5;
  return 0.3 * gain * swell * Math.sin(2 * Math.PI * trackHz[track] * t);
}

/** One chunk as the app sends it: `frames` frames of every track, track after track, 16-bit LE. */
function chunk(tracks: readonly TrackName[], from: number, frames: number): Uint8Array {
  const pcm = new Uint8Array(frames * 2 * tracks.length);
  const view = new DataView(pcm.buffer);
  tracks.forEach((track, i) => {
    for (let f = 0; f < frames; f++) {
      const v = sample(track, (from + f) / rate, i * 0.9);
      view.setInt16((i * frames + f) * 2, Math.round(Math.max(-1, Math.min(1, v)) * 32767), true);
    }
  });
  return pcm;
}

const scenario = useScenario(accounts, tones);
let page: Page;
let author: string;

async function seed(meta: RecordingMeta, events: TimelineEvent[], ms: number): Promise<void> {
  const store = scenario.rig.recordings.store;
  const ok = (r: { ok: boolean; reason?: string }) => expect(r, JSON.stringify(r)).toEqual({ ok: true });
  ok(await store.start(meta));
  // One-second chunks, as the agent's app writes them.
  for (let seq = 0; seq < ms / 1000; seq++) ok(await store.append(meta.id, { seq, frames: rate, pcm: chunk(meta.tracks, seq * rate, rate) }));
  for (const ev of events) ok(await store.event(meta.id, ev));
  ok(await store.end(meta.id, { endedAt: new Date(Date.parse(meta.startedAt) + ms).toISOString() }));
}

beforeAll(async () => {
  page = scenario.party.supervisor.page;
  const domain = scenario.sip.domain;
  author = `1101@${domain}`;
  const agent = `1001@${domain}`;
  const base = { direction: 'inbound', sampleRate: rate, coachingStorage: 'with-call', retentionDays: 30, coachingRetentionDays: 0, agentNotified: true } as const;
  // An older, unsupervised call first: the reviewer has to pick the right one.
  await seed({ ...base, id: otherId, callId: 'older-call@test', agent, remote: '2002', startedAt: new Date(Date.now() - 3_600_000).toISOString(), tracks: ['customer', 'agent'] }, [{ atMs: 0, kind: 'recording-started' }, { atMs: 3_000, kind: 'ended' }], 3_000);
  await seed({ ...base, id, callId: 'seeded-call@test', agent, remote: '2001', startedAt: new Date().toISOString(), tracks: trackOrder }, timeline(agent, author), durationMs);
  // A window where the whole player fits, with room below the comment box.
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, { server: scenario.sip.wsUrl, domain, extension: '1101', password: accounts['1101'], role: 'supervisor' });
  await waitRegistered(page);
});

const dialog = () => page.getByTestId('recordings-dialog');
const player = () => page.locator(`[data-testid="player"][data-id="${id}"]`);
const track = (name: TrackName) => page.getByTestId(`track-${name}`);
const positionMs = async () => Number(await page.getByTestId('player-position').getAttribute('data-ms'));

/** What each track's media element would play: volume, muted, rate, position. */
function media(name: TrackName) {
  return track(name)
    .locator('audio')
    .evaluate((a: HTMLAudioElement) => ({ volume: a.volume, muted: a.muted, rate: a.playbackRate, at: a.currentTime, paused: a.paused }));
}
const volumes = async () => Object.fromEntries(await Promise.all(trackOrder.map(async (t) => [t, (await media(t)).volume] as const)));

/**
 * How much of the waveform's height is inked in each tenth of a second of the recording (0..1),
 * read from the track's canvases (wavesurfer draws in its own shadow root).
 */
function inkPerTenth(name: TrackName): Promise<number[]> {
  return track(name).evaluate((box, bins) => {
    const root = [...box.children].find((c) => c.shadowRoot)?.shadowRoot;
    const wrapper = root?.querySelector('.wrapper')?.getBoundingClientRect();
    const out = new Array<number>(bins).fill(0);
    if (!root || !wrapper || wrapper.width === 0) return out;
    for (const canvas of root.querySelectorAll<HTMLCanvasElement>('.canvases canvas')) {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
      const rect = canvas.getBoundingClientRect();
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      for (let x = 0; x < canvas.width; x++) {
        let inked = 0;
        for (let y = 0; y < canvas.height; y++) if (data[(y * canvas.width + x) * 4 + 3] > 32) inked++;
        const at = (rect.left + ((x + 0.5) * rect.width) / canvas.width - wrapper.left) / wrapper.width;
        const bin = Math.min(bins - 1, Math.max(0, Math.floor(at * bins)));
        out[bin] = Math.max(out[bin], inked / canvas.height);
      }
    }
    return out;
  }, durationMs / 100);
}
/** The lowest and highest ink in [fromMs, toMs). */
const inkBetween = (ink: number[], fromMs: number, toMs: number) => {
  const part = ink.slice(Math.round(fromMs / 100), Math.round(toMs / 100));
  return { min: Math.min(...part), max: Math.max(...part) };
};

/** Where an element inside a track's waveform sits, as a share of the waveform's width. */
async function spanOnWave(name: TrackName, el: Locator): Promise<{ from: number; to: number }> {
  const wave = await track(name).boundingBox();
  const box = await el.boundingBox();
  if (!wave || !box) throw new Error(`not laid out: ${name}`);
  return { from: (box.x - wave.x) / wave.width, to: (box.x + box.width - wave.x) / wave.width };
}

async function openRecording(): Promise<void> {
  await page.getByTestId('open-recordings').click();
  const row = page.locator(`[data-testid="recording-row"][data-id="${id}"]`);
  await row.waitFor();
  // Newest first: the seeded supervised call above the older one.
  await expect.poll(() => page.getByTestId('recording-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual([id, otherId]);
  await row.click();
  await player().waitFor();
  for (const t of trackOrder) {
    await expect.poll(() => track(t).getAttribute('data-state'), { timeout: 30_000, message: `the ${t} track loads` }).not.toBe('loading');
    // A track that failed says why (the app's CSP once refused wavesurfer's fetch of a blob: URL).
    expect(await track(t).getAttribute('data-state'), `${t}: ${await page.getByTestId(`track-error-${t}`).allTextContents()}`).toBe('ready');
  }
}

it('plays a seeded supervised call: three waveforms, markers to jump to, mute and solo, speed, the PCI pause shaded, comments kept', async () => {
  await openRecording();
  await expect.poll(() => player().getAttribute('data-state')).toBe('ready');
  expect(await player().textContent()).toMatch(/2001.*0:12/);

  // Three waveforms, each drawn from its own track: the customer and agent throughout but for the
  // PCI pause, the coaching track only while the supervisor whispered.
  const [ws, we] = whisperMs;
  const [ps, pe] = pauseMs;
  for (const t of ['customer', 'agent'] as const) {
    await expect
      .poll(async () => {
        const ink = await inkPerTenth(t);
        return { before: inkBetween(ink, 200, ps - 200).min > 0.2, pause: inkBetween(ink, ps + 200, pe - 200).max < 0.08, after: inkBetween(ink, pe + 200, durationMs - 200).min > 0.2 };
      }, { message: `${t} waveform: drawn, blank in the PCI pause` })
      .toEqual({ before: true, pause: true, after: true });
  }
  await expect
    .poll(async () => {
      const ink = await inkPerTenth('supervisor');
      return { before: inkBetween(ink, 0, ws - 200).max < 0.08, whisper: inkBetween(ink, ws + 200, we - 200).min > 0.2, after: inkBetween(ink, we + 200, durationMs).max < 0.08 };
    }, { message: 'coaching waveform: only the whisper' })
    .toEqual({ before: true, whisper: true, after: true });

  // The markers, listed with their times, and drawn on every waveform at those times (labelled on the first).
  const chips = page.getByTestId('marker');
  await expect.poll(() => chips.evaluateAll((els) => els.map((e) => [e.getAttribute('data-kind'), Number(e.getAttribute('data-at-ms')), e.textContent]))).toEqual(expectedMarkers);
  for (const t of trackOrder) {
    const lines = track(t).locator('[part~="marker"]');
    await expect.poll(() => lines.count(), { message: `markers on the ${t} waveform` }).toBe(expectedMarkers.length);
    const lefts = await lines.evaluateAll((els) => els.map((e) => parseFloat((e as HTMLElement).style.left)));
    // Within a percent: the "ended" marker is drawn just inside the end (the last pixel would not show).
    lefts.forEach((left, i) => expect(Math.abs(left - ((expectedMarkers[i][1] as number) / durationMs) * 100), `${t}: ${expectedMarkers[i][2]} at ${left}%`).toBeLessThan(1));
  }
  expect(await track('customer').locator('[part~="marker"]').allTextContents()).toEqual(expectedMarkers.map((m) => (m[2] as string).replace(/^\S+ /, '')));

  // The PCI pause: listed, and shaded over its span on every waveform.
  await expect.poll(() => page.getByTestId('pause-span').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-start-ms')), Number(e.getAttribute('data-end-ms')), e.textContent]))).toEqual([[ps, pe, 'PCI pause 0:08–0:09']]);
  for (const t of trackOrder) {
    const shade = track(t).locator('[part~="region"]');
    await expect.poll(() => shade.count(), { message: `PCI pause shaded on the ${t} waveform` }).toBe(1);
    expect(await shade.evaluate((e) => getComputedStyle(e).backgroundColor)).toMatch(/^rgba\(230, 81, 0, 0\.\d+\)$/);
    const span = await spanOnWave(t, shade);
    expect(span.from).toBeCloseTo(ps / durationMs, 2);
    expect(span.to).toBeCloseTo(pe / durationMs, 2);
  }

  // The "whisper" marker in the list jumps there: the position shown and every track's media.
  const whisperChip = page.locator('[data-testid="marker"][data-kind="mode-changed"]', { hasText: 'whisper' });
  await whisperChip.click();
  const atWhisper = async () => ({ shown: await positionMs(), tracks: await Promise.all(trackOrder.map(async (t) => Math.round((await media(t)).at * 10) / 10)) });
  await expect.poll(atWhisper).toEqual({ shown: ws, tracks: [ws / 1000, ws / 1000, ws / 1000] });
  expect(await page.getByTestId('player-position').textContent()).toBe('0:03 / 0:12');
  // A click on the waveform seeks where it lands (three quarters: 9 s)...
  const wave = (await track('agent').boundingBox())!;
  await page.mouse.click(wave.x + wave.width * 0.75, wave.y + wave.height / 2);
  await expect.poll(positionMs).toBeGreaterThan(8_500);
  expect(await positionMs()).toBeLessThan(9_500);
  // ...the "ended" label on the waveform jumps to the end (not to where its line is drawn)...
  const label = (text: string) => track('customer').locator('[part~="marker"] [part="region-content"]', { hasText: text });
  await label('ended').click();
  await expect.poll(positionMs).toBe(durationMs);
  // ...and the "whisper" label jumps back to the whisper.
  await label('whisper').click();
  await expect.poll(atWhisper).toEqual({ shown: ws, tracks: [ws / 1000, ws / 1000, ws / 1000] });

  // Mute and solo: what each track's media plays at.
  expect(await volumes()).toEqual({ customer: 1, agent: 1, supervisor: 1 });
  await page.getByTestId('track-mute-supervisor').click();
  await expect.poll(volumes, { message: 'coaching track muted' }).toEqual({ customer: 1, agent: 1, supervisor: 0 });
  expect(await page.getByTestId('track-mute-supervisor').getAttribute('aria-pressed')).toBe('true');
  await page.getByTestId('track-solo-customer').click();
  await expect.poll(volumes, { message: 'customer soloed' }).toEqual({ customer: 1, agent: 0, supervisor: 0 });
  await page.getByTestId('track-solo-customer').click();
  await expect.poll(volumes, { message: 'solo off, the coaching track still muted' }).toEqual({ customer: 1, agent: 1, supervisor: 0 });
  await page.getByTestId('track-mute-supervisor').click();
  await expect.poll(volumes).toEqual({ customer: 1, agent: 1, supervisor: 1 });

  // Speed 1.5×: every track plays at it.
  await page.getByTestId('speed').click();
  await page.getByRole('option', { name: '1.5×' }).click();
  await expect.poll(() => page.getByTestId('speed').getAttribute('data-rate')).toBe('1.5');
  await expect.poll(async () => Promise.all(trackOrder.map(async (t) => (await media(t)).rate))).toEqual([1.5, 1.5, 1.5]);

  // Play runs all tracks together from the whisper; pause stops them in step.
  await page.getByTestId('play').click();
  await expect.poll(() => page.getByTestId('play').getAttribute('data-state')).toBe('playing');
  await expect.poll(positionMs, { message: 'the position runs' }).toBeGreaterThan(ws + 300);
  expect((await Promise.all(trackOrder.map(media))).map((m) => m.paused)).toEqual([false, false, false]);
  await page.getByTestId('play').click();
  await expect.poll(() => page.getByTestId('play').getAttribute('data-state')).toBe('paused');
  const stopped = await Promise.all(trackOrder.map(media));
  expect(stopped.map((m) => m.paused)).toEqual([true, true, true]);
  // In step: each track within 50 ms of the master (SyncGroup's maxDriftMs), so within 100 ms of each other.
  expect(Math.max(...stopped.map((m) => m.at)) - Math.min(...stopped.map((m) => m.at)), `tracks in step: ${stopped.map((m) => m.at).join(', ')}`).toBeLessThanOrEqual(0.101);

  // A comment at the current time (back on the whisper), typed and saved with the button...
  await whisperChip.click();
  await expect.poll(positionMs).toBe(ws);
  const onWhisper = 'Whisper: coached on the loyalty discount, customer did not hear it';
  await page.getByTestId('comment-text').click();
  await page.keyboard.type(onWhisper);
  await expect.poll(() => page.getByTestId('comment-add').textContent()).toBe('Comment at 0:03');
  await page.getByTestId('comment-add').click();
  const listed = () => page.getByTestId('comment').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-at-ms')), e.textContent]));
  await expect.poll(listed).toEqual([[ws, expect.stringContaining(`${onWhisper}0:03 · ${author}`)]]);
  expect(await page.getByTestId('comment-text').inputValue()).toBe('');
  // ...and one on the PCI pause, with the keyboard only (Enter saves).
  await page.locator('[data-testid="marker"][data-kind="recording-paused"]').click();
  await expect.poll(positionMs).toBe(ps);
  await page.getByTestId('comment-text').focus();
  await page.keyboard.type('Card number read out: paused in time');
  await page.keyboard.press('Enter');
  await expect.poll(listed).toEqual([
    [ws, expect.stringContaining(onWhisper)],
    [ps, expect.stringContaining('Card number read out: paused in time0:08 · ')],
  ]);
  expect((await scenario.rig.recordings.store.read(id))!.comments).toEqual([
    { atMs: ws, author, text: onWhisper, createdAt: expect.any(String) },
    { atMs: ps, author, text: 'Card number read out: paused in time', createdAt: expect.any(String) },
  ]);

  // Closed (Escape) and opened again: the comments are still there, with their times and author.
  await page.keyboard.press('Escape');
  await dialog().waitFor({ state: 'hidden' });
  await openRecording();
  await expect.poll(listed).toEqual([
    [ws, expect.stringContaining(`${onWhisper}0:03 · ${author} · `)],
    [ps, expect.stringContaining(`Card number read out: paused in time0:08 · ${author} · `)],
  ]);
  // A comment's time jumps there.
  const again = (await track('agent').boundingBox())!;
  await page.mouse.click(again.x + again.width * 0.9, again.y + again.height / 2);
  await expect.poll(positionMs).toBeGreaterThan(10_000);
  await page.getByTestId('comment').first().click();
  await expect.poll(positionMs).toBe(ws);

  // The README's picture of the player: at the whisper, no hover, focus ring or ripple left over.
  await page.mouse.move(1, 1);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await expect.poll(() => page.locator('.MuiTouchRipple-child').count()).toBe(0);
  await expect.poll(async () => (await inkPerTenth('supervisor')).some((v) => v > 0.2)).toBe(true);
  await dialog().screenshot({ path: join(screenshots, 'recording-player.png') });
}, 180_000);
