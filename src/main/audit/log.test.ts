import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyChain } from './chain';
import type { AuditEvent } from './entry';
import { AuditLog, AuditLogError, verifyLogFile } from './log';
import { logText, chainOf } from './testing/fixtures';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const appender = fileURLToPath(new URL('./testing/appender.ts', import.meta.url));
const tempDir = () => mkdtemp(join(tmpdir(), 'wl-audit-'));
const ev = (i: number): AuditEvent => ({ actor: 'sip:sup@x', subject: 'sip:agent@x', call: `call-${i}`, action: 'mode', mode: 'whisper', result: 'ok' });

/** Polls `cond` every 50 ms; fails after `ceilingMs` (a busy machine is slow, not wrong). */
async function until(cond: () => boolean, what: string, ceilingMs = 60_000): Promise<void> {
  const end = Date.now() + ceilingMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the appender in its own Node process; collects the seqs it reported as acknowledged. */
function startAppender(log: string, args: string[] = [], shellPrefix = '') {
  const node = [process.execPath, '--import', 'tsx', appender, log, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('sh', ['-c', `${shellPrefix}exec ${node}`], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: number[] = [];
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      const m = /^ack (\d+)$/.exec(line);
      if (m) acked.push(Number(m[1]));
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, acked, lines, exited, stderr: () => stderr };
}

describe('audit log file', () => {
  it('records concurrent appends in call order, one chained line each, and continues the chain after a reopen', async () => {
    const path = join(await tempDir(), 'nested', 'deeper', 'audit.jsonl');
    const log = new AuditLog(path);
    const entries = await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(ev(i))));
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(entries.map((e) => e.call)).toEqual(Array.from({ length: 40 }, (_, i) => `call-${i}`));
    expect(log.head).toEqual({ seq: 40, hash: entries[39].hash });
    await log.close();
    await expect(log.append(ev(99))).rejects.toMatchObject({ code: 'closed' });

    const again = new AuditLog(path);
    expect(await again.open()).toEqual({ created: false, head: { seq: 40, hash: entries[39].hash } });
    const next = await again.append(ev(40));
    expect(next).toMatchObject({ seq: 41, prevHash: entries[39].hash });
    await again.close();
    const result = await verifyLogFile(path);
    expect(result.ok).toBe(true);
    expect(result.entries).toHaveLength(41);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('wakes listeners after each acknowledged append and tells how many bytes are acknowledged', async () => {
    const path = join(await tempDir(), 'audit.jsonl');
    const log = new AuditLog(path);
    const seen: number[] = [];
    const off = log.onAppend((e) => seen.push(e.seq));
    await log.append(ev(1));
    await log.append(ev(2));
    off();
    await log.append(ev(3));
    expect(seen).toEqual([1, 2]);
    expect(log.durableSize).toBe((await stat(path)).size);
    await log.close();
  });

  it('sets a torn last line aside in the .torn file (exact bytes) and continues from the last good entry', async () => {
    const path = join(await tempDir(), 'audit.jsonl');
    const good = chainOf().slice(0, 3);
    const torn = '{"action":"leave","actor":"sip:sup@pbx.test","at":"2026-03-01T09:0';
    await writeFile(path, logText(good) + torn);
    expect(verifyChain((await readFile(path, 'utf8')).split('\n')).firstBad).toMatchObject({ line: 4, problem: 'truncated' });

    const log = new AuditLog(path, { now: () => new Date('2026-03-05T00:00:00Z') });
    const report = await log.open();
    expect(report).toEqual({
      created: false,
      head: { seq: 3, hash: good[2].hash },
      setAside: { offset: Buffer.byteLength(logText(good)), bytes: torn.length, tornPath: `${path}.torn` },
    });
    const record = JSON.parse((await readFile(`${path}.torn`, 'utf8')).trim());
    expect(record).toMatchObject({ log: 'audit.jsonl', setAsideAt: '2026-03-05T00:00:00.000Z', text: torn, length: torn.length });
    expect(Buffer.from(record.base64, 'base64').toString('utf8')).toBe(torn);

    expect(await log.append(ev(4))).toMatchObject({ seq: 4, prevHash: good[2].hash });
    await log.close();
    expect((await verifyLogFile(path)).ok).toBe(true);
  });

  it('refuses to append to a log whose last entry was edited, with the reason', async () => {
    const path = join(await tempDir(), 'audit.jsonl');
    await writeFile(path, logText(chainOf().slice(0, 3)).replace('prompt', 'pronpt'));
    const log = new AuditLog(path);
    const err = await log.append(ev(1)).catch((e) => e);
    expect(err).toBeInstanceOf(AuditLogError);
    expect(err).toMatchObject({ code: 'damaged' });
    expect(err.message).toMatch(/damaged .*last entry/);
  });

  it('rejects an append on a full disk, in words', async () => {
    const log = new AuditLog('/dev/full');
    const err = await log.append(ev(1)).catch((e) => e);
    expect(err).toMatchObject({ code: 'write-failed' });
    expect(err.message).toMatch(/the disk is full.*not recorded/);
  });

  it('when the file cannot grow mid-write (size limit), the partial line is rolled back and no acknowledged entry is lost', async () => {
    const path = join(await tempDir(), 'audit.jsonl');
    // 16 blocks of 512 bytes for the child only; entries are ~700 bytes, so one write is cut short.
    const run = startAppender(path, ['--reason-bytes', '350'], 'ulimit -f 16; ');
    const { code } = await run.exited;
    expect(run.stderr()).toBe('');
    expect(code).toBe(3);
    expect(run.lines.at(-1)).toMatch(/^error .*file is too large.*not recorded/);
    const size = (await stat(path)).size;
    expect(size).toBeLessThanOrEqual(16 * 512);
    const result = await verifyLogFile(path); // no torn line: the partial write was cut back
    expect(result.ok).toBe(true);
    expect(result.entries.map((e) => e.seq)).toEqual(run.acked);
    expect(run.acked.length).toBeGreaterThan(3);

    // Without the limit the chain goes on.
    const log = new AuditLog(path);
    expect(await log.append(ev(1))).toMatchObject({ seq: run.acked.length + 1 });
    await log.close();
    expect((await verifyLogFile(path)).ok).toBe(true);
  }, 120_000);

  it('keeps every acknowledged entry when the writing process is killed (SIGKILL) at random moments', async () => {
    const path = join(await tempDir(), 'audit.jsonl');
    const acked: number[] = [];
    for (let round = 0; round < 3; round++) {
      const run = startAppender(path);
      const target = acked.length + 5 + Math.floor(Math.random() * 40);
      await until(() => acked.length + run.acked.length >= target || run.child.exitCode !== null, `${target} acknowledged appends`);
      await new Promise((r) => setTimeout(r, Math.random() * 20)); // somewhere inside the next append
      run.child.kill('SIGKILL');
      const { signal } = await run.exited;
      expect(signal, run.stderr()).toBe('SIGKILL');
      acked.push(...run.acked);
      // A new process picks the chain up where the killed one left it.
      expect(run.lines[0]).toMatch(/^open \d+/);
    }
    // Strictly increasing: each process continued the chain (a round may have written one entry it never got to report).
    expect(acked.every((s, i) => i === 0 || s > acked[i - 1])).toBe(true);

    const log = new AuditLog(path);
    await log.open(); // sets a torn tail aside, if the kill left one
    await log.close();
    const result = await verifyLogFile(path);
    expect(result.ok, JSON.stringify(result.firstBad)).toBe(true);
    const inFile = new Set(result.entries.map((e) => e.seq));
    for (const seq of acked) expect(inFile.has(seq)).toBe(true);
    expect(result.entries.map((e) => e.seq)).toEqual(Array.from({ length: result.entries.length }, (_, i) => i + 1));
  }, 180_000);

  it('after a crash mid-write left half a line, a new process sets it aside and goes on (real child process)', async () => {
    const path = join(await tempDir(), 'audit.jsonl');
    const first = startAppender(path, ['--count', '3']);
    await first.exited;
    await appendFile(path, '{"action":"join","act'); // what a power cut mid-write leaves
    const second = startAppender(path, ['--count', '2']);
    expect((await second.exited).code).toBe(0);
    expect(second.lines[0]).toBe('open 3 set-aside 21');
    expect(second.acked).toEqual([4, 5]);
    expect((await verifyLogFile(path)).ok).toBe(true);
    expect(await readFile(`${path}.torn`, 'utf8')).toContain('{\\"action\\":\\"join\\",\\"act');
  }, 120_000);
});
