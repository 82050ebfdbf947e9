import * as nodeFs from 'node:fs/promises';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordingMeta, TrackName } from '../../shared/recording/types';
import { parseWav, wavHeader } from '../../shared/recording/wav';
import { maxGapChunks, RecordingStore } from './recordingStore';
import type { RecordingFs } from './wavFile';

const F = 800; // frames per chunk: 100 ms at 8 kHz
const ID = 'call-0001-abcd';
const all: TrackName[] = ['customer', 'agent', 'supervisor'];
const ok = { ok: true };
const metaOf = (over: Partial<RecordingMeta> = {}): RecordingMeta => ({
  id: ID, callId: 'a84b4c76e66710@pbx.example.com', agent: 'alice@example.com', remote: '+15551234567', direction: 'inbound',
  startedAt: '2026-03-01T10:00:00.000Z', sampleRate: 8000, tracks: all, coachingStorage: 'with-call', agentNotified: true,
  retentionDays: 30, coachingRetentionDays: 30, ...over,
});

const roots: string[] = [];
afterEach(async () => void (await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })))));
async function tmpRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wl-rec-'));
  roots.push(dir);
  return join(dir, 'recordings');
}

/** Track t's sample at frame f: a ramp, different on every track. */
const sampleAt = (t: number, f: number) => ((f * 37 + t * 9001) % 60000) - 30000;

/** Chunk `seq`: F frames of each track, track after track. */
function chunk(seq: number, tracks = 3) {
  const pcm = new Uint8Array(F * 2 * tracks);
  const v = new DataView(pcm.buffer);
  for (let t = 0; t < tracks; t++) for (let i = 0; i < F; i++) v.setInt16(2 * (t * F + i), sampleAt(t, seq * F + i), true);
  return { seq, frames: F, pcm };
}

/** What track t should hold: these chunks in order (null: a chunk of silence). */
function expected(t: number, seqs: (number | null)[]): Int16Array {
  const out = new Int16Array(seqs.length * F);
  seqs.forEach((s, k) => {
    if (s !== null) for (let i = 0; i < F; i++) out[k * F + i] = sampleAt(t, s * F + i);
  });
  return out;
}

/** Same samples (compared quickly; a mismatch names its first frame). */
function expectSamples(got: Int16Array | false, want: Int16Array, what = 'samples') {
  if (!got) throw new Error(`${what}: not a playable WAV`);
  const first = got.findIndex((s, i) => s !== want[i]);
  expect({ frames: got.length, firstWrongFrame: first }, what).toEqual({ frames: want.length, firstWrongFrame: -1 });
}

async function wav(path: string) {
  const bytes = await readFile(path);
  const parsed = parseWav(bytes);
  if (!parsed.ok) throw new Error(parsed.reason);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { samples: parsed.samples, sampleRate: parsed.sampleRate, riff: v.getUint32(4, true), data: v.getUint32(40, true), size: bytes.length };
}

/** Every track parses, holds exactly these chunks of its own channel, and its header matches its size. */
async function expectTracks(root: string, seqs: (number | null)[], paths = all.map((t) => join(root, 'calls', ID, `${t}.wav`))) {
  for (const [t, path] of paths.entries()) {
    const w = await wav(path);
    expect(w.sampleRate).toBe(8000);
    expectSamples(w.samples, expected(t, seqs), path);
    expect([w.riff, w.data], `${path} header sizes`).toEqual([w.size - 8, w.size - 44]);
  }
}

const errno = (code: string, path?: string) => Object.assign(new Error(`${code}: injected`), { code, ...(path ? { path } : {}) });

