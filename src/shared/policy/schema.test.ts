import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import example from '../../../resources/policy/example-policy.json';
import { maxPolicyChars, parsePolicy, parsePolicyText } from './schema';

const fuzz = { seed: 20261125, numRuns: 300 };
/** Hundreds of runs (some with signatures) take seconds on a loaded machine. */
const fuzzTimeout = 120_000;
const clone = (): any => structuredClone(example);

function reasonFor(mutate: (p: any) => void): string {
  const p = clone();
  mutate(p);
  const r = parsePolicy(p);
  expect(r.ok).toBe(false);
  return r.ok ? '' : r.reason;
}

describe('org policy schema', () => {
  it('accepts the example policy and normalises identities to lower case', () => {
    const p = clone();
    p.teams[0].agents[0] = ' 1001@WhisperLine.TEST ';
    p.people[0].id = '1001@WHISPERLINE.test';
    const r = parsePolicy(p);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.teams[0].agents[0]).toBe('1001@whisperline.test');
    expect(r.policy.people[0].id).toBe('1001@whisperline.test');
    expect(r.policy.people[0].supervisorKeys).toEqual([]);
  });

  it('names the field of a typo instead of ignoring it', () => {
    expect(reasonFor((p) => (p.roles.supervisor.modes.whsiper = '*'))).toMatch(/^roles\.supervisor\.modes:.*whsiper/);
    expect(reasonFor((p) => (p.people[0].role = 'admin'))).toMatch(/^people\.0:.*role/);
    expect(reasonFor((p) => (p.extra = true))).toMatch(/extra/);
  });

  it('refuses references to teams and people that do not exist', () => {
    expect(reasonFor((p) => (p.roles.qa.modes.listen = ['support', 'suport']))).toBe('roles.qa.modes.listen.1: unknown team "suport"');
    expect(reasonFor((p) => p.teams[1].supervisors.push('9999@whisperline.test'))).toBe('teams.1.supervisors.0: "9999@whisperline.test" is not in people');
  });

  it('refuses duplicates that would make rights ambiguous', () => {
    expect(reasonFor((p) => (p.teams[1].id = 'support'))).toMatch(/^teams\.1\.id: duplicate team id/);
    expect(reasonFor((p) => (p.people[1].id = p.people[0].id))).toMatch(/^people\.1\.id: duplicate person/);
    expect(reasonFor((p) => p.people[4].supervisorKeys = [{ ...p.people[3].supervisorKeys[0] }])).toMatch(/enrolled more than once/);
  });

  it('refuses keys that are not raw 32-byte Ed25519 public keys', () => {
    expect(reasonFor((p) => (p.people[3].supervisorKeys[0].publicKey = 'AAAA'))).toMatch(/32-byte Ed25519/);
    // 33 bytes: a compressed EC key pasted by mistake.
    expect(reasonFor((p) => (p.people[3].supervisorKeys[0].publicKey = btoa('x'.repeat(33))))).toMatch(/32-byte Ed25519/);
  });

  it('refuses identities, dates and versions it cannot use', () => {
    expect(reasonFor((p) => (p.teams[0].agents[0] = '1001'))).toMatch(/SIP identity/);
    expect(reasonFor((p) => (p.teams[0].agents[0] = `${'a'.repeat(60)}@whisperline.test`))).toMatch(/^teams\.0\.agents\.0/);
    expect(reasonFor((p) => (p.expiresAt = p.issuedAt))).toBe('expiresAt: must be after issuedAt');
    expect(reasonFor((p) => (p.issuedAt = 'yesterday'))).toMatch(/^issuedAt/);
    expect(reasonFor((p) => (p.version = 2))).toMatch(/^version/);
    expect(reasonFor((p) => (p.recording.coachingTrack = 'sometimes'))).toMatch(/^recording\.coachingTrack/);
  });

  it('bounds list sizes so a hostile file cannot make the app hold huge structures', () => {
    expect(reasonFor((p) => (p.teams[0].agents = Array.from({ length: 2001 }, (_, i) => `${i}@whisperline.test`)))).toMatch(/^teams\.0\.agents/);
    expect(reasonFor((p) => (p.teams[0].queues = Array.from({ length: 101 }, (_, i) => `q${i}`)))).toMatch(/^teams\.0\.queues/);
  });

  it('accepts audit forwarding to syslog and HTTPS, and policies without it', () => {
    expect(parsePolicy(clone()).ok).toBe(true);
    const ca = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';
    const forward = {
      syslog: { host: 'logs.example.com', port: 6514, appName: 'whisperline-desk', facility: 13, sdId: 'whisperline@32473' },
      https: { url: 'https://pipeline.example.com:8443/audit/ingest?source=whisperline', ca },
    };
    const r = parsePolicy({ ...clone(), audit: { retentionDays: 365, forward } });
    expect(r.ok && r.policy.audit.forward).toEqual(forward);
    for (const host of ['10.0.0.5', '::1', '2001:db8::7', 'localhost', 'LOGS-1.corp.example']) {
      expect(parsePolicy({ ...clone(), audit: { retentionDays: 1, forward: { syslog: { host, port: 514 } } } }).ok).toBe(true);
    }
    expect(parsePolicy({ ...clone(), audit: { retentionDays: 1, forward: { https: { url: 'https://[::1]:8443/in' } } } }).ok).toBe(true);
    expect(parsePolicy({ ...clone(), audit: { retentionDays: 1, forward: {} } }).ok).toBe(true);
  });

  it('refuses audit forwarding destinations it cannot use safely', () => {
    const syslog = (s: object) => reasonFor((p) => (p.audit.forward = { syslog: { host: 'logs.example.com', port: 514, ...s } }));
    const https = (h: object) => reasonFor((p) => (p.audit.forward = { https: { url: 'https://pipeline.example.com/in', ...h } }));
    for (const host of ['', ' logs.example.com', 'logs example.com', 'logs.example.com\n', '-logs.example.com', 'a..b', '999.1.1.1', '10.0.0.256', '[::1]', 'logs.example.com:514', 'x'.repeat(254), 'tcp://logs.example.com', 'lögs.example.com']) {
      expect(syslog({ host })).toMatch(/^audit\.forward\.syslog\.host: /);
    }
    for (const port of [0, 65536, -1, 514.5, '514', null]) expect(syslog({ port })).toMatch(/^audit\.forward\.syslog\.port: /);
    expect(syslog({ appName: 'white space' })).toMatch(/^audit\.forward\.syslog\.appName: /);
    expect(syslog({ appName: 'a'.repeat(49) })).toMatch(/^audit\.forward\.syslog\.appName: /);
    expect(syslog({ facility: 24 })).toMatch(/^audit\.forward\.syslog\.facility: /);
    for (const sdId of ['a b', 'a=b', 'a]b', 'a"b', '', 'x'.repeat(33)]) expect(syslog({ sdId })).toMatch(/^audit\.forward\.syslog\.sdId: /);
    expect(syslog({ protocol: 'udp' })).toMatch(/^audit\.forward\.syslog: .*protocol/);
    for (const url of ['http://pipeline.example.com/in', 'http://127.0.0.1:8080/in', 'ftp://pipeline.example.com/', 'https://user:secret@pipeline.example.com/in', 'https://pipeline.example.com/in#x', 'pipeline.example.com/in', `https://pipeline.example.com/${'x'.repeat(2048)}`, 'javascript:alert(1)']) {
      expect(https({ url })).toMatch(/^audit\.forward\.https\.url: /);
    }
    expect(https({ ca: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n' })).toMatch(/^audit\.forward\.https\.ca: /);
    expect(https({ ca: `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64 * 1024)}\n-----END CERTIFICATE-----\n` })).toMatch(/^audit\.forward\.https\.ca: /);
    expect(https({ headers: { Authorization: 'Bearer x' } })).toMatch(/^audit\.forward\.https: .*headers/);
    expect(reasonFor((p) => (p.audit.forward = { kafka: { host: 'k' } }))).toMatch(/^audit\.forward: .*kafka/);
  });

  it('accepts a desktop section (updates, start at login), and policies without one', () => {
    const desktop = { updates: { mode: 'notify', channel: 'beta', url: 'https://updates.example.com/whisperline/', allowDowngrade: true }, startAtLogin: 'on' };
    const r = parsePolicy({ ...clone(), desktop });
    expect(r.ok && r.policy.desktop).toEqual(desktop);
    const { desktop: _omitted, ...older } = clone() as Record<string, unknown>;
    const without = parsePolicy(older);
    expect(without.ok && without.policy.desktop).toBeUndefined();
    for (const d of [{}, { updates: { mode: 'off' } }, { startAtLogin: 'user' }, { updates: { mode: 'automatic', channel: 'pilot-ring-2' } }]) {
      expect(parsePolicy({ ...clone(), desktop: d }).ok).toBe(true);
    }
    // A local test feed: plain http only to this machine.
    for (const url of ['http://127.0.0.1:8080/feed', 'http://localhost/feed', 'http://[::1]:9/feed', 'https://10.0.0.5/updates?site=berlin']) {
      expect(parsePolicy({ ...clone(), desktop: { updates: { mode: 'automatic', url } } }).ok).toBe(true);
    }
  });

  it('refuses update settings it cannot use safely, naming the field', () => {
    const updates = (u: object) => reasonFor((p) => (p.desktop = { updates: { mode: 'automatic', ...u } }));
    expect(updates({ mode: 'sometimes' })).toMatch(/^desktop\.updates\.mode: /);
    expect(reasonFor((p) => (p.desktop = { updates: {} }))).toMatch(/^desktop\.updates\.mode: /);
    // The channel becomes a file name on the server: no paths, no dots, no upper case.
    for (const channel of ['', 'Beta', '../latest', 'beta.yml', 'beta/x', '1beta', 'x'.repeat(33), 'beta ']) {
      expect(updates({ channel })).toMatch(/^desktop\.updates\.channel: /);
    }
    for (const url of ['http://updates.example.com/', 'http://10.0.0.5/', 'http://127.0.0.2/', 'ftp://updates.example.com/', 'https://user:pw@updates.example.com/', 'https://updates.example.com/#x', 'updates.example.com', `https://updates.example.com/${'x'.repeat(2048)}`, 'file:///srv/updates']) {
      expect(updates({ url })).toMatch(/^desktop\.updates\.url: /);
    }
    expect(updates({ allowDowngrade: 'yes' })).toMatch(/^desktop\.updates\.allowDowngrade: /);
    // A version pin is not a field: the generic feed serves one version per channel (README → Updates).
    expect(updates({ pinVersion: '1.2.3' })).toMatch(/^desktop\.updates: .*pinVersion/);
    expect(reasonFor((p) => (p.desktop = { startAtLogin: 'maybe' }))).toMatch(/^desktop\.startAtLogin: /);
    expect(reasonFor((p) => (p.desktop = { autoStart: true }))).toMatch(/^desktop: .*autoStart/);
  });

  it('refuses an oversized text before parsing it', () => {
    const r = parsePolicyText(`"${'x'.repeat(maxPolicyChars)}"`);
    expect(r).toEqual({ ok: false, reason: `larger than ${maxPolicyChars} characters` });
  });

  it('never throws on arbitrary text, JSON or values (fuzz)', () => {
    const result = (r: ReturnType<typeof parsePolicy>) => {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(typeof r.reason).toBe('string');
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => result(parsePolicyText(s))), fuzz);
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => result(parsePolicyText(JSON.stringify(v)))), fuzz);
    fc.assert(fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withNullPrototype: true }), (v) => result(parsePolicy(v))), fuzz);
  }, fuzzTimeout);

  it('never throws on the example with one field replaced by anything (fuzz)', () => {
    // Deep, structured mutations reach the cross-reference checks, not just the top-level type check.
    const paths: (string | number)[][] = [['roles', 'trainer', 'modes', 'listen'], ['teams', 0, 'agents'], ['teams', 0], ['people', 3, 'supervisorKeys', 0], ['people', 3], ['agentNotice'], ['issuedAt'], ['teams', 1, 'supervisors'], ['audit', 'forward'], ['desktop']];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
        const p = clone();
        let at = p;
        for (const k of path.slice(0, -1)) at = at[k];
        at[path[path.length - 1]] = value;
        const r = parsePolicy(p);
        if (!r.ok) expect(r.reason).toMatch(/^[\w.]+: /);
      }),
      fuzz,
    );
  }, fuzzTimeout);
});
