import { mkdtemp, readFile, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../shared/callHistory';
import { HistoryFile } from './historyFile';

const call = (id: string): CallRecord => ({
  id,
  direction: 'outbound',
  remote: 'sip:2001@x',
  remoteName: '',
  startedAt: `2026-01-01T10:00:0${id.length}Z`,
  answeredAt: null,
  endedAt: '2026-01-01T10:00:09Z',
  holdSeconds: 0,
  transfers: 0,
  outcome: 'cancelled',
  reason: '',
});

describe('call history file', () => {
  it('keeps every call across restarts, one line each, even when written at once', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'wl-hist-')), 'nested', 'history.jsonl');
    const file = new HistoryFile(path);
    await Promise.all(['a', 'bb', 'ccc'].map((id) => file.append({ kind: 'call', call: call(id) })));
    const reopened = new HistoryFile(path);
    expect((await reopened.read()).items.map((i) => i.id).sort()).toEqual(['a', 'bb', 'ccc']);
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(3);
  });

  it('after a crash left half a line, new entries start on a fresh line and nothing earlier is lost', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'wl-hist-')), 'history.jsonl');
    await writeFile(path, JSON.stringify({ kind: 'call', call: call('a') }) + '\n');
    await appendFile(path, '{"kind":"call","call":{"id":"torn');
    const file = new HistoryFile(path);
    await file.append({ kind: 'call', call: call('bb') });
    const { items, skippedLines } = await file.read();
    expect(items.map((i) => i.id).sort()).toEqual(['a', 'bb']);
    expect(skippedLines).toBe(1);
  });

  it('reports a full disk in words and rejects the write', async () => {
    const file = new HistoryFile('/dev/full');
    await expect(file.append({ kind: 'call', call: call('a') })).rejects.toThrow(/disk is full/);
  });

  it('reads a missing file as an empty history', async () => {
    const file = new HistoryFile(join(tmpdir(), 'wl-does-not-exist', 'h.jsonl'));
    await expect(file.read()).resolves.toEqual({ items: [], skippedLines: 0 });
  });
});
