import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import example from '../../../resources/policy/example-policy.json';
import { runAdmin } from '../../node/adminCli';
import { bytesToBase64 } from '../../shared/policy/canonical';
import { keyIdOf, signPolicy } from '../../shared/policy/signedPolicy';
import type { ManagedLocation } from './managedLocation';
import { loadManagedPolicy, ManagedPolicyWatcher, maxAdminKeyFileBytes, maxPolicyFileBytes, nodePolicyFs, type ManagedPolicyResult, type PolicyFs, type TimersLike, type WatchDir } from './managedPolicy';

const now = new Date('2026-11-25T12:00:00Z');

type Admin = CryptoKeyPair & { pub: string };
async function newAdmin(): Promise<Admin> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { ...pair, pub: bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))) };
}
const signed = async (policy: unknown, key: Admin) => JSON.stringify(await signPolicy(policy, key.privateKey, key.pub), null, 2);

let admin: Admin;
let otherAdmin: Admin;
let signedText: string;
beforeAll(async () => {
  [admin, otherAdmin] = await Promise.all([newAdmin(), newAdmin()]);
  signedText = await signed(example, admin);
});

let root: string;
let dir: string;
let loc: ManagedLocation;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wl-managed-'));
  dir = join(root, 'Whisperline');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  loc = { platform: 'linux', dir, policyPath: join(dir, 'policy.signed.json'), adminKeyPath: join(dir, 'admin.pub'), checksOwnership: true };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function install(policy: string | Buffer = signedText, key: string = `${admin.pub}\n`): void {
  if (policy !== '') writeFileSync(loc.policyPath, policy);
  if (key !== '') writeFileSync(loc.adminKeyPath, key);
  for (const p of [loc.policyPath, loc.adminKeyPath]) if (p === loc.policyPath ? policy !== '' : key !== '') chmodSync(p, 0o644);
}

/** As IT's desktop user would run it: uid given explicitly (the test itself runs as root). */
const load = (over: Partial<Parameters<typeof loadManagedPolicy>[0]> = {}) => loadManagedPolicy({ platform: 'linux', env: {}, now, uid: 0, location: loc, ...over });
async function none(over: Partial<Parameters<typeof loadManagedPolicy>[0]> = {}) {
  const r = await load(over);
  expect(r.state).toBe('none');
  return r as Extract<ManagedPolicyResult, { state: 'none' }>;
}
const offUntilValid = () => `Supervision is off until IT installs a valid signed policy at ${loc.policyPath}.`;
const rootOnly = (path: string) => `Supervision is off until IT makes ${path} owned by root and writable by root only.`;

/** A reader that reports another owner (or other stat fields) for chosen paths. */
const statOverride = (over: Record<string, Partial<{ uid: number; mode: number; size: number }>>): PolicyFs => ({
  ...nodePolicyFs,
  stat: async (p) => {
    const st = await nodePolicyFs.stat(p);
    const o = over[p];
    return o ? { uid: o.uid ?? st.uid, mode: o.mode ?? st.mode, size: o.size ?? st.size, isFile: () => st.isFile(), isDirectory: () => st.isDirectory() } : st;
  },
});

