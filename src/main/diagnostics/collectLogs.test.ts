import * as fsp from 'node:fs/promises';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { newKeyPair, statementFrom } from '../../../tests/support/policy';
import { formatSuperviseHeader } from '../../shared/supervision/modes';
import { AuditLog } from '../audit/log';
import { collectLogs, type CollectFs, type CollectLogsOptions } from './collectLogs';

const roots: string[] = [];
afterEach(async () => void (await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })))));
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wl-collect-'));
  roots.push(d);
  return d;
}

const now = new Date(2025, 5, 7, 8, 9, 10);
const digestResponse = '6629fae49393a05397450978507c4ef1';
const nonce = 'YmQ3ZTM4NGItNzQ5Ni00ZTZmLWE2YzItZmE4N2Q5';
const password = 'Tr0ub4dor&3';
const pemBody = 'MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF';
const customer = { number: '+49 171 5551234', digits: '1715551234', name: 'Erika Mustermann', note: 'wants a refund for order 7781' };

const register = [
  'REGISTER sip:whisperline.test SIP/2.0',
  'Via: SIP/2.0/WS 6dgkohl8tq9s.invalid;branch=z9hG4bK3960401',
  'From: <sip:1001@whisperline.test>;tag=mdh8p0pkdd',
  'To: <sip:1001@whisperline.test>',
  'Call-ID: ljb1b4p9eqanmuhe2r5u',
  'CSeq: 2 REGISTER',
  `Authorization: Digest username="1001", realm="whisperline.test", nonce="${nonce}", uri="sip:whisperline.test", response="${digestResponse}", algorithm=MD5`,
  'Content-Length: 0',
].join('\r\n');

/** A profile folder as the app leaves it, with secrets in every place they could hide. */
async function seed(): Promise<{ userData: string; token: string; pageLog: string[] }> {
  const userData = await tmp();
  const { pair } = await newKeyPair();
  const token = await statementFrom(pair, { sup: '1101@whisperline.test', agent: '1001@whisperline.test', mode: 'listen' });
  const invite = ['INVITE sip:1001@whisperline.test SIP/2.0', 'Call-ID: sup-7g3k2m1n0p', formatSuperviseHeader({ mode: 'listen', callId: null, statement: token }), 'Content-Length: 0'].join('\r\n');

  await mkdir(join(userData, 'logs'), { recursive: true });
  await writeFile(join(userData, 'logs', 'main.log'), [`2025-06-07T08:00:00.000Z LOG   ${register}`, `2025-06-07T08:00:01.000Z WARN  provisioning ${JSON.stringify({ password })}`, '-----BEGIN PRIVATE KEY-----', pemBody, '-----END PRIVATE KEY-----', ''].join('\n'));
  await writeFile(join(userData, 'logs', 'main.log.1'), '2025-06-06T08:00:00.000Z LOG   Org policy: Acme\n');

  const audit = new AuditLog(join(userData, 'audit', 'audit.log'), { now: () => now });
  await audit.append({ actor: '1101@whisperline.test', subject: '1001@whisperline.test', call: 'abc@pbx', action: 'join', mode: 'listen', result: 'ok' });
  await audit.append({ actor: '1101@whisperline.test', subject: '1001@whisperline.test', call: 'abc@pbx', action: 'refusal', result: 'refused', reason: `malformed statement ${token}` });
  await audit.close();
  await writeFile(join(userData, 'audit', 'forward-syslog-0123456789abcdef.cursor.json'), JSON.stringify({ seq: 2, hash: 'a'.repeat(64), offset: 100, updatedAt: now.toISOString() }));
  await writeFile(join(userData, 'audit', 'used-statements.jsonl'), `{"key":"1101@whisperline.test ${token.slice(0, 22)}"}\n`);

  await writeFile(
    join(userData, 'settings.json'),
    JSON.stringify({
      settings: { role: 'agent', account: { server: `wss://agent:${password}@pbx.example.com/ws`, domain: 'whisperline.test', extension: '1001', authUser: '1001', password } },
      sipPasswordEncrypted: 'djEwsipPasswordBlob',
      supervisorKeyEncrypted: 'djEwsupervisorKeyBlob',
    }),
  );

  const call = { id: 'ljb1b4p9eqanmuhe2r5u', direction: 'inbound', remote: customer.number, remoteName: customer.name, startedAt: '2025-06-07T07:00:00.000Z', answeredAt: null, endedAt: '2025-06-07T07:00:20.000Z', holdSeconds: 0, transfers: 0, outcome: 'failed', reason: `No answer from ${customer.number} (408)` };
  await writeFile(
    join(userData, 'call-history.jsonl'),
    `${JSON.stringify({ kind: 'call', call })}\n${JSON.stringify({ kind: 'wrapup', callId: call.id, wrapUp: { disposition: 'Refund', resolved: false, note: customer.note }, at: call.endedAt })}\n{"torn`,
  );

  const recDir = join(userData, 'recordings', 'calls', 'rec12345678');
  await mkdir(recDir, { recursive: true });
  await writeFile(join(recDir, 'meta.json'), JSON.stringify({ id: 'rec12345678', callId: call.id, agent: '1001@whisperline.test', remote: customer.number, direction: 'inbound', startedAt: '2025-06-07T07:00:00.000Z', sampleRate: 8000, tracks: ['customer', 'agent'], coachingStorage: 'with-call', retentionDays: 30, coachingRetentionDays: 30, agentNotified: true }));

  const pageLog = [
    '# whisperline page log: 3 lines kept, 0 older dropped, 0 secrets removed on capture',
    `2025-06-07T08:00:00.000Z LOG   sip.Transport Sending WebSocket message:\n\n${register}`,
    `2025-06-07T08:00:05.000Z LOG   sip.Transport Received WebSocket text message:\n\n${invite}`,
    `2025-06-07T08:00:06.000Z LOG   sip.Transport MESSAGE body ${JSON.stringify({ type: 'proof', stmt: token })}`,
  ];
  return { userData, token, pageLog };
}

