import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReplayRecord } from './replayRecord';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wl-replay-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = (sec: number) => () => new Date(sec * 1000);

describe('the record of used supervision statements', () => {
  it('is found again by the next start, without what expired', async () => {
    const path = join(dir, 'used.jsonl');
    const first = new FileReplayRecord(path, { now: at(1000) });
    await first.load();
    await first.remember('1101@x n1', 1090);
    await first.remember('1101@x n2', 2000);
    expect(await new FileReplayRecord(path, { now: at(1100) }).load()).toEqual([{ key: '1101@x n2', forgetAfterSec: 2000 }]);
  });

  it('skips a torn last line and junk (a crash mid-write, a hand edit) and keeps the rest', async () => {
    const path = join(dir, 'used.jsonl');
    const r = new FileReplayRecord(path, { now: at(1000) });
    await r.remember('a', 5000);
    appendFileSync(path, '{"k":"torn","t":50');
    writeFileSync(path, `${readFileSync(path, 'utf8')}\nnot json\n{"k":5,"t":"x"}\n`);
    await r.remember('b', 5000);
    expect((await new FileReplayRecord(path, { now: at(1000) }).load()).map((e) => e.key).sort()).toEqual(['a', 'b']);
  });

  it('stays bounded: past maxLines it is rewritten with the live entries only', async () => {
    const path = join(dir, 'used.jsonl');
    let now = 1000;
    const r = new FileReplayRecord(path, { maxLines: 10, now: () => new Date(now * 1000) });
    for (let i = 0; i < 25; i++) {
      await r.remember(`k${i}`, now + 5);
      now += 1;
    }
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(10);
    // Whatever is still live is still there.
    const live = (await new FileReplayRecord(path, { now: () => new Date(now * 1000) }).load()).map((e) => e.key);
    for (let i = 21; i < 25; i++) expect(live).toContain(`k${i}`);
  });

  it('says which file could not be written, in words', async () => {
    const r = new FileReplayRecord('/dev/full');
    await expect(r.remember('a', 10)).rejects.toThrow(/\/dev\/full: the disk is full/);
  });
});