/** node:fs with faults: `fail` names an errno for an operation, `disk.free` bytes before ENOSPC. */
function injected(fail: (op: 'mkdir' | 'open', path: string) => string | undefined = () => undefined) {
  const disk = { free: Infinity };
  const check = (op: 'mkdir' | 'open', path: string) => {
    const code = fail(op, path);
    if (code) throw errno(code, path);
  };
  const fs: RecordingFs = {
    ...nodeFs,
    mkdir: (async (path: string, o?: object) => (check('mkdir', path), nodeFs.mkdir(path, o))) as RecordingFs['mkdir'],
    open: (async (path: string, flags?: string, mode?: number) => {
      check('open', path);
      const fh = await nodeFs.open(path, flags, mode);
      // Growing a file takes room; when there is none left, as much as fits is written, then ENOSPC.
      const write = async (buf: Uint8Array, off = 0, len = buf.length - off, pos?: number) => {
        const { size } = await fh.stat();
        const at = pos ?? size;
        const fits = Math.max(0, size + disk.free - at);
        if (len > fits) {
          if (fits === 0) throw errno('ENOSPC');
          len = fits;
        }
        disk.free -= Math.max(0, at + len - size);
        return fh.write(buf, off, len, pos);
      };
      const pass = (t: typeof fh, p: string | symbol) => (typeof Reflect.get(t, p) === 'function' ? Reflect.get(t, p).bind(t) : Reflect.get(t, p));
      return new Proxy(fh, { get: (t, p) => (p === 'write' ? write : pass(t, p)) });
    }) as RecordingFs['open'],
  };
  return { fs, disk };
}

const listing = async (dir: string) => readdir(dir).catch(() => [] as string[]);

describe('writing a recording', () => {
  it('N chunks: every track parses with N×frames samples of its own channel; list/read report duration, timeline and comments in order', async () => {
    const root = await tmpRoot();
    const store = new RecordingStore(root, { now: () => new Date('2026-03-01T10:00:05.000Z') });
    expect(await store.start(metaOf())).toEqual(ok);
    // Not awaited one by one: the store keeps call order per recording.
    const results = await Promise.all([
      store.event(ID, { atMs: 0, kind: 'recording-started' }),
      ...[0, 1, 2, 3, 4].map((s) => store.append(ID, chunk(s))),
      store.event(ID, { atMs: 300, kind: 'supervisor-joined', detail: 'bob@example.com' }),
      store.comment(ID, { atMs: 250, author: 'qa@example.com', text: 'greeting ok' }),
      store.event(ID, { atMs: 120, kind: 'mode-changed', detail: 'whisper' }),
      store.comment(ID, { atMs: 50, author: 'qa@example.com', text: 'first' }),
    ]);
    expect(results).toEqual(results.map(() => ok));
    expect(await store.end(ID, { endedAt: '2026-03-01T10:00:06.000Z' })).toEqual(ok);
    await expectTracks(root, [0, 1, 2, 3, 4]);

    const list = await store.list();
    expect(list).toEqual([
      { meta: metaOf(), endedAt: '2026-03-01T10:00:06.000Z', durationMs: 500, legalHold: false, tracks: all.map((name) => ({ name, frames: 5 * F, durationMs: 500, bytes: 44 + 5 * F * 2 })) },
    ]);
    const detail = await store.read(ID);
    expect(detail?.timeline).toEqual([
      { atMs: 0, kind: 'recording-started' },
      { atMs: 300, kind: 'supervisor-joined', detail: 'bob@example.com' },
      { atMs: 120, kind: 'mode-changed', detail: 'whisper' },
    ]);
    expect(detail?.comments).toEqual([
      { atMs: 250, author: 'qa@example.com', text: 'greeting ok', createdAt: '2026-03-01T10:00:05.000Z' },
      { atMs: 50, author: 'qa@example.com', text: 'first', createdAt: '2026-03-01T10:00:05.000Z' },
    ]);
    expect(detail?.skippedLines).toBe(0);
    const served = parseWav((await store.trackFile(ID, 'agent'))!);
    expectSamples(served.ok && served.samples, expected(1, [0, 1, 2, 3, 4]));
    expect(await store.append(ID, chunk(5))).toMatchObject({ ok: false, kind: 'conflict', reason: expect.stringMatching(/has ended/) });
  });

  it('says once that a recording is finished (the org upload sends it then), not for a retried end or a refused one', async () => {
    const root = await tmpRoot();
    const ended: string[] = [];
    const store = new RecordingStore(root, { onEnded: (id) => ended.push(id) });
    await store.start(metaOf());
    await store.append(ID, chunk(0));
    expect(await store.end(ID, { endedAt: 'yesterday' })).toMatchObject({ ok: false });
    expect(ended).toEqual([]);
    expect(await store.end(ID, { endedAt: '2026-03-01T10:00:09.000Z' })).toEqual(ok);
    expect(await store.end(ID, { endedAt: '2026-03-01T10:00:09.000Z' })).toEqual(ok);
    expect(ended).toEqual([ID]);
  });

  it('a lost chunk becomes silence on every track (aligned); a retried or late chunk is not written twice', async () => {
    const root = await tmpRoot();
    const store = new RecordingStore(root);
    await store.start(metaOf());
    for (const s of [0, 2, 2, 1, 3, 3]) expect(await store.append(ID, chunk(s))).toEqual(ok);
    await expectTracks(root, [0, null, 2, 3]);
  });

  it('refuses a chunk too far ahead and PCM of the wrong length, writing nothing, and goes on after', async () => {
    const root = await tmpRoot();
    const store = new RecordingStore(root);
    await store.start(metaOf({ tracks: ['customer', 'agent'] }));
    const paths = ['customer', 'agent'].map((t) => join(root, 'calls', ID, `${t}.wav`));
    await store.append(ID, chunk(0, 2));
    const far = await store.append(ID, chunk(1 + maxGapChunks + 1, 2));
    expect(far).toMatchObject({ ok: false, kind: 'invalid', reason: expect.stringMatching(new RegExp(`${maxGapChunks + 1} chunks past the next expected \\(1\\)`)) });
    const short = { seq: 1, frames: F, pcm: chunk(1, 2).pcm.subarray(2) };
    expect(await store.append(ID, short)).toMatchObject({ ok: false, kind: 'invalid', reason: expect.stringMatching(/expected 3200 .*2 tracks/) });
    expect(await store.append(ID, chunk(1, 3))).toMatchObject({ ok: false, kind: 'invalid' }); // three tracks' worth
    for (const bad of [{ seq: -1, frames: F, pcm: chunk(1, 2).pcm }, { seq: 1, frames: 0, pcm: new Uint8Array() }, { seq: 1, frames: F, pcm: [1, 2] }, null]) {
      expect(await store.append(ID, bad)).toMatchObject({ ok: false, kind: 'invalid', reason: expect.stringMatching(/^Recording chunk refused: /) });
    }
    for (const p of paths) expect((await stat(p)).size).toBe(44 + F * 2);
    // The furthest gap allowed is filled; the recording was not stopped by the refusals.
    expect(await store.append(ID, chunk(1 + maxGapChunks, 2))).toEqual(ok);
    await expectTracks(root, [0, ...Array<null>(maxGapChunks).fill(null), 1 + maxGapChunks], paths);
  });
});

