import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { trackNames } from '../../shared/recording/types';
import { parseWav } from '../../shared/recording/wav';
import { RecordingStore } from './recordingStore';

// "kill -9 of the desktop main process leaves a playable file": a real Node process records
// through RecordingStore and is killed with SIGKILL; a new store (the restarted app) recovers the
// tracks: every chunk the writer was told is saved is there, intact; at most the chunk in flight
// is missing. Three kill points: between chunks, as soon as it starts a chunk (a race, whatever
// state that leaves), and parked inside a chunk (the agent track's samples written, its header not
// yet updated, the supervisor's not started), which is the torn state recover() must fix.

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const storeUrl = pathToFileURL(fileURLToPath(new URL('./recordingStore.ts', import.meta.url))).href;
const ID = 'killed-0001';
const rate = 48_000;
const F = 4800; // 100 ms a chunk
/** Track t's sample at frame f: a ramp per track (also built, from this source, by the child). */
const sampleAt = (t: number, f: number) => ((f * 37 + t * 9001) % 60000) - 30000;

/** The writer: argv[2] is a seq at which it parks inside the agent track's header write (-1: never). */
const child = (root: string) => `
import * as fsp from 'node:fs/promises';
import { RecordingStore } from ${JSON.stringify(storeUrl)};
const sampleAt = ${sampleAt.toString()};
const F = ${F};
const park = Number(process.argv[2]);
let seqNow = -1;
const fs = { ...fsp, open: async (path, ...rest) => {
  const fh = await fsp.open(path, ...rest);
  if (park < 0 || seqNow !== park || !String(path).endsWith('agent.wav')) return fh;
  const write = (buf, off, len, pos) => {
    if (pos !== 0) return fh.write(buf, off, len, pos);
    process.stdout.write('parked\\n');
    setInterval(() => {}, 1000); // alive, stuck mid-chunk, until killed
    return new Promise(() => {});
  };
  return new Proxy(fh, { get: (t, p) => (p === 'write' ? write : typeof t[p] === 'function' ? t[p].bind(t) : t[p]) });
} };
const store = new RecordingStore(${JSON.stringify(root)}, { fs });
const started = await store.start({
  id: ${JSON.stringify(ID)}, callId: 'kill@pbx', agent: 'alice@example.com', remote: '100', direction: 'inbound',
  startedAt: new Date().toISOString(), sampleRate: ${rate}, tracks: ['customer', 'agent', 'supervisor'],
  coachingStorage: 'with-call', retentionDays: 0, coachingRetentionDays: 0, agentNotified: true,
});
if (!started.ok) { console.error(started.reason); process.exit(2); }
for (let seq = 0; ; seq++) {
  const pcm = new Uint8Array(F * 2 * 3);
  const v = new DataView(pcm.buffer);
  for (let t = 0; t < 3; t++) for (let i = 0; i < F; i++) v.setInt16(2 * (t * F + i), sampleAt(t, seq * F + i), true);
  seqNow = seq;
  process.stdout.write('writing ' + seq + '\\n');
  const r = await store.append(${JSON.stringify(ID)}, { seq, frames: F, pcm });
  if (!r.ok) { console.error(r.reason); process.exit(3); }
  process.stdout.write(seq + '\\n'); // acknowledged: on disk (a pipe write is synchronous on Linux)
  await new Promise((done) => setTimeout(done, 100));
}
`;

const dirs: string[] = [];
afterEach(async () => void (await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))));

type KillPoint = 'between chunks' | 'starting a chunk' | 'parked mid-chunk';