async function run(over: Partial<CollectLogsOptions> & { userData: string }) {
  const downloadsDir = over.downloadsDir ?? join(await tmp(), 'Downloads');
  const result = await collectLogs({ userDataDir: over.userData, downloadsDir, appVersion: '0.1.0', pageLog: [], now, policySummary: 'Acme policy (key ab12)', ...over });
  return { result, downloadsDir };
}

const unzipText = (path: string) => Object.fromEntries(Object.entries(unzipSync(readFileSync(path))).map(([k, v]) => [k, strFromU8(v)]));

describe('collectLogs', () => {
  it('saves a zip of this desk’s logs with no password, digest, statement, key or customer data', async () => {
    const { userData, token, pageLog } = await seed();
    const { result, downloadsDir } = await run({ userData, pageLog });
    if (!result.ok) throw new Error(result.reason);
    expect(result.fileName).toBe('whisperline-logs-20250607-080910.zip');
    expect(result.savedTo).toBe(join(downloadsDir, result.fileName));
    expect(result.bytes).toBeNull();
    expect(await readdir(downloadsDir)).toEqual([result.fileName]);

    const files = unzipText(result.savedTo!);
    expect(Object.keys(files).sort()).toEqual(['README.txt', 'audit-forwarding.json', 'audit.log', 'call-history-summary.json', 'main.log', 'main.log.1', 'manifest.json', 'page.log', 'recordings-summary.json', 'settings.json']);
    const secrets = [digestResponse, nonce, token, ...token.split('.').map((p) => p.slice(0, 24)), password, pemBody.slice(8, 40), 'djEwsipPasswordBlob', 'djEwsupervisorKeyBlob', customer.number, customer.digits, customer.name, customer.note, 'Refund'];
    for (const [name, text] of Object.entries(files)) for (const s of secrets) expect(text, `${name} leaks ${s.slice(0, 16)}`).not.toContain(s);

    // What support needs is still there.
    expect(files['page.log']).toContain('REGISTER sip:whisperline.test SIP/2.0');
    expect(files['page.log']).toContain('INVITE sip:1001@whisperline.test SIP/2.0');
    expect(files['page.log']).toContain('Call-ID: sup-7g3k2m1n0p');
    expect(files['page.log']).toContain('Authorization: Digest username="1001", realm="whisperline.test", [redacted]');
    expect(files['main.log']).toContain('Call-ID: ljb1b4p9eqanmuhe2r5u');
    expect(files['main.log.1']).toContain('Org policy: Acme');
    expect(files['audit.log']).toContain('"action":"join"');
    expect(JSON.parse(files['audit-forwarding.json'])).toMatchObject({ 'forward-syslog-0123456789abcdef.cursor.json': { seq: 2, offset: 100 } });
    const settings = JSON.parse(files['settings.json']);
    expect(settings.settings.account).toMatchObject({ domain: 'whisperline.test', authUser: '1001', password: '[redacted]', server: 'wss://agent:[redacted]@pbx.example.com/ws' });
    const history = JSON.parse(files['call-history-summary.json']);
    expect(history).toMatchObject({ calls: 1, unreadableLines: 1 });
    expect(history.items[0]).toEqual({ id: 'ljb1b4p9eqanmuhe2r5u', direction: 'inbound', startedAt: '2025-06-07T07:00:00.000Z', answeredAt: null, endedAt: '2025-06-07T07:00:20.000Z', outcome: 'failed', reason: 'No answer from [number] (408)', holdSeconds: 0, transfers: 0, wrapUp: { resolved: false, hasNote: true } });
    const recordings = JSON.parse(files['recordings-summary.json']);
    expect(recordings.items[0]).toMatchObject({ id: 'rec12345678', callId: 'ljb1b4p9eqanmuhe2r5u', direction: 'inbound', endedAt: null });
    expect(recordings.items[0]).not.toHaveProperty('remote');

    const manifest = JSON.parse(files['manifest.json']);
    expect(manifest).toMatchObject({ appVersion: '0.1.0', host: 'electron', policy: 'Acme policy (key ab12)', redactions: result.redactions });
    const counts = Object.fromEntries(manifest.files.map((f: { name: string; redactions: number }) => [f.name, f.redactions]));
    expect(counts).toMatchObject({ 'page.log': 3, 'main.log': 3, 'audit.log': 1, 'settings.json': 4 });
    expect(result.redactions).toBe(11);
    expect(manifest.notes.join(' ')).toMatch(/Not included on purpose/);
  });

  it('works on a fresh profile with nothing in it yet', async () => {
    const { result } = await run({ userData: join(await tmp(), 'none'), pageLog: ['one line'] });
    if (!result.ok) throw new Error(result.reason);
    expect(Object.keys(unzipText(result.savedTo!)).sort()).toEqual(['README.txt', 'manifest.json', 'page.log', 'recordings-summary.json']);
  });

  it('keeps only the newest part of a large log and says so', async () => {
    const userData = await tmp();
    await mkdir(join(userData, 'logs'));
    const line = `2025-06-07T08:00:00.000Z LOG   ${'x'.repeat(90)}\n`;
    await writeFile(join(userData, 'logs', 'main.log'), `FIRST ${line}${line.repeat(40_000)}LAST\n`);
    const { result } = await run({ userData });
    if (!result.ok) throw new Error(result.reason);
    const files = unzipText(result.savedTo!);
    expect(files['main.log']).toMatch(/^2025-06-07T08:00:00.000Z LOG {3}x{90}\n/);
    expect(files['main.log']).toMatch(/LAST\n$/);
    expect(files['main.log']).not.toContain('FIRST');
    const entry = JSON.parse(files['manifest.json']).files.find((f: { name: string }) => f.name === 'main.log');
    expect(entry).toMatchObject({ truncated: true, note: expect.stringMatching(/^the last 2\.5 MB of 4\.\d MB$/) });
  });

  it('refuses a malformed page log and bounds an oversized one', async () => {
    const userData = await tmp();
    const bad = await run({ userData, pageLog: { evil: true } });
    if (!bad.result.ok) throw new Error(bad.result.reason);
    const badFiles = unzipText(bad.result.savedTo!);
    expect(badFiles['page.log']).toBe('');
    expect(JSON.parse(badFiles['manifest.json']).notes[0]).toMatch(/not a list of lines; it was left out/);

    const huge = await run({ userData, pageLog: [...Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'y'.repeat(100)}`), 12, 'z'.repeat(1_000_000)] });
    if (!huge.result.ok) throw new Error(huge.result.reason);
    const files = unzipText(huge.result.savedTo!);
    expect(files['page.log'].length).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(files['page.log']).toMatch(/… \[line cut\]\n$/);
    expect(JSON.parse(files['manifest.json']).notes.join(' ')).toMatch(/had 50002 lines/);
  });

  it('never overwrites an earlier bundle', async () => {
    const userData = await tmp();
    const downloadsDir = join(await tmp(), 'dl');
    const a = await run({ userData, downloadsDir });
    const b = await run({ userData, downloadsDir });
    expect(a.result.ok && b.result.ok).toBe(true);
    expect((await readdir(downloadsDir)).sort()).toEqual(['whisperline-logs-20250607-080910-2.zip', 'whisperline-logs-20250607-080910.zip']);
  });

  it('says so in a sentence when the downloads folder is a file', async () => {
    const userData = await tmp();
    const file = join(await tmp(), 'Downloads');
    await writeFile(file, 'not a folder');
    for (const downloadsDir of [file, join(file, 'below')]) {
      const { result } = await run({ userData, downloadsDir });
      expect(result).toEqual({ ok: false, reason: `The logs could not be saved in ${downloadsDir}: that path is not a folder.` });
    }
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });

  const failing = (where: 'mkdir' | 'write' | 'rename', code: string): CollectFs => {
    const fault = () => Object.assign(new Error(`${code}: injected`), { code });
    return {
      ...fsp,
      mkdir: where === 'mkdir' ? async () => Promise.reject(fault()) : fsp.mkdir,
      rename: where === 'rename' ? async () => Promise.reject(fault()) : fsp.rename,
      open: (async (...args: Parameters<typeof fsp.open>) => {
        const fh = await fsp.open(...args);
        if (where !== 'write' || args[1] !== 'wx') return fh;
        return new Proxy(fh, {
          get(target, key) {
            if (key === 'writeFile' || key === 'write') return async () => Promise.reject(fault());
            const value = Reflect.get(target, key, target) as unknown;
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      }) as typeof fsp.open,
    } as CollectFs;
  };

  for (const [where, code, words] of [
    ['write', 'ENOSPC', 'the disk is full'],
    ['write', 'EIO', 'input/output error (failing disk?)'],
    ['mkdir', 'EACCES', 'permission denied'],
    ['rename', 'EACCES', 'permission denied'],
  ] as const) {
    it(`fails in a sentence and leaves no file on ${code} (${where})`, async () => {
      const { userData, pageLog } = await seed();
      const downloadsDir = join(await tmp(), 'Downloads');
      await mkdir(downloadsDir);
      const { result } = await run({ userData, pageLog, downloadsDir, fs: failing(where, code) });
      expect(result).toEqual({ ok: false, reason: `The logs could not be saved in ${downloadsDir}: ${words}.` });
      expect(await readdir(downloadsDir)).toEqual([]);
    });
  }

  it('notes a file it may not read and goes on', async () => {
    const { userData } = await seed();
    const fs = { ...fsp, open: (async (...args: Parameters<typeof fsp.open>) => (String(args[0]).endsWith('audit.log') ? Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) : fsp.open(...args))) as typeof fsp.open } as CollectFs;
    const { result } = await run({ userData, fs });
    if (!result.ok) throw new Error(result.reason);
    const files = unzipText(result.savedTo!);
    expect(files['audit.log']).toBeUndefined();
    expect(JSON.parse(files['manifest.json']).notes.join(' ')).toMatch(/audit\.log could not be read: permission denied/);
  });

  it('never throws, even when a dependency does', async () => {
    const { userData } = await seed();
    const { result } = await run({ userData, listRecordings: () => Promise.reject(new Error('boom')) });
    expect(result.ok).toBe(true);
  });
});