describe('loadManagedPolicy: an installed, signed policy', () => {
  it('is active, with a one-line summary and the admin key id', async () => {
    install();
    const r = await load();
    expect(r.state).toBe('active');
    if (r.state !== 'active') return;
    expect(r.policy.org).toBe('Example Contact Center');
    expect(r.keyId).toBe(await keyIdOf(admin.pub));
    expect(r.summary).toBe(`Org policy of "Example Contact Center", signed by admin key ${r.keyId}, valid until 2028-01-01T00:00:00Z: 7 people, 2 teams, 1 supervisor key enrolled.`);
    expect(r.location).toBe(loc);
  });

  it('accepts what the admin CLI makes (keygen, sign), and a byte order mark from Notepad', async () => {
    const keys = join(root, 'admin-keys');
    const io = { out: () => {}, err: (l: string) => console.error(l), now: () => now };
    expect(await runAdmin(['keygen', '--out', keys], io)).toBe(0);
    writeFileSync(join(root, 'policy.json'), JSON.stringify(example));
    expect(await runAdmin(['sign', '--key', join(keys, 'admin.key'), '--in', join(root, 'policy.json'), '--out', join(root, 'signed.json')], io)).toBe(0);
    install(`\uFEFF${readFileSync(join(root, 'signed.json'), 'utf8')}`, readFileSync(join(keys, 'admin.pub'), 'utf8'));
    const r = await load();
    expect(r.state).toBe('active');
    expect(r.state === 'active' && r.keyId).toBe(await keyIdOf(readFileSync(join(keys, 'admin.pub'), 'utf8').trim()));
  });

  it('is read through a symbolic link when the real file is just as protected', async () => {
    const store = join(root, 'store');
    mkdirSync(store);
    chmodSync(store, 0o755);
    writeFileSync(join(store, 'policy'), signedText);
    chmodSync(join(store, 'policy'), 0o644);
    symlinkSync(join(store, 'policy'), loc.policyPath);
    install('');
    expect((await load()).state).toBe('active');
  });
});