/** Runs the writer and kills it with SIGKILL at `when`, once it acknowledged `after` chunks; the last seq it acknowledged. */
async function recordAndKill(root: string, after: number, when: KillPoint): Promise<number> {
  const script = join(root, '..', 'writer.mts');
  await writeFile(script, child(root));
  const park = when === 'parked mid-chunk' ? after : -1;
  const proc = spawn(process.execPath, ['--import', 'tsx', script, String(park)], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let killOn: string | null = null; // checked in the data handler: killed the moment the child says it
  const killIfSaid = () => killOn !== null && out.includes(killOn) && proc.kill('SIGKILL');
  proc.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    killIfSaid();
  });
  proc.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const closed = new Promise<NodeJS.Signals | number | null>((done) => proc.on('close', (code, signal) => done(signal ?? code)));
  const acked = () => out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  try {
    // Generous ceiling: starting Node with tsx on a busy 2-core machine can take seconds.
    const within = (what: string, cond: () => boolean) =>
      expect
        .poll(cond, { timeout: 60_000, interval: 20 })
        .toBe(true)
        .catch((e: Error) => Promise.reject(new Error(`${what}: ${e.message}; the writer said: ${out.slice(-300)}${err.slice(-2000)}`)));
    await within(`${after} chunks acknowledged`, () => acked().length >= after || proc.exitCode !== null);
    expect(proc.exitCode, `writer stopped early: ${err}`).toBeNull();
    killOn = when === 'between chunks' ? '' : when === 'starting a chunk' ? `writing ${acked().length}\n` : 'parked\n';
    killIfSaid();
    await within(`killed ${when}`, () => proc.signalCode !== null || proc.exitCode !== null);
    expect(await closed).toBe('SIGKILL');
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
  const seqs = acked();
  expect(seqs).toEqual(seqs.map((_, i) => i)); // every chunk acknowledged once, in order
  return seqs.length - 1;
}

it.each<KillPoint>(['between chunks', 'starting a chunk', 'parked mid-chunk'])(
  'SIGKILL of the writing process %s leaves playable tracks holding every acknowledged chunk',
  { timeout: 120_000 },
  async (when) => {
    const dir = await mkdtemp(join(tmpdir(), 'wl-kill-'));
    dirs.push(dir);
    const root = join(dir, 'recordings');
    const last = await recordAndKill(root, 6, when);
    expect(last).toBeGreaterThanOrEqual(5);

    const store = new RecordingStore(root); // the restarted app
    const report = await store.recover();
    expect(report.problems).toEqual([]);
    const lengths: number[] = [];
    for (const [t, name] of trackNames.entries()) {
      const bytes = await readFile(join(root, 'calls', ID, `${name}.wav`));
      const wav = parseWav(bytes);
      if (!wav.ok) throw new Error(`${name}: ${wav.reason}`);
      expect(wav.sampleRate).toBe(rate);
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      expect([v.getUint32(4, true), v.getUint32(40, true)], `${name} header after recover`).toEqual([bytes.length - 8, bytes.length - 44]);
      // Every acknowledged chunk is there; beyond it, at most the chunk in flight (what of it got written).
      expect(wav.samples.length, name).toBeGreaterThanOrEqual((last + 1) * F);
      expect(wav.samples.length, name).toBeLessThanOrEqual((last + 2) * F);
      const wrong = wav.samples.findIndex((s, f) => s !== sampleAt(t, f));
      expect(wrong, `${name}: first frame that differs from what was sent`).toBe(-1);
      lengths.push(wav.samples.length / F);
    }
    if (when === 'parked mid-chunk') {
      // Customer: chunk 6 whole; agent: its samples, header still at 6 chunks (fixed); supervisor: none of it.
      expect(lengths).toEqual([7, 7, 6]);
      expect(report.repaired).toEqual([join(root, 'calls', ID, 'agent.wav')]);
    }
    const [summary] = await store.list();
    expect(summary).toMatchObject({ endedAt: null, meta: { id: ID }, durationMs: Math.round((Math.max(...lengths) * F * 1000) / rate) });

    // The call can go on in the restarted app: it continues after the whole chunks every track holds.
    const next = Math.floor(Math.min(...lengths));
    const pcm = new Uint8Array(F * 2 * 3);
    const v = new DataView(pcm.buffer);
    for (let t = 0; t < 3; t++) for (let i = 0; i < F; i++) v.setInt16(2 * (t * F + i), sampleAt(t, next * F + i), true);
    expect(await store.append(ID, { seq: next, frames: F, pcm })).toEqual({ ok: true });
    for (const [t, name] of trackNames.entries()) {
      const wav = parseWav((await store.trackFile(ID, name))!);
      expect(wav.ok && wav.samples.length, name).toBe((next + 1) * F);
      expect(wav.ok && wav.samples.findIndex((s, f) => s !== sampleAt(t, f)), name).toBe(-1);
    }
  },
);
