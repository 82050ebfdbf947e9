import * as fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import { wavHeader, wavHeaderBytes } from '../../shared/recording/wav';
import { describeFsError } from '../historyFile';
import { fsyncFolder } from '../fsyncFolder';

/**
 * The file operations the recording store uses, injectable so a test can make a write fail
 * (ENOSPC, EACCES) at a chosen moment. Defaults to node:fs/promises.
 */
export type RecordingFs = Pick<typeof fsp, 'open' | 'mkdir' | 'rename' | 'readFile' | 'readdir' | 'rm' | 'stat'>;
type Handle = Awaited<ReturnType<RecordingFs['open']>>;

/** What went wrong, one line: "the disk is full (ENOSPC) at /path". */
export function fsReason(e: unknown, path: string): string {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const where = err?.path ?? path;
  if (code === 'ENOSPC' || code === 'EDQUOT') return `the disk is full (${code}) at ${where}`;
  if (code && ['EACCES', 'EPERM', 'EROFS'].includes(code)) return `${describeFsError(e)} (${code}) at ${where}`;
  const message = String(err?.message ?? e).split('\n')[0];
  return err?.path ? message : `${message} at ${where}`;
}

/** The disk (not the program) is out of room: worth its own status (HTTP 507). */
export function isNoSpace(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export async function writeFully(fh: Handle, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error('no bytes written'), { code: 'EIO' });
    done += bytesWritten;
  }
}

const zeros = new Uint8Array(64 * 1024);

/**
 * Appends `gapBytes` of silence then `data` after the first `dataBytes` bytes of samples, then
 * sets the header's sizes to match, then fsyncs. Positional writes: a retry after a failure
 * overwrites instead of appending twice.
 */
export async function appendSamples(fs: RecordingFs, path: string, sampleRate: number, dataBytes: number, gapBytes: number, data: Uint8Array): Promise<void> {
  const fh = await fs.open(path, 'r+');
  try {
    let at = wavHeaderBytes + dataBytes;
    for (let left = gapBytes; left > 0; ) {
      const n = Math.min(left, zeros.length);
      await writeFully(fh, zeros.subarray(0, n), at);
      at += n;
      left -= n;
    }
    await writeFully(fh, data, at);
    await writeFully(fh, wavHeader(sampleRate, dataBytes + gapBytes + data.length), 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Makes a track file play whatever it holds: a torn half-frame is cut, the header rewritten for
 * the bytes present (a fresh one if it was never fully written). Returns its data bytes.
 */
export async function repairTrack(fs: RecordingFs, path: string, sampleRate: number, keepBytes?: number): Promise<{ dataBytes: number; changed: boolean }> {
  const fh = await fs.open(path, 'r+');
  try {
    const { size } = await fh.stat();
    const present = Math.max(0, size - wavHeaderBytes);
    const dataBytes = Math.min(present - (present % 2), keepBytes ?? Infinity);
    const want = wavHeader(sampleRate, dataBytes);
    const have = new Uint8Array(wavHeaderBytes);
    await fh.read(have, 0, wavHeaderBytes, 0);
    const changed = size !== wavHeaderBytes + dataBytes || !have.every((b, i) => b === want[i]);
    if (changed) {
      if (size > wavHeaderBytes + dataBytes) await fh.truncate(wavHeaderBytes + dataBytes);
      await writeFully(fh, want, 0);
      await fh.sync();
    }
    return { dataBytes, changed };
  } finally {
    await fh.close();
  }
}

/** Creates a file that must not exist yet with `bytes`, fsynced. */
export async function createFile(fs: RecordingFs, path: string, bytes: Uint8Array): Promise<void> {
  const fh = await fs.open(path, 'wx', 0o600);
  try {
    await writeFully(fh, bytes, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `path` atomically: temp file, fsync, rename, fsync the folder. */
export async function writeDurable(fs: RecordingFs, path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await fs.open(tmp, 'w', 0o600);
  try {
    await writeFully(fh, Buffer.from(text, 'utf8'), 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, path);
  await fsyncDir(fs, dirname(path));
}

/** One JSON line, fsynced; starts on a fresh line if the last one was torn by a crash. */
export async function appendLine(fs: RecordingFs, path: string, json: string): Promise<void> {
  const fh = await fs.open(path, 'a+', 0o600);
  try {
    const { size } = await fh.stat();
    let prefix = '';
    if (size > 0) {
      const last = new Uint8Array(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    const buf = Buffer.from(`${prefix}${json}\n`, 'utf8');
    await writeFully(fh, buf, size);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export function fsyncDir(fs: RecordingFs, dir: string): Promise<void> {
  return fsyncFolder(dir, fs);
}
