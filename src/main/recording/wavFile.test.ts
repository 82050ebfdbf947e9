import { existsSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWav, wavHeader } from '../../shared/recording/wav';
import { appendLine, appendSamples, createFile, fsReason, fsyncDir, isNoSpace, repairTrack, writeDurable, writeFully, type RecordingFs } from './wavFile';

const dirs: string[] = [];
afterEach(async () => void (await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))));
async function tmp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wl-wav-'));
  dirs.push(dir);
  return dir;
}

const pcm = (...samples: number[]) => {
  const out = new Uint8Array(samples.length * 2);
  samples.forEach((s, i) => new DataView(out.buffer).setInt16(2 * i, s, true));
  return out;
};
const samplesOf = (bytes: Uint8Array) => {
  const w = parseWav(bytes);
  if (!w.ok) throw new Error(w.reason);
  return [...w.samples];
};
/** The header's RIFF and data sizes, next to what the file's length says they must be. */
const headerVsFile = (bytes: Uint8Array) => {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { riff: v.getUint32(4, true), data: v.getUint32(40, true), wantRiff: bytes.length - 8, wantData: bytes.length - 44 };
};
const expectHeaderMatches = (bytes: Uint8Array) => {
  const h = headerVsFile(bytes);
  expect([h.riff, h.data]).toEqual([h.wantRiff, h.wantData]);
};
const errno = (code: string, path?: string) => Object.assign(new Error(`${code}: injected`), { code, ...(path ? { path } : {}) });

async function track(...samples: number[]): Promise<string> {
  const path = join(await tmp(), 'agent.wav');
  await writeFile(path, Buffer.concat([wavHeader(8000, samples.length * 2), pcm(...samples)]));
  return path;
}

describe('appendSamples', () => {
  it('writes silence for a gap, then the samples, and sets the header to the new size', async () => {
    const path = await track(1, 2);
    await appendSamples(nodeFs, path, 8000, 4, 6, pcm(7, 8));
    const bytes = await readFile(path);
    expect(samplesOf(bytes)).toEqual([1, 2, 0, 0, 0, 7, 8]);
    expectHeaderMatches(bytes);
    expect(parseWav(bytes)).toMatchObject({ sampleRate: 8000, channels: 1 });
  });

  it('a retry from the same position overwrites instead of appending twice', async () => {
    const path = await track(1, 2);
    await appendSamples(nodeFs, path, 8000, 4, 0, pcm(5)); // then "failed" as far as the caller knows
    await appendSamples(nodeFs, path, 8000, 4, 0, pcm(3, 4));
    const bytes = await readFile(path);
    expect(samplesOf(bytes)).toEqual([1, 2, 3, 4]);
    expectHeaderMatches(bytes);
  });

  it('fills a gap of more than its 64 KiB block of zeros', async () => {
    const path = await track(9);
    await appendSamples(nodeFs, path, 8000, 2, 100_000, pcm(-9));
    const s = samplesOf(await readFile(path));
    expect(s.length).toBe(1 + 50_000 + 1);
    expect([s[0], s.at(-1), s.slice(1, -1).every((x) => x === 0)]).toEqual([9, -9, true]);
  });

  it.skipIf(!existsSync('/dev/full'))('a full disk fails with ENOSPC, reported as "the disk is full"', async () => {
    const e = await appendSamples(nodeFs, '/dev/full', 8000, 0, 0, pcm(1)).catch((x: unknown) => x);
    expect(isNoSpace(e)).toBe(true);
    expect(fsReason(e, '/dev/full')).toBe('the disk is full (ENOSPC) at /dev/full');
  });
});

describe('writeFully', () => {
  const handle = (results: number[], log: [number, number][] = []) =>
    ({
      write: async (_b: Uint8Array, off: number, len: number, pos: number) => {
        log.push([off, pos]);
        return { bytesWritten: Math.min(len, results.shift() ?? len), buffer: _b };
      },
    }) as unknown as Parameters<typeof writeFully>[0];

  it('keeps writing after short writes, each part at its own position', async () => {
    const log: [number, number][] = [];
    await writeFully(handle([3, 1], log), new Uint8Array(10), 100);
    expect(log).toEqual([[0, 100], [3, 103], [4, 104]]);
  });

  it('a write that makes no progress fails (EIO) instead of looping forever', async () => {
    await expect(writeFully(handle([2, 0]), new Uint8Array(10), 0)).rejects.toMatchObject({ code: 'EIO' });
  });
});

