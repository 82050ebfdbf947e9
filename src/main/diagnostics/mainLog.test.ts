import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installMainLog, type MainLog, type MainLogFs } from './mainLog';

const dirs: string[] = [];
const logs: MainLog[] = [];
afterEach(() => {
  logs.splice(0).forEach((l) => l.uninstall());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'wl-mainlog-'));
  dirs.push(d);
  return d;
};
const fakeConsole = () => {
  const printed: string[] = [];
  return { printed, log: (...a: unknown[]) => printed.push(`log ${a.join(' ')}`), warn: (...a: unknown[]) => printed.push(`warn ${a.join(' ')}`), error: (...a: unknown[]) => printed.push(`error ${a.join(' ')}`) };
};
const at = new Date('2025-01-02T03:04:05.000Z');

describe('installMainLog', () => {
  it('tees the console into main.log, timestamped and redacted', () => {
    const dir = join(tmp(), 'logs');
    const con = fakeConsole();
    const log = installMainLog(dir, { console: con, now: () => at });
    logs.push(log);
    con.log('Org policy: %s', 'Acme (key ab12)');
    con.warn('provision', { password: 'hunter2', server: 'wss://u:pw@pbx' });
    con.error(new Error('Audit log: disk full'));
    expect(con.printed).toHaveLength(3);
    const text = readFileSync(join(dir, 'main.log'), 'utf8');
    expect(text).toContain('2025-01-02T03:04:05.000Z LOG   Org policy: Acme (key ab12)\n');
    expect(text).toContain("WARN  provision { password: '[redacted]', server: 'wss://u:[redacted]@pbx' }");
    expect(text).toContain('ERROR Error: Audit log: disk full');
    expect(text).not.toContain('hunter2');
    expect(log.dropped()).toBe(0);
  });

  it('rotates to main.log.1, keeping one old file', () => {
    const dir = tmp();
    const con = fakeConsole();
    logs.push(installMainLog(dir, { console: con, now: () => at, maxBytes: 200 }));
    for (let i = 0; i < 20; i++) con.log(`line ${i} ${'x'.repeat(20)}`);
    const now = readFileSync(join(dir, 'main.log'), 'utf8');
    const old = readFileSync(join(dir, 'main.log.1'), 'utf8');
    expect(Buffer.byteLength(now)).toBeLessThanOrEqual(200);
    expect(now).toContain('line 19 ');
    expect(old).not.toContain('line 19 ');
    expect(fs.readdirSync(dir).sort()).toEqual(['main.log', 'main.log.1']);
    // Picks up the size of an existing file on the next start.
    logs.splice(0).forEach((l) => l.uninstall());
    const again = fakeConsole();
    logs.push(installMainLog(dir, { console: again, now: () => at, maxBytes: 200 }));
    again.log('y'.repeat(150));
    expect(readFileSync(join(dir, 'main.log'), 'utf8')).toMatch(/^\S+ LOG {3}y{150}\n$/);
  });

  it('drops lines on a full disk without throwing, and says so when it can write again', () => {
    const dir = tmp();
    let full = true;
    const faulty: MainLogFs = {
      ...fs,
      appendFileSync: ((...args: Parameters<typeof fs.appendFileSync>) => {
        if (full) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        return fs.appendFileSync(...args);
      }) as typeof fs.appendFileSync,
    };
    const con = fakeConsole();
    const log = installMainLog(dir, { console: con, now: () => at, fs: faulty });
    logs.push(log);
    expect(() => {
      con.error('one');
      con.error('two');
    }).not.toThrow();
    expect(con.printed).toEqual(['error one', 'error two']);
    expect(log.dropped()).toBe(2);
    full = false;
    con.log('three');
    const text = readFileSync(join(dir, 'main.log'), 'utf8');
    expect(text).toContain('[main log: 2 lines could not be written (the disk is full)]');
    expect(text).toContain('LOG   three');
    expect(text).not.toContain('one');
  });

  it('survives a folder it cannot create', () => {
    const file = join(tmp(), 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const con = fakeConsole();
    const log = installMainLog(join(file, 'logs'), { console: con, now: () => at });
    logs.push(log);
    expect(() => con.warn('hello')).not.toThrow();
    expect(log.dropped()).toBe(1);
    expect(con.printed).toEqual(['warn hello']);
  });

  it('puts the console back and replaces an earlier install', () => {
    const con = fakeConsole();
    const original = con.log;
    const first = installMainLog(tmp(), { console: con });
    const second = installMainLog(tmp(), { console: con });
    logs.push(first, second);
    second.uninstall();
    expect(con.log).toBe(original);
  });
});
