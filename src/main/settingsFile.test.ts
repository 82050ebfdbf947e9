import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setAsideCorruptSettings } from './settingsFile';

const at = () => new Date('2026-11-24T10:00:00Z');

describe('settings file recovery', () => {
  it('sets a damaged file aside under a new name, keeps its bytes, and explains why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wl-set-'));
    const path = join(dir, 'settings.json');
    await writeFile(path, '{"settings": {"account": ');
    const r = setAsideCorruptSettings(path, at);
    expect(existsSync(path)).toBe(false);
    expect(r.backupPath).toBe(join(dir, 'settings.corrupt-2026-11-24T10-00-00-000Z.json'));
    await expect(readFile(r.backupPath!, 'utf8')).resolves.toBe('{"settings": {"account": ');
    expect(r.notice).toMatch(/damaged.*not valid JSON.*default settings were loaded/);
  });

  it('sets aside a file whose values break the schema', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'wl-set-')), 'settings.json');
    await writeFile(path, JSON.stringify({ settings: { role: 'root' } }));
    expect(setAsideCorruptSettings(path, at).notice).toMatch(/settings\.role/);
  });

  it('leaves a good file and a missing file alone', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'wl-set-')), 'settings.json');
    expect(setAsideCorruptSettings(path, at)).toEqual({ notice: null, backupPath: null });
    await writeFile(path, JSON.stringify({ settings: { role: 'agent' }, sipPasswordEncrypted: 'abc' }));
    expect(setAsideCorruptSettings(path, at)).toEqual({ notice: null, backupPath: null });
    expect(existsSync(path)).toBe(true);
  });
});