describe('repairTrack', () => {
  it('a header that says 0 bytes is set to the samples present', async () => {
    const path = await track();
    await writeFile(path, pcm(4, 5, 6), { flag: 'a' });
    expect(await repairTrack(nodeFs, path, 8000)).toEqual({ dataBytes: 6, changed: true });
    const bytes = await readFile(path);
    expectHeaderMatches(bytes);
    expect(samplesOf(bytes)).toEqual([4, 5, 6]);
  });

  it('a torn half sample is cut', async () => {
    const path = await track(4, 5);
    await writeFile(path, Uint8Array.of(0x11), { flag: 'a' });
    expect(await repairTrack(nodeFs, path, 8000)).toEqual({ dataBytes: 4, changed: true });
    const bytes = await readFile(path);
    expect(bytes.length).toBe(48);
    expectHeaderMatches(bytes);
  });

  it('cuts to keepBytes when asked (whole chunks), never beyond what is there', async () => {
    const path = await track(1, 2, 3, 4);
    expect(await repairTrack(nodeFs, path, 8000, 4)).toEqual({ dataBytes: 4, changed: true });
    expect(samplesOf(await readFile(path))).toEqual([1, 2]);
    expect(await repairTrack(nodeFs, path, 8000, 100)).toEqual({ dataBytes: 4, changed: false });
  });

  it('a file cut inside its header (never fully written) becomes an empty, playable track', async () => {
    const path = await track();
    await writeFile(path, wavHeader(8000, 0).subarray(0, 10));
    expect(await repairTrack(nodeFs, path, 16000)).toEqual({ dataBytes: 0, changed: true });
    expect(parseWav(await readFile(path))).toMatchObject({ ok: true, sampleRate: 16000, samples: new Int16Array() });
  });

  it('a sound file is left untouched', async () => {
    const path = await track(1, -1);
    const before = await readFile(path);
    expect(await repairTrack(nodeFs, path, 8000)).toEqual({ dataBytes: 4, changed: false });
    expect(await readFile(path)).toEqual(before);
  });

  it('a header with the wrong sample rate is rewritten', async () => {
    const path = await track(1, -1);
    expect(await repairTrack(nodeFs, path, 48000)).toEqual({ dataBytes: 4, changed: true });
    expect(parseWav(await readFile(path))).toMatchObject({ sampleRate: 48000 });
  });
});

describe('createFile, writeDurable, appendLine, fsyncDir', () => {
  it('createFile never replaces a file that exists', async () => {
    const path = join(await tmp(), 'customer.wav');
    await createFile(nodeFs, path, wavHeader(8000, 0));
    expect((await stat(path)).size).toBe(44);
    await expect(createFile(nodeFs, path, Uint8Array.of(1))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path)).toEqual(Buffer.from(wavHeader(8000, 0)));
  });

  it('writeDurable replaces a file whole; when the write fails, the old content stays', async () => {
    const dir = await tmp();
    const path = join(dir, 'end.json');
    await writeDurable(nodeFs, path, '{"a":1}\n');
    await writeDurable(nodeFs, path, '{"a":2}\n');
    expect(await readFile(path, 'utf8')).toBe('{"a":2}\n');
    expect(await readdir(dir)).toEqual(['end.json']);
    const full: RecordingFs = {
      ...nodeFs,
      open: (async (p: string, flags?: string, mode?: number) => {
        const fh = await nodeFs.open(p, flags, mode);
        return Object.assign(Object.create(fh), { write: async () => Promise.reject(errno('ENOSPC')), close: () => fh.close() });
      }) as RecordingFs['open'],
    };
    await expect(writeDurable(full, path, '{"a":3}\n')).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readFile(path, 'utf8')).toBe('{"a":2}\n');
  });

  it('appendLine starts on a fresh line after a torn one, and creates the file', async () => {
    const path = join(await tmp(), 'timeline.jsonl');
    await appendLine(nodeFs, path, '{"n":1}');
    await writeFile(path, '{"n":2,"to', { flag: 'a' });
    await appendLine(nodeFs, path, '{"n":3}');
    await appendLine(nodeFs, path, '{"n":4}');
    expect((await readFile(path, 'utf8')).split('\n')).toEqual(['{"n":1}', '{"n":2,"to', '{"n":3}', '{"n":4}', '']);
  });

  it('fsyncDir syncs a folder, and says so when it is missing', async () => {
    await expect(fsyncDir(nodeFs, await tmp())).resolves.toBeUndefined();
    await expect(fsyncDir(nodeFs, join(await tmp(), 'gone'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('fsReason, isNoSpace', () => {
  it.each([
    [errno('ENOSPC'), 'the disk is full (ENOSPC) at /r/a.wav', true],
    [errno('EDQUOT'), 'the disk is full (EDQUOT) at /r/a.wav', true],
    [errno('EACCES', '/r'), 'permission denied (EACCES) at /r', false],
    [errno('EPERM'), 'permission denied (EPERM) at /r/a.wav', false],
    [errno('EROFS'), 'the disk is read-only (EROFS) at /r/a.wav', false],
    [Object.assign(new Error('EIO: i/o error, write\nstack'), { code: 'EIO' }), 'EIO: i/o error, write at /r/a.wav', false],
    [Object.assign(new Error("ENOENT: no such file or directory, open '/r/x'"), { code: 'ENOENT', path: '/r/x' }), "ENOENT: no such file or directory, open '/r/x'", false],
    ['weird', 'weird at /r/a.wav', false],
  ])('%s → one line naming the cause and the place', (e, reason, noSpace) => {
    expect(fsReason(e, '/r/a.wav')).toBe(reason);
    expect(isNoSpace(e)).toBe(noSpace);
  });
});
