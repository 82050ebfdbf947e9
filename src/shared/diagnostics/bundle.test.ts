import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { newKeyPair, statementFrom } from '../../../tests/support/policy';
import { formatSuperviseHeader } from '../supervision/modes';
import { buildLogBundle, bundleFileName, normalizePageLog, pageLogBundle, pageLogLimits, tailText } from './bundle';
import { redactJson } from './redact';

const createdAt = new Date(2025, 5, 7, 8, 9, 10);
const meta = { appVersion: '0.1.0', host: 'electron', createdAt };
const digestResponse = '6629fae49393a05397450978507c4ef1';
const nonce = '5f2a9c3e8d7b6a5f4e3d2c1b0a9f8e7d';
const password = 'Corr3ct-Horse!';
const pemBody = 'MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF';

async function seededLog(): Promise<{ text: string; token: string }> {
  const { pair } = await newKeyPair();
  const token = await statementFrom(pair, { sup: '1101@whisperline.test', agent: '1001@whisperline.test', mode: 'listen' });
  const text = [
    '2025-06-07T08:00:00.000Z LOG   sip.Transport Sending WebSocket message:',
    '',
    'REGISTER sip:whisperline.test SIP/2.0',
    'Via: SIP/2.0/WS 6dgkohl8tq9s.invalid;branch=z9hG4bK3960401',
    'From: <sip:1001@whisperline.test>;tag=mdh8p0pkdd',
    'To: <sip:1001@whisperline.test>',
    'Call-ID: ljb1b4p9eqanmuhe2r5u',
    'CSeq: 2 REGISTER',
    `Authorization: Digest username="1001", realm="whisperline.test", nonce="${nonce}", uri="sip:whisperline.test", response="${digestResponse}", algorithm=MD5`,
    '',
    '2025-06-07T08:00:05.000Z LOG   sip.Transport Received WebSocket text message:',
    '',
    'INVITE sip:1001@whisperline.test SIP/2.0',
    'Call-ID: sup-7g3k2m1n0p',
    formatSuperviseHeader({ mode: 'listen', callId: null, statement: token }),
    '',
    `2025-06-07T08:00:06.000Z LOG   sip.Transport MESSAGE body ${JSON.stringify({ type: 'proof', stmt: token })}`,
    `2025-06-07T08:00:07.000Z WARN  console settings ${JSON.stringify({ account: { server: 'wss://pbx.example.com', password } })}`,
    '-----BEGIN PRIVATE KEY-----',
    pemBody,
    '-----END PRIVATE KEY-----',
  ].join('\r\n');
  return { text, token };
}

const unzipText = (bytes: Uint8Array) => Object.fromEntries(Object.entries(unzipSync(bytes)).map(([k, v]) => [k, strFromU8(v)]));

