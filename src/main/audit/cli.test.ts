import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAuditCommand } from './cli';
import { AuditLog } from './log';
import { sampleEvents } from './testing/fixtures';

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runAuditCommand(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** A real log written by AuditLog: the sample events, then 14 more. */
async function writtenLog(): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'wl-audit-cli-')), 'audit.jsonl');
  const log = new AuditLog(path);
  for (const e of sampleEvents) await log.append(e);
  for (let i = 0; i < 14; i++) await log.append({ ...sampleEvents[1], at: `2026-03-03T10:00:${String(i).padStart(2, '0')}.000Z` });
  await log.close();
  return path;
}

describe('audit CLI', () => {
  it('verify: prints ok and the entry count for an intact log', async () => {
    const file = await writtenLog();
    const r = await run(['verify', file]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^ok: 20 entries, chain intact \(last seq 20, hash [0-9a-f]{64}\)\n$/);
  });

  it('verify: one changed byte in the middle of the file is reported on its line', async () => {
    const file = await writtenLog();
    const bytes = await readFile(file);
    const lines = bytes.toString('utf8').split('\n');
    // Line 11: change one byte inside its "subject" value.
    const offset = Buffer.byteLength(lines.slice(0, 10).join('\n') + '\n') + Buffer.byteLength(lines[10].slice(0, lines[10].indexOf('agent1')));
    bytes[offset] = 'A'.charCodeAt(0);
    await writeFile(file, bytes);
    const r = await run(['verify', file]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAILED: line 11: edited: entry seq 11 was edited/);
    expect(r.out).toMatch(/10 entries before it verified/);
  });

  it('verify: a removed line and two swapped lines are reported', async () => {
    const file = await writtenLog();
    const lines = (await readFile(file, 'utf8')).split('\n');
    const removed = lines.filter((_, i) => i !== 7);
    await writeFile(file, removed.join('\n'));
    expect((await run(['verify', file])).out).toMatch(/^FAILED: line 8: removed-or-reordered: expected seq 8, found 9/);
    const swapped = [...lines];
    [swapped[12], swapped[15]] = [swapped[15], swapped[12]];
    await writeFile(file, swapped.join('\n'));
    const r = await run(['verify', file]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAILED: line 13: removed-or-reordered: expected seq 13, found 16/);
  });

  it('verify: a torn last line is explained; --head catches entries cut off the end', async () => {
    const file = await writtenLog();
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, -30));
    const torn = await run(['verify', file]);
    expect(torn.code).toBe(1);
    expect(torn.out).toMatch(/line 20: truncated/);
    expect(torn.out).toMatch(/crash mid-write/);

    const lines = text.split('\n');
    const last = JSON.parse(lines[19]);
    await writeFile(file, lines.slice(0, 18).join('\n') + '\n');
    expect((await run(['verify', file])).code).toBe(0);
    const r = await run(['verify', file, '--head', `20:${last.hash}`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/tail-removed: the log ends at seq 18 but seq 20 was recorded elsewhere/);
  });

  it('verify: usage and file errors exit 2 with a message', async () => {
    expect(await run(['verify'])).toMatchObject({ code: 2, err: expect.stringMatching(/exactly one log file/) });
    expect(await run(['verify', '/nonexistent/audit.jsonl'])).toMatchObject({ code: 2, err: expect.stringMatching(/no such file/) });
    expect(await run(['verify', 'x', '--head', 'nope'])).toMatchObject({ code: 2 });
    expect(await run(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command/) });
    expect(await run(['help'])).toMatchObject({ code: 0, out: expect.stringMatching(/export-csv/) });
  });

  it('export-csv: the entries of a date range, header first', async () => {
    const file = await writtenLog();
    const r = await run(['export-csv', file, '--from', '2026-03-02', '--to=2026-03-03']);
    expect(r).toMatchObject({ code: 0, err: '' });
    const rows = r.out.split('\r\n').filter((l) => l !== '');
    expect(rows[0]).toMatch(/^seq,at,actor,/);
    expect(rows.slice(1).map((l) => l.split(',')[0])).toEqual(['6', ...Array.from({ length: 14 }, (_, i) => String(i + 7))]);
    expect(rows[1]).toContain(`"'=HYPERLINK(""http://127.0.0.1/x"",""click"")"`);
  });

  it('export-csv: refuses a log that does not verify, leaves out a torn last line with a note', async () => {
    const file = await writtenLog();
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"seq":3,', '"seq":3 ,'));
    const bad = await run(['export-csv', file, '--from', '2026-03-01', '--to', '2026-03-31']);
    expect(bad).toMatchObject({ code: 1, out: '' });
    expect(bad.err).toMatch(/does not verify \(line 3/);
    await writeFile(file, text + '{"seq":21,"at":"2026-03-0');
    const torn = await run(['export-csv', file, '--from', '2026-03-01', '--to', '2026-03-31']);
    expect(torn.code).toBe(0);
    expect(torn.err).toMatch(/line 21 is torn/);
    expect(torn.out.split('\r\n').filter((l) => l !== '')).toHaveLength(21);
    expect(await run(['export-csv', file, '--from', '2026-03-01'])).toMatchObject({ code: 2, err: expect.stringMatching(/needs --from and --to/) });
  });
});