describe('disk full, no permission', () => {
  it('disk full at the 3rd chunk: no-space with a reason, the recording stops, the 2 chunks written stay aligned and playable', async () => {
    const root = await tmpRoot();
    const { fs, disk } = injected();
    const store = new RecordingStore(root, { fs });
    await store.start(metaOf());
    expect([await store.append(ID, chunk(0)), await store.append(ID, chunk(1))]).toEqual([ok, ok]);
    disk.free = F * 2 + F; // the customer track's chunk fits, then half of the agent's
    const full = await store.append(ID, chunk(2));
    expect(full).toMatchObject({ ok: false, kind: 'no-space', reason: expect.stringMatching(/^Recording stopped: the disk is full \(ENOSPC\) at .*agent\.wav$/) });
    expect(await store.append(ID, chunk(3))).toEqual(full);
    await expectTracks(root, [0, 1]);
    expect(await store.event(ID, { atMs: 250, kind: 'recording-error', detail: 'disk full' })).toMatchObject({ ok: false, kind: 'no-space' });
    expect(await store.end(ID, { endedAt: '2026-03-01T10:01:00.000Z' })).toMatchObject({ ok: false, kind: 'no-space', reason: expect.stringMatching(/^Recording end not saved: the disk is full/) });
    disk.free = Infinity; // space freed: the recording stays stopped, the rest is saved
    expect(await store.append(ID, chunk(2))).toEqual(full);
    expect(await store.event(ID, { atMs: 250, kind: 'recording-error', detail: 'disk full' })).toEqual(ok);
    expect(await store.end(ID, { endedAt: '2026-03-01T10:01:00.000Z' })).toEqual(ok);
    await expectTracks(root, [0, 1]);
    const detail = await store.read(ID);
    expect(detail).toMatchObject({ endedAt: '2026-03-01T10:01:00.000Z', durationMs: 200, timeline: [{ atMs: 250, kind: 'recording-error' }], skippedLines: 0 });
  });

  it.each([
    ['the recording folder cannot be made', 'with-call', 'mkdir', /calls[/\\]call-0001-abcd$/, 'EACCES', /permission denied \(EACCES\)/],
    ['meta.json cannot be written', 'with-call', 'open', /meta\.json\.tmp$/, 'EACCES', /permission denied \(EACCES\)/],
    ['the disk is full at a track file', 'separate', 'open', /agent\.wav$/, 'ENOSPC', /the disk is full \(ENOSPC\)/],
    ['the coaching folder is read-only', 'separate', 'open', /coaching.*meta\.json\.tmp$/, 'EROFS', /read-only \(EROFS\)/],
  ] as const)('start when %s: a clear reason, no half-made folder', async (_, coachingStorage, op, where, code, reason) => {
    const root = await tmpRoot();
    const { fs } = injected((o, p) => (o === op && where.test(p) ? code : undefined));
    const store = new RecordingStore(root, { fs });
    const r = await store.start(metaOf({ coachingStorage }));
    expect(r).toMatchObject({ ok: false, kind: code === 'ENOSPC' ? 'no-space' : 'io', reason: expect.stringMatching(/^Recording not started: /) });
    expect(!r.ok && r.reason).toMatch(reason);
    expect([await listing(join(root, 'calls')), await listing(join(root, 'coaching'))]).toEqual([[], []]);
    expect(await store.list()).toEqual([]);
    // Once the fault is gone, the same id can be started (nothing left claims it).
    expect(await new RecordingStore(root).start(metaOf({ coachingStorage }))).toEqual(ok);
  });
});