describe('buildLogBundle', () => {
  it('packs redacted files with a manifest and README, no secret anywhere', async () => {
    const { text, token } = await seededLog();
    const settings = redactJson({ settings: { account: { password } }, sipPasswordEncrypted: 'djEwAAAAsecretblob' });
    const b = buildLogBundle(
      [
        { name: 'page.log', text },
        { name: 'settings.json', text: JSON.stringify(settings.value), redactions: settings.count },
      ],
      { ...meta, policySummary: 'Acme policy (key ab12)' },
    );
    expect(b.fileName).toBe('whisperline-logs-20250607-080910.zip');
    const files = unzipText(b.bytes);
    expect(Object.keys(files).sort()).toEqual(['README.txt', 'manifest.json', 'page.log', 'settings.json']);
    const secrets = [digestResponse, nonce, token, ...token.split('.'), password, pemBody.slice(8, 40), 'djEwAAAAsecretblob'];
    for (const [name, content] of Object.entries(files)) for (const s of secrets) expect(content, `${name} leaks ${s.slice(0, 12)}`).not.toContain(s);
    expect(files['page.log']).toContain('REGISTER sip:whisperline.test SIP/2.0');
    expect(files['page.log']).toContain('INVITE sip:1001@whisperline.test SIP/2.0');
    expect(files['page.log']).toContain('Call-ID: ljb1b4p9eqanmuhe2r5u');
    expect(files['page.log']).toContain('X-Whisperline-Supervise: mode=listen;stmt=[redacted]');
    const manifest = JSON.parse(files['manifest.json']);
    expect(manifest).toMatchObject({ appVersion: '0.1.0', host: 'electron', createdAt: createdAt.toISOString(), policy: 'Acme policy (key ab12)', redactions: b.redactions });
    expect(manifest.secretsRemoved).toMatch(/were removed from every file/);
    expect(manifest.files.map((f: { name: string; redactions: number }) => [f.name, f.redactions])).toEqual([
      ['page.log', 5],
      ['settings.json', 2],
    ]);
    expect(b.redactions).toBe(7);
    expect(files['README.txt']).toContain('page.log');
    expect(files['README.txt']).toContain('were removed from every file');
  });

  it('keeps the last part of a large file, from a line start, and says so', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${String(i).padStart(5, '0')} ${'x'.repeat(40)}`);
    const b = buildLogBundle([{ name: 'main.log', text: lines.join('\n') }], meta, { maxFileBytes: 10_000 });
    const files = unzipText(b.bytes);
    const body = files['main.log'].split('\n');
    expect(body[0]).toMatch(/^\[… earlier part cut: this is the last 10 KB of 2\d\d KB\]$/);
    expect(body[1]).toMatch(/^line \d{5} x{40}$/);
    expect(body.at(-1)).toContain('line 04999');
    const [entry] = JSON.parse(files['manifest.json']).files;
    expect(entry).toMatchObject({ name: 'main.log', truncated: true });
    expect(entry.note).toMatch(/cut to the last 10 KB/);
  });

  it('redacts before cutting, so a key cut in half cannot show', () => {
    const text = `head\n-----BEGIN PRIVATE KEY-----\n${pemBody}\n${pemBody}\n-----END PRIVATE KEY-----\n${'tail line\n'.repeat(3)}`;
    const b = buildLogBundle([{ name: 'a.log', text }], meta, { maxFileBytes: 120 });
    expect(unzipText(b.bytes)['a.log']).not.toContain(pemBody.slice(8, 40));
  });

  it('gives every file a safe, unique name', () => {
    const b = buildLogBundle(
      [
        { name: '../../etc/passwd', text: 'a' },
        { name: 'README.txt', text: 'b' },
        { name: 'x.log', text: 'c' },
        { name: 'x.log', text: 'd' },
      ],
      meta,
    );
    expect(Object.keys(unzipText(b.bytes)).sort()).toEqual(['README-2.txt', 'README.txt', '_.._etc_passwd', 'manifest.json', 'x-2.log', 'x.log']);
  });
});

describe('tailText', () => {
  it('never splits a character', () => {
    const t = tailText('ä'.repeat(100), 51);
    expect(t.cut).toBe(true);
    expect(t.text).toBe('ä'.repeat(25));
  });
});

describe('bundleFileName', () => {
  it('is whisperline-logs-YYYYMMDD-HHMMSS.zip in local time', () => {
    expect(bundleFileName(new Date(2024, 0, 2, 3, 4, 5))).toBe('whisperline-logs-20240102-030405.zip');
  });
});

describe('normalizePageLog', () => {
  it('refuses what is not a list of lines', () => {
    for (const bad of [null, 'text', { length: 3 }, 42]) {
      const r = normalizePageLog(bad);
      expect(r.text).toBe('');
      expect(r.notes[0]).toMatch(/not a list/);
    }
  });

  it('drops non-text entries and cuts long lines, many lines and large totals', () => {
    const r = normalizePageLog(['a', 7, { x: 1 }, 'b'.repeat(pageLogLimits.lineChars + 10), null]);
    expect(r.lines).toBe(2);
    expect(r.notes.join(' ')).toMatch(/3 page log entries were not text/);
    expect(r.notes.join(' ')).toMatch(/1 page log lines were longer/);
    expect(r.text.split('\n')[1]).toMatch(/… \[line cut\]$/);

    const many = normalizePageLog(Array.from({ length: 100_000 }, (_, i) => `l${i}`));
    expect(many.lines).toBe(pageLogLimits.lines);
    expect(many.text.trimEnd().split('\n').at(-1)).toBe('l99999');

    const big = normalizePageLog(Array.from({ length: 1000 }, () => 'z'.repeat(pageLogLimits.lineChars)));
    expect(big.text.length).toBeLessThanOrEqual(pageLogLimits.totalChars);
    expect(big.notes.join(' ')).toMatch(/newest \d+ lines are kept/);
  });

  it('reads the page’s own redaction count from its header, and only a number', () => {
    expect(normalizePageLog(['# whisperline page log: 2 lines kept, 0 older dropped, 12 secrets removed on capture', 'a']).claimedRedactions).toBe(12);
    expect(normalizePageLog(['# whisperline page log: 99999999999 secrets removed', 'a']).claimedRedactions).toBe(0);
    expect(normalizePageLog(['12 secrets removed']).claimedRedactions).toBe(0);
  });
});

describe('pageLogBundle (web build)', () => {
  it('returns the zip bytes for the page to download', async () => {
    const { text } = await seededLog();
    const r = pageLogBundle(text.split('\r\n'), { appVersion: '0.1.0', createdAt });
    if (!r.ok) throw new Error(r.reason);
    expect(r.savedTo).toBeNull();
    expect(r.redactions).toBeGreaterThanOrEqual(5);
    const files = unzipText(r.bytes!);
    expect(files['page.log']).not.toContain(digestResponse);
    expect(JSON.parse(files['manifest.json']).host).toBe('web');
  });
});
