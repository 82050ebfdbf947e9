import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newKeyPair, statementFrom } from '../../../tests/support/policy';
import { formatSuperviseHeader } from '../supervision/modes';
import { isSecretKey, redactJson, redactText, redactionMarker } from './redact';

const digestResponse = '6629fae49393a05397450978507c4ef1';
const nonce = 'Zk3vQ2a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7';
const cnonce = 'f2e1d0c9b8a7';

const register = [
  'REGISTER sip:whisperline.test SIP/2.0',
  'Via: SIP/2.0/WS 6dgkohl8tq9s.invalid;branch=z9hG4bK3960401',
  'To: <sip:1001@whisperline.test>',
  'From: "Agent 1001" <sip:1001@whisperline.test>;tag=mdh8p0pkdd',
  'CSeq: 2 REGISTER',
  'Call-ID: ljb1b4p9eqanmuhe2r5u',
  `Authorization: Digest algorithm=MD5, username="1001", realm="whisperline.test", nonce="${nonce}", uri="sip:whisperline.test", response="${digestResponse}", qop=auth, cnonce="${cnonce}", nc=00000001`,
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

const challenge = [
  'SIP/2.0 401 Unauthorized',
  'Call-ID: ljb1b4p9eqanmuhe2r5u',
  `WWW-Authenticate: Digest realm="whisperline.test", nonce="${nonce}", qop="auth", opaque="abcdef0123456789"`,
  '',
].join('\r\n');

describe('redactText', () => {
  it('removes digest credentials and keeps the SIP lines support needs', () => {
    const r = redactText(register);
    for (const secret of [digestResponse, nonce, cnonce]) expect(r.text).not.toContain(secret);
    expect(r.text).toContain('REGISTER sip:whisperline.test SIP/2.0');
    expect(r.text).toContain('Call-ID: ljb1b4p9eqanmuhe2r5u');
    expect(r.text).toContain('From: "Agent 1001" <sip:1001@whisperline.test>;tag=mdh8p0pkdd');
    expect(r.text).toContain('CSeq: 2 REGISTER');
    expect(r.text).toMatch(/Authorization: Digest username="1001", realm="whisperline.test", \[redacted\]\r\n/);
    expect(r.count).toBe(1);
  });

  it('removes nonces and opaque from challenges', () => {
    const r = redactText(challenge);
    expect(r.text).not.toContain(nonce);
    expect(r.text).not.toContain('abcdef0123456789');
    expect(r.text).toContain('realm="whisperline.test"');
    expect(r.text).toContain('SIP/2.0 401 Unauthorized');
    expect(r.count).toBe(2);
  });

  it('handles a SIP message escaped inside a JSON string', () => {
    const line = JSON.stringify({ msg: register });
    const r = redactText(line);
    for (const secret of [digestResponse, nonce, cnonce]) expect(r.text).not.toContain(secret);
    expect(r.text).toContain('Call-ID: ljb1b4p9eqanmuhe2r5u');
    expect(() => JSON.parse(r.text)).not.toThrow();
  });

  it('removes Proxy-Authorization and other schemes', () => {
    const r = redactText('Proxy-Authorization: Digest username="1001", response="abc123"\nAuthorization: Bearer abc.def.ghi\nAuthorization: Basic dXNlcjpwYXNz');
    expect(r.text).not.toMatch(/abc123|abc\.def|dXNlcjpwYXNz/);
    expect(r.text).toContain('Proxy-Authorization: Digest username="1001", [redacted]');
    expect(r.text).toContain('Authorization: Basic [redacted]');
  });

  it('removes supervision statements wherever they appear', async () => {
    const { pair } = await newKeyPair();
    const token = await statementFrom(pair, { sup: '1101@whisperline.test', agent: '1001@whisperline.test', mode: 'listen' });
    const [payload, signature, key] = token.split('.');
    const texts = [
      formatSuperviseHeader({ mode: 'listen', callId: 'abc@host', statement: token }),
      `MESSAGE body: ${JSON.stringify({ type: 'proof', stmt: token })}`,
      `{"token":"${token}"}`,
      `refused statement ${token} (expired)`,
      `stmt=${token.slice(0, 200)}`,
      `cut off: ${payload}`,
    ];
    for (const text of texts) {
      const r = redactText(text);
      expect(r.text).not.toContain(signature);
      expect(r.text).not.toContain(key);
      expect(r.text).not.toContain(payload.slice(0, 30));
      expect(r.count).toBeGreaterThanOrEqual(1);
    }
    expect(redactText(formatSuperviseHeader({ mode: 'listen', callId: 'abc@host', statement: token })).text).toBe('X-Whisperline-Supervise: mode=listen;call=abc@host;stmt=[redacted]');
  });

  it('removes challenge nonces', () => {
    const r = redactText(JSON.stringify({ type: 'challenge', challenge: 'AbCdEfGhIjKlMnOpQrStUv', call: 'c@x', mode: 'listen' }));
    expect(r.text).not.toContain('AbCdEfGhIjKlMnOpQrStUv');
    expect(r.text).toContain('"call":"c@x"');
  });

  it('removes passwords and keys in JSON, JS and key=value forms', () => {
    const cases: [string, string][] = [
      ['{"password": "hunter2"}', 'hunter2'],
      ['{"sipPassword":"s3cr3t!"}', 's3cr3t!'],
      ["{ authorizationPassword: 'pa ss' }", 'pa ss'],
      ['{"supervisorKeyEncrypted":"djEwAAAA+enc"}', 'djEwAAAA'],
      ['{"sipPasswordEncrypted":"djEwBBBB"}', 'djEwBBBB'],
      ['{"privateKey":"xyz-priv"}', 'xyz-priv'],
      ['{"secret":"s-e-c"}', 's-e-c'],
      ['login password=qwerty123&user=1001', 'qwerty123'],
      ['{\\"password\\":\\"inner\\"}', 'inner'],
      ['{"d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}', 'nWGxne_9WmC6'],
      ['a=ice-pwd:asd88fgpdd777uzjYhagZg', 'asd88fgpdd777uzjYhagZg'],
      ['a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32', 'PS1uQCVeeCFCanVmcjkp'],
    ];
    for (const [text, secret] of cases) {
      const r = redactText(text);
      expect(r.text, text).not.toContain(secret);
      expect(r.text).toContain(redactionMarker);
    }
    expect(redactText('{"hasPassword":true,"authUser":"1001"}')).toEqual({ text: '{"hasPassword":true,"authUser":"1001"}', count: 0 });
  });

  it('removes credentials in URLs, keeping host and user', () => {
    const r = redactText('server wss://agent:Pa55w0rd@pbx.example.com:8089/ws and sip:1001:topsecret@whisperline.test');
    expect(r.text).toBe('server wss://agent:[redacted]@pbx.example.com:8089/ws and sip:1001:[redacted]@whisperline.test');
    expect(r.count).toBe(2);
    expect(redactText('sip:1001@whisperline.test:5060;transport=ws ws://127.0.0.1:5066').count).toBe(0);
  });

  it('removes PEM private keys, whole or cut', () => {
    const body = 'MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF';
    const pem = `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`;
    for (const text of [`before\n${pem}\nafter`, `x ${JSON.stringify(pem)} y`, `${body}\n-----END PRIVATE KEY-----\nafter`, `-----BEGIN RSA PRIVATE KEY-----\n${body}`, `raw ${body}`]) {
      const r = redactText(text);
      expect(r.text, text).not.toContain(body.slice(10, 40));
      expect(r.count).toBeGreaterThanOrEqual(1);
    }
    expect(redactText(`before\n${pem}\nafter`).text).toBe('before\n[redacted] (private key)\nafter');
  });

  it('leaves ordinary log text alone', () => {
    const text = [
      'INVITE sip:1001@whisperline.test SIP/2.0',
      'Contact: <sip:abc@6dgkohl8tq9s.invalid;transport=ws>;+sip.ice',
      'SIP/2.0 403 Replayed Statement',
      'Basic rate interface down',
      'Wrong password (401): check the auth user',
      'Org policy: Whisperline Inc (key ab12cd34), valid until 2026-01-01',
      'a=fingerprint:sha-256 AB:CD:EF:01',
      'a=ice-ufrag:Ab12',
    ].join('\n');
    expect(redactText(text)).toEqual({ text, count: 0 });
  });

  it('is idempotent and does not count twice', () => {
    const once = redactText(`${register}\n{"password":"x1"}\nstmt=abc`);
    const twice = redactText(once.text);
    expect(twice).toEqual({ text: once.text, count: 0 });
  });
});

describe('redactJson', () => {
  it('replaces values under secret keys and redacts strings elsewhere', () => {
    const input = {
      settings: { account: { server: 'wss://u:pw@pbx', authUser: '1001', password: 'p' }, role: 'agent' },
      sipPasswordEncrypted: 'djEw...',
      supervisorKeyEncrypted: 'djEw...',
      hasPassword: true,
      nested: [{ token: 42 }, { secret: { deep: 'x' } }, { note: `{"stmt":"a.b.c"}` }],
    };
    const r = redactJson(input);
    expect(r.value).toEqual({
      settings: { account: { server: 'wss://u:[redacted]@pbx', authUser: '1001', password: '[redacted]' }, role: 'agent' },
      sipPasswordEncrypted: '[redacted]',
      supervisorKeyEncrypted: '[redacted]',
      hasPassword: true,
      nested: [{ token: '[redacted]' }, { secret: '[redacted]' }, { note: '{"stmt":"[redacted]"}' }],
    });
    expect(r.count).toBe(7);
    expect(input.settings.account.password).toBe('p');
  });

  it('knows the project’s secret keys', () => {
    for (const k of ['password', 'sipPassword', 'secret', 'privateKey', 'supervisorKeyEncrypted', 'sipPasswordEncrypted', 'stmt', 'token', 'd']) expect(isSecretKey(k), k).toBe(true);
    for (const k of ['authUser', 'publicKey', 'keyId', 'server', 'callId', 'displayName']) expect(isSecretKey(k), k).toBe(false);
  });
});

describe('redactText edge cases', () => {
  it('hides a value whose quote was never closed (a line cut short)', () => {
    for (const text of ['{"password":"hunter2 and the rest', "secret: 'abc", 'WWW-Authenticate: Digest realm="x", nonce="abcdef012345']) {
      const r = redactText(text);
      expect(r.text, text).not.toMatch(/hunter2|abc\b|abcdef012345/);
      expect(r.count).toBe(1);
    }
  });

  it('catches digest responses and short secret names in JSON, not sha1 fields', () => {
    const r = redactText(`{"response":"${'ab'.repeat(16)}","pin":"1234","pass":"x","sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709","ha1":"0123"}`);
    expect(r.text).toBe('{"response":"[redacted]","pin":"[redacted]","pass":"[redacted]","sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709","ha1":"[redacted]"}');
    expect(isSecretKey('sha1')).toBe(false);
    expect(isSecretKey('ha1')).toBe(true);
  });

  it('stays fast on long and hostile input', () => {
    const hostile = ['password'.repeat(100_000), 'abcdefghijklmnopq.'.repeat(50_000), `${'QUJD'.repeat(16)}\n`.repeat(20_000), 'password="x '.repeat(80_000), 'ws://a'.repeat(150_000)];
    for (const text of hostile) {
      const t0 = performance.now();
      redactText(text);
      expect(performance.now() - t0, text.slice(0, 20)).toBeLessThan(2000);
    }
  });
});

describe('redactText properties', () => {
  // Pieces of real log text and of every pattern, glued in any order.
  const pieces = ['password', '=', ':', '"', "'", '\\"', ' ', '\r\n', '\n', '\\r\\n', 'Authorization', 'Proxy-', 'Digest ', 'Basic ', 'Bearer ', 'username="1001"', 'realm=', 'nonce', 'response', 'abc123', 'eyJhbGciOiJIUzI1NiJ9abc', 'a'.repeat(20), '.', 'stmt', ';', ',', 'sip:', 'sips:', 'ws://', '@', '-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----', 'QUJDQUJDQUJDQUJDQUJD', 'inline:', 'MC4CAQAw', 'MII', 'A'.repeat(120), '[redacted]', '{', '}', '(', ')', 'token', 'd', '"d"', 'pin', '"pin"', 'x', 'ha1', 's', 'a=ice-pwd', 'dXNlcjpwYXNz', 'X-Whisperline-Supervise: mode=listen;'];
  const noise = fc.array(fc.constantFrom(...pieces), { maxLength: 20 }).map((p) => p.join(''));

  it('is idempotent on any mix of them', () => {
    fc.assert(
      fc.property(noise, (text) => {
        const once = redactText(text);
        expect(redactText(once.text)).toEqual({ text: once.text, count: 0 });
      }),
      { numRuns: 3000 },
    );
  });

  it('never lets a planted secret through, whatever surrounds it', () => {
    const contexts = [
      (x: string) => `password=${x}`,
      (x: string) => `{"sipPassword":"${x}"}`,
      (x: string) => `Authorization: Digest username="1001", response="${x}", nonce="${x}"`,
      (x: string) => `Proxy-Authorization: Basic ${x}`,
      (x: string) => `X-Whisperline-Supervise: mode=listen;stmt=${x}`,
      (x: string) => `wss://agent:${x}@pbx.example.com`,
      (x: string) => `Bearer ${x}`,
      (x: string) => `WWW-Authenticate: Digest realm="r", nonce="${x}"`,
      (x: string) => `{ secret: '${x}' }`,
    ];
    fc.assert(
      fc.property(noise, fc.constantFrom(...contexts), fc.stringMatching(/^[A-Za-z0-9]{12,24}$/), noise, (before, context, secret, after) => {
        expect(redactText(`${before}\n${context(secret)}\n${after}`).text).not.toContain(secret);
      }),
      { numRuns: 3000 },
    );
  });
});