describe('malformed input', () => {
  it('bad ids are refused by every call and never reach outside the recordings folder', async () => {
    const root = await tmpRoot();
    const store = new RecordingStore(root);
    await store.start(metaOf());
    for (const id of ['../x', '../../../../tmp/evil-x', '', 'short', 'calls/abcdefgh', 'a'.repeat(65), 'has space x', '..%2F..%2Fabc']) {
      expect(await store.start(metaOf({ id }))).toMatchObject({ ok: false, kind: 'invalid', reason: expect.stringMatching(/^Recording not started: id: /) });
      for (const call of [() => store.append(id, chunk(0)), () => store.event(id, { atMs: 0, kind: 'held' }), () => store.comment(id, { atMs: 0, author: 'a', text: 'b' }), () => store.end(id, { endedAt: '2026-03-01T10:00:00Z' })]) {
        expect(await call()).toMatchObject({ ok: false, kind: 'invalid', reason: expect.stringMatching(/bad recording id/) });
      }
      expect([await store.read(id), await store.trackFile(id, 'agent')]).toEqual([null, null]);
    }
    for (const track of ['../meta.json', 'agent.wav', 'AGENT', '']) expect(await store.trackFile(ID, track)).toBeNull();
    expect(await listing(root)).toEqual(['calls']);
    expect(await listing(join(root, 'calls'))).toEqual([ID]);
  });

  it('bad meta, a duplicate id, bad events and comments are refused with a reason and write nothing', async () => {
    const root = await tmpRoot();
    const store = new RecordingStore(root);
    const bads: [unknown, RegExp][] = [
      [null, /expected object/i],
      [{ ...metaOf(), extra: 1 }, /extra/],
      [{ ...metaOf(), sampleRate: 7999 }, /^Recording not started: sampleRate: /],
      [metaOf({ tracks: ['agent', 'agent'] }), /tracks: a track is listed twice/],
      [metaOf({ tracks: [] }), /tracks: /],
      [metaOf({ startedAt: 'yesterday' }), /startedAt: /],
      [{ ...metaOf(), callId: undefined }, /callId: /],
    ];
    for (const [bad, why] of bads) expect(await store.start(bad)).toMatchObject({ ok: false, kind: 'invalid', reason: expect.stringMatching(why) });
    expect(await listing(join(root, 'calls'))).toEqual([]);
    expect(await store.append('unknown-0001', chunk(0))).toMatchObject({ ok: false, kind: 'not-found' });
    expect(await store.event('unknown-0001', { atMs: 0, kind: 'held' })).toMatchObject({ ok: false, kind: 'not-found' });

    await store.start(metaOf());
    await store.append(ID, chunk(0));
    const dup = { ok: false, kind: 'conflict', reason: `Recording not started: a recording with id ${ID} already exists` };
    expect(await store.start(metaOf())).toEqual(dup);
    expect(await new RecordingStore(root).start(metaOf({ tracks: ['agent'] }))).toEqual(dup); // another process: the folder is the claim
    await expectTracks(root, [0]);

    const badEvents = [{ atMs: -1, kind: 'held' }, { atMs: 1.5, kind: 'held' }, { atMs: 0, kind: 'exploded' }, { atMs: 0, kind: 'prompt', detail: 'x'.repeat(501) }, { atMs: 0, kind: 'held', who: 'x' }, 'held'];
    for (const e of badEvents) expect(await store.event(ID, e)).toMatchObject({ ok: false, kind: 'invalid', reason: expect.stringMatching(/^Timeline event not saved: /) });
    for (const c of [{ atMs: 0, author: 'qa', text: '   ' }, { atMs: 0, text: 'hi' }, { atMs: 0, author: 'qa', text: 'hi', createdAt: 'x' }]) {
      expect(await store.comment(ID, c)).toMatchObject({ ok: false, kind: 'invalid', reason: expect.stringMatching(/^Comment not saved: /) });
    }
    expect(await store.end(ID, { endedAt: 'soon' })).toMatchObject({ ok: false, kind: 'invalid' });
    expect(await store.read(ID)).toMatchObject({ timeline: [], comments: [], skippedLines: 0, endedAt: null });
  });

  it('a damaged meta.json: left out of list(), read() is null, recover() reports it; the others are unaffected', async () => {
    const root = await tmpRoot();
    const store = new RecordingStore(root);
    const other = 'call-0002-good';
    await store.start(metaOf());
    await store.start(metaOf({ id: other, startedAt: '2026-03-01T11:00:00.000Z' }));
    await store.start(metaOf({ id: 'call-0003-moved' }));
    await writeFile(join(root, 'calls', ID, 'meta.json'), '{"id": "call-0001-ab');
    await writeFile(join(root, 'calls', 'call-0003-moved', 'meta.json'), JSON.stringify(metaOf({ id: other }))); // names another folder
    const later = new RecordingStore(root);
    expect((await later.list()).map((s) => s.meta.id)).toEqual([other]);
    expect(await later.read(ID)).toBeNull();
    expect(await later.trackFile(ID, 'agent')).toBeNull();
    expect(await later.append(ID, chunk(0))).toMatchObject({ ok: false, kind: 'not-found' });
    const report = await later.recover();
    expect(report.problems).toEqual([`${join(root, 'calls', ID)}: meta.json is missing or damaged`]);
  });

  it('a torn last line in timeline.jsonl or comments.jsonl is skipped and counted; the next line starts afresh', async () => {
    const root = await tmpRoot();
    const store = new RecordingStore(root);
    await store.start(metaOf());
    await store.event(ID, { atMs: 0, kind: 'recording-started' });
    await store.comment(ID, { atMs: 5, author: 'qa', text: 'ok' });
    await appendFile(join(root, 'calls', ID, 'timeline.jsonl'), '{"atMs":10,"kind":"hel');
    await appendFile(join(root, 'calls', ID, 'comments.jsonl'), '{"atMs":1');
    const later = new RecordingStore(root);
    expect(await later.read(ID)).toMatchObject({ timeline: [{ atMs: 0, kind: 'recording-started' }], comments: [{ text: 'ok' }], skippedLines: 2 });
    expect(await later.event(ID, { atMs: 20, kind: 'ended' })).toEqual(ok);
    expect(await later.read(ID)).toMatchObject({ timeline: [{ atMs: 0 }, { atMs: 20, kind: 'ended' }], skippedLines: 2 });
  });
});

