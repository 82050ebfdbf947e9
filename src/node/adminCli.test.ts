import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../shared/policy/schema';
import { verifySignedPolicy } from '../shared/policy/signedPolicy';
import { examplePolicy, runAdmin } from './adminCli';

const dir = mkdtempSync(join(tmpdir(), 'whisperline-admin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);
const now = new Date('2026-11-25T12:00:00Z');

async function admin(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(argv, { out: (l) => out.push(l), err: (l) => err.push(l), now: () => new Date(now) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('admin CLI, end to end', () => {
  it('makes a key pair, signs a policy, verifies it, and catches a one-byte change', async () => {
    const keygen = await admin('keygen', '--out', at('keys'));
    expect(keygen).toMatchObject({ code: 0, err: '' });
    expect(statSync(at('keys/admin.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(at('keys/admin.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const pub = readFileSync(at('keys/admin.pub'), 'utf8').trim();
    expect(Buffer.from(pub, 'base64')).toHaveLength(32);
    expect(keygen.out).toContain(pub);

    const example = await admin('example', '--domain', 'pbx.example.com', '--days', '30');
    expect(example.code).toBe(0);
    writeFileSync(at('policy.json'), example.out);
    expect(JSON.parse(example.out)).toMatchObject({ issuedAt: '2026-11-25T12:00:00.000Z', expiresAt: '2026-12-25T12:00:00.000Z' });

    const sign = await admin('sign', '--key', at('keys/admin.key'), '--in', at('policy.json'), '--out', at('policy.signed.json'));
    expect(sign).toMatchObject({ code: 0, err: '' });
    expect(sign.out).toMatch(/Signed .* with admin key [\w-]{16}: "Example Contact Center", 7 people, 2 teams/);

    // The apps' own verifier agrees with what Node's crypto signed.
    const signedText = readFileSync(at('policy.signed.json'), 'utf8');
    expect((await verifySignedPolicy(signedText, pub, now)).ok).toBe(true);
    const ok = await admin('verify', '--pub', at('keys/admin.pub'), '--in', at('policy.signed.json'));
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^OK: signed by admin key/);

    // Flip one byte inside the policy: a QA reviewer's "listen" right on "*" becomes "own" ('*' → '+').
    const bytes = readFileSync(at('policy.signed.json'));
    const i = bytes.indexOf('"listen": "*"', bytes.indexOf('"qa"')) + '"listen": "'.length;
    expect(String.fromCharCode(bytes[i])).toBe('*');
    bytes[i] = '+'.charCodeAt(0);
    writeFileSync(at('tampered.json'), bytes);
    const bad = await admin('verify', '--pub', at('keys/admin.pub'), '--in', at('tampered.json'));
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('REFUSED: The policy signature does not verify: the file was changed after signing, or it was signed with another key.');

    const expired = await admin('verify', '--pub', at('keys/admin.pub'), '--in', at('policy.signed.json'), '--at', '2027-01-01T00:00:00Z');
    expect(expired).toMatchObject({ code: 1, err: 'REFUSED: The policy expired at 2026-12-25T12:00:00.000Z.' });

    // Another org's admin key is not ours.
    expect((await admin('keygen', '--out', at('other'))).code).toBe(0);
    const other = await admin('verify', '--pub', at('other/admin.pub'), '--in', at('policy.signed.json'));
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/signed with another admin key/);

    const summary = await admin('summary', '--pub', at('keys/admin.pub'), '--in', at('policy.signed.json'));
    expect(summary.code).toBe(0);
    expect(summary.out).toMatch(/^Signature checked: admin key/);
    expect(summary.out).toContain('Demo Supervisor <1101@pbx.example.com> — supervisor');
    expect(summary.out).toMatch(/Demo Supervisor[^\n]*\n\s+listen\s+Support\n\s+whisper\s+Support\n\s+barge\s+Support\n\s+takeover\s+Support\n\s+key: example key/);
    expect(summary.out).toMatch(/QA Reviewer[^\n]*\n\s+listen\s+Support, Sales\n\s+keys: none enrolled/);
    expect(summary.out).toMatch(/Demo Agent <1001@pbx.example.com> — agent\n\s+may not supervise anyone/);
    expect((await admin('summary', '--pub', at('keys/admin.pub'), '--in', at('tampered.json'))).code).toBe(1);
  });

  it('never overwrites an admin key', async () => {
    expect((await admin('keygen', '--out', at('once'))).code).toBe(0);
    const before = readFileSync(at('once/admin.key'), 'utf8');
    const again = await admin('keygen', '--out', at('once'));
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists; refusing to overwrite/);
    expect(readFileSync(at('once/admin.key'), 'utf8')).toBe(before);
  });

  it('refuses to sign a policy the apps would refuse, saying why', async () => {
    expect((await admin('keygen', '--out', at('k2'))).code).toBe(0);
    const policy: any = examplePolicy({ domain: 'x.test', issuedAt: '2026-11-01T00:00:00Z', expiresAt: '2027-11-01T00:00:00Z' });
    policy.roles.qa.modes.listen = ['support', 'typo'];
    writeFileSync(at('bad.json'), JSON.stringify(policy));
    const bad = await admin('sign', '--key', at('k2/admin.key'), '--in', at('bad.json'), '--out', at('bad.signed.json'));
    expect(bad).toMatchObject({ code: 1, err: expect.stringContaining('roles.qa.modes.listen.1: unknown team "typo"') });

    writeFileSync(at('old.json'), JSON.stringify(examplePolicy({ domain: 'x.test', issuedAt: '2025-01-01T00:00:00Z', expiresAt: '2026-01-01T00:00:00Z' })));
    const old = await admin('sign', '--key', at('k2/admin.key'), '--in', at('old.json'), '--out', at('old.signed.json'));
    expect(old).toMatchObject({ code: 1, err: expect.stringMatching(/expired at 2026-01-01/) });

    const wrongKey = await admin('sign', '--key', at('k2/admin.pub'), '--in', at('old.json'), '--out', at('x.json'));
    expect(wrongKey).toMatchObject({ code: 1, err: expect.stringMatching(/is not a private key/) });
  });

  it('summarises an unsigned policy and says the signature was not checked on a signed one without --pub', async () => {
    const unsigned = await admin('summary', '--in', 'resources/policy/example-policy.json');
    expect(unsigned.code).toBe(0);
    expect(unsigned.out).toMatch(/^Unsigned policy\./);
    expect(unsigned.out).toContain('Trainer <1201@whisperline.test> — trainer');
  });

  it('answers usage mistakes with exit code 2 and the usage', async () => {
    expect(await admin()).toMatchObject({ code: 2, err: expect.stringMatching(/^Usage:/) });
    expect(await admin('frobnicate')).toMatchObject({ code: 2, err: expect.stringMatching(/Unknown command "frobnicate"/) });
    expect(await admin('verify', '--in', 'x')).toMatchObject({ code: 2, err: expect.stringMatching(/--pub is required/) });
    expect(await admin('verify', '--pub', 'x', '--in', 'y', '--bogus')).toMatchObject({ code: 2, err: expect.stringMatching(/bogus/) });
    expect(await admin('help')).toMatchObject({ code: 0, out: expect.stringMatching(/keygen --out <dir>/) });
    expect((await admin('verify', '--pub', at('nope.pub'), '--in', 'y')).err).toMatch(/cannot read .*nope\.pub: ENOENT/);
  });
});

describe('resources/policy/example-policy.json', () => {
  it('is the CLI example for the demo domain, and a valid policy', () => {
    const file = JSON.parse(readFileSync('resources/policy/example-policy.json', 'utf8'));
    expect(file).toEqual(examplePolicy({ domain: 'whisperline.test', issuedAt: file.issuedAt, expiresAt: file.expiresAt }));
    expect(parsePolicy(file).ok).toBe(true);
  });
});

describe('admin CLI: audit', () => {
  it('verifies an audit log and names the edited line', async () => {
    const { AuditLog } = await import('../main/audit/log');
    const log = new AuditLog(at('audit.log'));
    await log.open();
    for (const mode of ['listen', 'whisper', 'listen'] as const) {
      await log.append({ actor: '1101@whisperline.test', subject: '1001@whisperline.test', call: 'c1', action: 'mode', mode, result: 'ok' });
    }
    await log.close();
    const ok = await admin('audit', 'verify', at('audit.log'));
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toMatch(/^ok: 3 entries/);
    const lines = readFileSync(at('audit.log'), 'utf8').split('\n');
    lines[1] = lines[1].replace('"whisper"', '"barge"');
    writeFileSync(at('audit.log'), lines.join('\n'));
    const bad = await admin('audit', 'verify', at('audit.log'));
    expect(bad.code).toBe(1);
    expect(bad.out + bad.err).toMatch(/line 2: edited/);
  });
});