describe('loadManagedPolicy: nothing or half installed', () => {
  it('no policy: supervision is off until IT installs one, naming the path', async () => {
    const r = await none();
    expect(r.code).toBe('not-installed');
    expect(r.reason).toBe(`No org policy is installed, so supervision is off until IT installs a signed policy at ${loc.policyPath}.`);
    rmSync(dir, { recursive: true });
    expect((await none()).code).toBe('not-installed');
  });

  it('by default reads only the machine-wide location, never a per-user copy', async () => {
    const touched: string[] = [];
    const enoent = (p: string) => {
      touched.push(p);
      return Promise.reject(Object.assign(new Error('nope'), { code: 'ENOENT' }));
    };
    const fs: PolicyFs = { realpath: enoent, stat: enoent, readFile: enoent, access: enoent };
    const env = { HOME: '/home/agent', XDG_CONFIG_HOME: '/home/agent/.config' };
    const r = await loadManagedPolicy({ platform: 'linux', env, now, fs, uid: 1000 });
    expect(r).toMatchObject({ state: 'none', code: 'not-installed', reason: 'No org policy is installed, so supervision is off until IT installs a signed policy at /etc/whisperline/policy.signed.json.' });
    expect(touched).toEqual(['/etc/whisperline/policy.signed.json']);
    const mac = await loadManagedPolicy({ platform: 'darwin', env, now, fs, uid: 501 });
    expect(mac.state === 'none' && mac.reason).toContain('/Library/Application Support/Whisperline/policy.signed.json');
    const win = await loadManagedPolicy({ platform: 'win32', env: { ProgramData: 'C:\\ProgramData', APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, now, fs });
    expect(win.state === 'none' && win.reason).toContain('C:\\ProgramData\\Whisperline\\policy.signed.json');
    expect(touched.filter((p) => /home|Users/.test(p))).toEqual([]);
  });

  it('no admin key: the policy cannot be checked', async () => {
    install(signedText, '');
    const r = await none();
    expect(r.code).toBe('no-admin-key');
    expect(r.reason).toBe(`The org policy at ${loc.policyPath} cannot be checked: the admin public key is missing at ${loc.adminKeyPath}. Supervision is off until IT installs it.`);
  });
});

describe('loadManagedPolicy: files a user could have written are refused', () => {
  it('a group-writable policy file', async () => {
    install();
    chmodSync(loc.policyPath, 0o664);
    const r = await none();
    expect(r.code).toBe('insecure');
    expect(r.reason).toBe(`The org policy is refused because ${loc.policyPath} can be written by its group (mode 0664), so a user could widen their own rights. ${rootOnly(loc.policyPath)}`);
  });

  it('a world-writable admin key, and a group-writable folder (the files could be swapped)', async () => {
    install();
    chmodSync(loc.adminKeyPath, 0o646);
    expect((await none()).reason).toContain(`${loc.adminKeyPath} can be written by every other user (mode 0646)`);
    chmodSync(loc.adminKeyPath, 0o644);
    chmodSync(dir, 0o775);
    expect((await none()).reason).toContain(`${dir} can be written by its group (mode 0775)`);
    chmodSync(dir, 0o1777); // sticky does not make the policy's own folder acceptable
    expect((await none()).reason).toContain(`${dir} can be written by its group and every other user (mode 1777)`);
  });

  it('a file, folder or parent folder owned by someone other than root', async () => {
    install();
    const r = await none({ fs: statOverride({ [loc.policyPath]: { uid: 1000 } }) });
    expect(r.code).toBe('insecure');
    expect(r.reason).toBe(`The org policy is refused because ${loc.policyPath} is owned by user id 1000, not by root, so a user could widen their own rights. ${rootOnly(loc.policyPath)}`);
    expect((await none({ fs: statOverride({ [loc.adminKeyPath]: { uid: 501 } }) })).reason).toContain(`${loc.adminKeyPath} is owned by user id 501, not by root`);
    expect((await none({ fs: statOverride({ [dir]: { uid: 1000 } }) })).reason).toContain(`${dir} is owned by user id 1000, not by root`);
    expect((await none({ fs: statOverride({ [root]: { uid: 1000 } }) })).reason).toContain(`${root} is owned by user id 1000, not by root`);
  });

  it('a parent folder anyone may write, unless it is sticky like /tmp', async () => {
    install();
    chmodSync(root, 0o777);
    expect((await none()).reason).toBe(
      `The org policy is refused because ${root} can be written by its group and every other user (mode 0777), so a user could widen their own rights. ${rootOnly(root)}`,
    );
    chmodSync(root, 0o1777);
    expect((await load()).state).toBe('active');
  });

  it('a file the current (non-root) user may write, e.g. through an ACL the mode bits do not show', async () => {
    install();
    // The test runs as root, so access(W_OK) succeeds: as uid 1000 that means "writable by me".
    const r = await none({ uid: 1000 });
    expect(r.reason).toBe(`The org policy is refused because ${loc.policyPath} can be written by this user account (uid 1000), so a user could widen their own rights. ${rootOnly(loc.policyPath)}`);
    const readOnly: PolicyFs = { ...nodePolicyFs, access: () => Promise.reject(Object.assign(new Error('no'), { code: 'EACCES' })) };
    expect((await load({ uid: 1000, fs: readOnly })).state).toBe('active');
  });

  it('a symbolic link to a file in a folder users can write', async () => {
    const open = join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    writeFileSync(join(open, 'policy'), signedText);
    chmodSync(join(open, 'policy'), 0o644);
    symlinkSync(join(open, 'policy'), loc.policyPath);
    install('');
    expect((await none()).reason).toContain(`${open} can be written by its group and every other user (mode 0777)`);
  });

  it('on Windows the owner and mode checks are skipped (fs.stat shows no ACL); the signature still decides', async () => {
    install();
    chmodSync(loc.policyPath, 0o666);
    const win = { ...loc, platform: 'win32', checksOwnership: false };
    expect((await load({ platform: 'win32', location: win, uid: undefined })).state).toBe('active');
    install(signedText, `${otherAdmin.pub}\n`);
    expect((await load({ platform: 'win32', location: win, uid: undefined })).state).toBe('none');
  });
});

describe('loadManagedPolicy: bad policies are refused with their own reason', () => {
  it('unsigned', async () => {
    install(JSON.stringify(example));
    const r = await none();
    expect(r.code).toBe('wrong-shape');
    expect(r.reason).toBe(`The org policy at ${loc.policyPath} is refused: The policy file is not a signed policy { policy, signature, keyId? }: unexpected field "version". ${offUntilValid()}`);
  });

  it('tampered: a right widened after signing', async () => {
    const file = JSON.parse(signedText);
    file.policy.roles.qa.modes.barge = '*';
    install(JSON.stringify(file));
    const r = await none();
    expect(r.code).toBe('bad-signature');
    expect(r.reason).toBe(
      `The org policy at ${loc.policyPath} is refused: The policy signature does not verify: the file was changed after signing, or it was signed with another key. Supervision is off until IT installs a correctly signed policy at ${loc.policyPath}.`,
    );
  });

  it('signed with another admin key', async () => {
    install(await signed(example, otherAdmin));
    const r = await none();
    expect(r.code).toBe('other-key');
    expect(r.reason).toBe(
      `The org policy at ${loc.policyPath} is refused: The policy was signed with another admin key (key id ${await keyIdOf(otherAdmin.pub)}); the pinned admin key is ${await keyIdOf(admin.pub)}. Supervision is off until IT installs a policy signed with the pinned admin key, or pins the matching admin key.`,
    );
    // Without the keyId hint it is simply a signature that does not verify.
    const bare = JSON.parse(await signed(example, otherAdmin));
    delete bare.keyId;
    install(JSON.stringify(bare));
    expect((await none()).code).toBe('bad-signature');
  });

  it('expired, and not yet valid', async () => {
    install();
    const expired = await none({ now: new Date('2028-01-01T00:00:00Z') });
    expect(expired.code).toBe('expired');
    expect(expired.reason).toBe(`The org policy at ${loc.policyPath} is refused: The policy expired at 2028-01-01T00:00:00Z. Supervision is off until IT installs a renewed policy.`);
    const early = await none({ now: new Date('2026-10-01T00:00:00Z') });
    expect(early.code).toBe('not-yet-valid');
    expect(early.reason).toBe(
      `The org policy at ${loc.policyPath} is refused: The policy is not valid before 2026-11-01T00:00:00Z. Supervision is off until then (if that time has passed, check this computer's clock).`,
    );
  });

  it('signed but not a valid policy', async () => {
    install(await signed({ ...example, version: 2 }, admin));
    const r = await none();
    expect(r.code).toBe('schema-invalid');
    expect(r.reason).toMatch(/^The org policy at .* is refused: The signed policy is not a valid policy: version: .*Supervision is off until IT installs a valid signed policy at /);
  });

  it('not JSON, not UTF-8', async () => {
    install('{"policy": ');
    expect((await none()).code).toBe('not-json');
    install(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    const r = await none();
    expect(r.code).toBe('not-text');
    expect(r.reason).toBe(`The org policy at ${loc.policyPath} is not UTF-8 text. ${offUntilValid()}`);
  });

  it('too large, before reading it', async () => {
    install();
    truncateSync(loc.policyPath, maxPolicyFileBytes + 1); // sparse: costs no disk
    const r = await none();
    expect(r.code).toBe('too-large');
    expect(r.reason).toBe(`The org policy at ${loc.policyPath} is too large (${maxPolicyFileBytes + 1} bytes; at most ${maxPolicyFileBytes}). ${offUntilValid()}`);
    install(signedText, 'A'.repeat(maxAdminKeyFileBytes + 1));
    expect((await none()).reason).toContain(`The admin public key at ${loc.adminKeyPath} is too large`);
  });

  it('an admin key file that is not a key', async () => {
    install(signedText, '-----BEGIN PUBLIC KEY-----\nnot this\n-----END PUBLIC KEY-----\n');
    const r = await none();
    expect(r.code).toBe('bad-admin-key');
    expect(r.reason).toBe(
      `The admin public key at ${loc.adminKeyPath} is refused: The pinned admin public key is not a raw 32-byte Ed25519 key in base64. Supervision is off until IT installs the admin public key made by the admin CLI.`,
    );
  });
});

describe('loadManagedPolicy: unreadable files and broken readers', () => {
  it('a folder where the file should be', async () => {
    mkdirSync(loc.policyPath);
    chmodSync(loc.policyPath, 0o755);
    install('');
    const r = await none();
    expect(r.code).toBe('unreadable');
    expect(r.reason).toBe(`The org policy at ${loc.policyPath} is a folder, not a file. ${offUntilValid()}`);
  });

  it('EACCES and EISDIR from the reader', async () => {
    install();
    const failing = (code: string): PolicyFs => ({ ...nodePolicyFs, readFile: () => Promise.reject(Object.assign(new Error(code), { code })) });
    expect((await none({ fs: failing('EACCES') })).reason).toBe(`The org policy at ${loc.policyPath} cannot be read (EACCES: permission denied). ${offUntilValid()}`);
    expect((await none({ fs: failing('EISDIR') })).reason).toContain('cannot be read (EISDIR: it is a folder)');
    const noPath: PolicyFs = { ...nodePolicyFs, realpath: () => Promise.reject(Object.assign(new Error('x'), { code: 'EACCES' })) };
    expect((await none({ fs: noPath })).reason).toBe(`The org policy at ${loc.policyPath} cannot be read (EACCES: permission denied). Supervision is off until IT fixes its permissions.`);
    const noStat: PolicyFs = { ...nodePolicyFs, stat: () => Promise.reject(Object.assign(new Error('x'), { code: 'EACCES' })) };
    expect((await none({ fs: noStat })).reason).toContain(`${loc.policyPath} cannot be checked (EACCES: permission denied)`);
  });

  it('never throws, whatever the reader does: the answer is "none"', async () => {
    install();
    const broken: PolicyFs[] = [
      { ...nodePolicyFs, stat: () => Promise.resolve(null as never) },
      { ...nodePolicyFs, realpath: () => { throw new Error('sync throw'); } },
      { ...nodePolicyFs, readFile: () => Promise.resolve('not bytes' as never) },
      { ...nodePolicyFs, readFile: () => Promise.reject('a string') },
    ];
    for (const fs of broken) {
      const r = await load({ fs });
      expect(r.state).toBe('none');
      expect(r.state === 'none' && r.reason).toMatch(/Supervision is off/);
    }
    expect((await load({ location: null as never, platform: 'linux', fs: broken[1] })).state).toBe('none');
  });
});

// ---- watcher -----------------------------------------------------------------------------------

function fakeTimers() {
  let next = 1;
  const pending = new Map<number, { fn: () => void; ms: number }>();
  const timers: TimersLike = {
    setTimeout: (fn, ms) => {
      pending.set(next, { fn, ms });
      return next++;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  /** Runs the timers due within `ms` (here: the ones set with exactly that delay or less). */
  const fire = (maxMs = Infinity) => {
    for (const [id, t] of [...pending]) if (t.ms <= maxMs) {
      pending.delete(id);
      t.fn();
    }
  };
  return { timers, pending, fire };
}

function fakeWatch() {
  const calls: string[] = [];
  let emit: (() => void) | null = null;
  let fail: (() => void) | null = null;
  let throwing = false;
  const watch: WatchDir = (d, onEvent, onError) => {
    calls.push(d);
    if (throwing) throw Object.assign(new Error('no dir'), { code: 'ENOENT' });
    emit = onEvent;
    fail = onError;
    return { close: () => (emit = null) };
  };
  return { watch, calls, emit: () => emit?.(), fail: () => fail?.(), setThrowing: (t: boolean) => (throwing = t) };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ManagedPolicyWatcher', () => {
  it('loads, watches the folder, reloads once per burst of changes, reports only changes', async () => {
    install();
    const t = fakeTimers();
    const w = fakeWatch();
    let loads = 0;
    const seen: ManagedPolicyResult[] = [];
    const watcher = new ManagedPolicyWatcher({ load: () => (loads++, load()), dir, onChange: (r) => seen.push(r), watch: w.watch, timers: t.timers, now: () => now, debounceMs: 500 });
    expect((await watcher.start()).state).toBe('active');
    expect(w.calls).toEqual([dir]);
    expect(seen.map((r) => r.state)).toEqual(['active']);

    // IT replaces the policy with a tampered one: three events, one reload.
    const file = JSON.parse(signedText);
    file.policy.org = 'Widened';
    install(JSON.stringify(file));
    w.emit();
    w.emit();
    w.emit();
    expect([...t.pending.values()].filter((p) => p.ms === 500)).toHaveLength(1);
    t.fire(500);
    expect(loads).toBe(2);
    await watcher.reload(); // joins the reload the timer started
    expect(seen.map((r) => r.state)).toEqual(['active', 'none']);
    expect(watcher.result?.state === 'none' && watcher.result.code).toBe('bad-signature');

    // An event that changes nothing reports nothing.
    w.emit();
    t.fire(500);
    await settle();
    await watcher.reload();
    expect(seen).toHaveLength(2);

    install();
    await watcher.reload();
    expect(seen.map((r) => r.state)).toEqual(['active', 'none', 'active']);
    watcher.close();
    expect(t.pending.size).toBe(0);
  });

  it('reloads when the policy expires, and periodically when the folder could not be watched', async () => {
    install();
    const t = fakeTimers();
    const w = fakeWatch();
    w.setThrowing(true);
    const almostExpired = new Date('2027-12-31T23:59:00Z');
    let clock = almostExpired;
    const seen: ManagedPolicyResult[] = [];
    const watcher = new ManagedPolicyWatcher({ load: () => load({ now: clock }), dir, onChange: (r) => seen.push(r), watch: w.watch, timers: t.timers, now: () => clock, recheckMs: 600_000 });
    await watcher.start();
    // Due in 60 s (+1 s), well before the 10-minute recheck.
    expect([...t.pending.values()].map((p) => p.ms)).toEqual([61_000]);
    clock = new Date('2028-01-01T00:00:01Z');
    w.setThrowing(false);
    t.fire();
    await settle();
    await watcher.reload();
    expect(seen.map((r) => (r.state === 'none' ? r.code : r.state))).toEqual(['active', 'expired']);
    expect(w.calls.length).toBeGreaterThanOrEqual(2); // tried again, now watching
    expect([...t.pending.values()].map((p) => p.ms)).toEqual([600_000]);
    watcher.close();
  });

  it('a load that throws is "none", and a failing listener does not stop it', async () => {
    const t = fakeTimers();
    const results: string[] = [];
    let fail = true;
    const watcher = new ManagedPolicyWatcher({
      load: async () => {
        if (fail) throw new Error('disk on fire');
        return load();
      },
      dir,
      onChange: (r) => {
        results.push(r.state === 'none' ? r.reason : r.state);
        throw new Error('listener bug');
      },
      watch: fakeWatch().watch,
      timers: t.timers,
    });
    await watcher.start();
    expect(results).toEqual(['The org policy could not be loaded (disk on fire). Supervision is off.']);
    fail = false;
    install();
    await watcher.reload();
    expect(results[1]).toBe('active');
    watcher.close();
  });

  it('follows real changes in the folder (fs.watch)', { timeout: 120_000 }, async () => {
    const results: ManagedPolicyResult[] = [];
    let wake: () => void = () => {};
    const watcher = new ManagedPolicyWatcher({ load: () => load(), dir, debounceMs: 50, onChange: (r) => (results.push(r), wake()) });
    expect((await watcher.start()).state).toBe('none');
    const active = new Promise<void>((resolve) => (wake = () => results.at(-1)?.state === 'active' && resolve()));
    install();
    await active;
    expect(results.at(-1)?.state).toBe('active');
    watcher.close();
  });
});