describe('after a crash', () => {
  it('trackFile plays a track whose header says 0 bytes or that ends in half a sample; recover() fixes and reports them', async () => {
    const root = await tmpRoot();
    await new RecordingStore(root).start(metaOf());
    const dir = join(root, 'calls', ID);
    const crashed = new RecordingStore(root);
    for (const s of [0, 1]) await crashed.append(ID, chunk(s));
    await writeFile(join(dir, 'customer.wav'), wavHeader(8000, 0), { flag: 'r+' }); // header never updated
    await appendFile(join(dir, 'agent.wav'), Uint8Array.of(0x7f)); // torn: half a sample
    const after = new RecordingStore(root);
    for (const [t, name] of all.entries()) {
      const bytes = (await after.trackFile(ID, name))!;
      const served = parseWav(bytes);
      expectSamples(served.ok && served.samples, expected(t, [0, 1]), name);
      expect(bytes.length).toBe(44 + 2 * F * 2);
      expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(40, true), `${name} served header`).toBe(2 * F * 2);
    }
    const report = await after.recover();
    expect(report).toEqual({ repaired: [join(dir, 'customer.wav'), join(dir, 'agent.wav')], problems: [] });
    await expectTracks(root, [0, 1]);
    expect(await after.recover()).toEqual({ repaired: [], problems: [] });
  });

  it('a recording started while recover() still runs waits for it (the repair never touches a file being made)', async () => {
    const root = await tmpRoot();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const fs: RecordingFs = { ...nodeFs, readdir: (async (...a: Parameters<typeof nodeFs.readdir>) => (await held, nodeFs.readdir(...a))) as RecordingFs['readdir'] };
    const store = new RecordingStore(root, { fs });
    const recovering = store.recover();
    const started = store.start(metaOf());
    await new Promise((r) => setTimeout(r, 50));
    await expect(stat(join(root, 'calls', ID)), 'nothing made while the repair runs').rejects.toThrow();
    release();
    expect(await started).toEqual(ok);
    expect((await recovering).problems).toEqual([]);
  });

  it('a restarted process continues at the right seq, cutting every track to the whole chunks all of them hold', async () => {
    const root = await tmpRoot();
    const first = new RecordingStore(root);
    await first.start(metaOf());
    for (const s of [0, 1, 2]) await first.append(ID, chunk(s));
    // Killed while writing chunk 3: the customer track got all of it, the agent's a torn part, the supervisor's none.
    const c3 = chunk(3).pcm;
    await appendFile(join(root, 'calls', ID, 'customer.wav'), c3.subarray(0, F * 2));
    await appendFile(join(root, 'calls', ID, 'agent.wav'), c3.subarray(F * 2, F * 3 + 1));
    const second = new RecordingStore(root);
    expect(await second.append(ID, chunk(2))).toEqual(ok); // a retry of one already on disk
    await expectTracks(root, [0, 1, 2]);
    expect(await second.append(ID, chunk(3))).toEqual(ok);
    expect(await second.append(ID, chunk(5))).toEqual(ok);
    await expectTracks(root, [0, 1, 2, 3, null, 5]);
    await second.end(ID, { endedAt: '2026-03-01T10:00:01.000Z' });
    expect(await new RecordingStore(root).append(ID, chunk(6))).toMatchObject({ ok: false, kind: 'conflict' });
  });
});

describe('retention', () => {
  const day = 86_400_000;
  const at = (days: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + days * day);
  const ids = ['keep-0000001', 'old-00000001', 'held-0000001', 'boom-0000001', 'forever-0001'];

  it('deletes calls past retentionDays, never under legal hold (nor when the hold check fails), 0 keeps forever', async () => {
    const root = await tmpRoot();
    const legalHold = (m: RecordingMeta) => {
      if (m.callId === 'boom') throw new Error('policy unreadable');
      return m.callId === 'held';
    };
    const store = new RecordingStore(root, { legalHold });
    const [keep, old, held, boom, forever] = ids;
    await store.start(metaOf({ id: keep, startedAt: at(20).toISOString() }));
    await store.start(metaOf({ id: old }));
    await store.start(metaOf({ id: held, callId: 'held' }));
    await store.start(metaOf({ id: boom, callId: 'boom' }));
    await store.start(metaOf({ id: forever, retentionDays: 0 }));
    for (const id of ids) await store.end(id, { endedAt: at(0).toISOString() });
    expect(await store.sweep(at(30))).toEqual([]); // exactly 30 days: still kept
    expect(await store.sweep(at(45))).toEqual([old]);
    expect((await listing(join(root, 'calls'))).sort()).toEqual([boom, forever, held, keep].sort());
    expect((await store.list()).find((s) => s.meta.id === held)?.legalHold).toBe(true);
    expect(await store.read(old)).toBeNull();
    expect((await new RecordingStore(root, { legalHold }).sweep(at(3650))).sort()).toEqual([keep]);
  });

  it("'separate' coaching tracks follow coachingRetentionDays, outliving the call's folder or going first", async () => {
    const root = await tmpRoot();
    const store = new RecordingStore(root);
    const [longCoaching, shortCoaching] = ['coach-long-01', 'coach-short-1'];
    await store.start(metaOf({ id: longCoaching, coachingStorage: 'separate', retentionDays: 30, coachingRetentionDays: 90 }));
    await store.start(metaOf({ id: shortCoaching, coachingStorage: 'separate', retentionDays: 90, coachingRetentionDays: 7 }));
    for (const id of [longCoaching, shortCoaching]) {
      await store.append(id, chunk(0));
      await store.end(id, { endedAt: at(0).toISOString() });
    }
    const coachingWav = (id: string) => join(root, 'coaching', id, 'supervisor.wav');
    expectSamples((await wav(coachingWav(longCoaching))).samples, expected(2, [0]));
    await expect(stat(join(root, 'calls', longCoaching, 'supervisor.wav'))).rejects.toThrow();

    expect(await store.sweep(at(10))).toEqual([shortCoaching]);
    expect(await listing(join(root, 'calls'))).toHaveLength(2);
    expect((await store.read(shortCoaching))?.tracks.map((t) => t.name)).toEqual(['customer', 'agent']);
    expect(await store.trackFile(shortCoaching, 'supervisor')).toBeNull();
    expect(await store.recover()).toEqual({ repaired: [], problems: [] });

    expect(await store.sweep(at(45))).toEqual([longCoaching]);
    expect(await listing(join(root, 'calls'))).toEqual([shortCoaching]);
    expectSamples((await wav(coachingWav(longCoaching))).samples, expected(2, [0])); // the coaching copy outlives its call
    expect((await store.sweep(at(100))).sort()).toEqual([longCoaching, shortCoaching].sort());
    expect([await listing(join(root, 'calls')), await listing(join(root, 'coaching'))]).toEqual([[], []]);
  });

  it('a recording still being written is never swept, however old', async () => {
    const root = await tmpRoot();
    const store = new RecordingStore(root);
    await store.start(metaOf({ coachingStorage: 'separate' }));
    await store.append(ID, chunk(0));
    expect(await store.sweep(at(400))).toEqual([]);
    expect(await store.append(ID, chunk(1))).toEqual(ok);
    await expectTracks(root, [0, 1], [join(root, 'calls', ID, 'customer.wav'), join(root, 'calls', ID, 'agent.wav'), join(root, 'coaching', ID, 'supervisor.wav')]);
    await store.end(ID, { endedAt: at(0).toISOString() });
    expect(await store.sweep(at(400))).toEqual([ID]);
  });
});
