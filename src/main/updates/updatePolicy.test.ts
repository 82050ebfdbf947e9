import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeToYaml } from 'builder-util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManagedLocation } from '../policy/managedLocation';
import { managedPolicyLocation } from '../policy/managedLocation';
import { nodePolicyFs, type PolicyFs } from '../policy/managedPolicy';
import { detectInstall, parseAppUpdateYml, readMachineUpdateSetting, resolveUpdateConfig, updateConfigResolver, type InstallInfo, type InstallProbe, type MachineUpdateSetting, type UpdateConfigInput } from './updatePolicy';

const machinePath = '/etc/whisperline/updates.json';
const nsis: InstallInfo = { kind: 'nsis', canSelfUpdate: true, why: null };
const buildFeed = { provider: 'generic', url: 'https://updates.vendor.example/whisperline', channel: null };
const absent: MachineUpdateSetting = { state: 'absent', path: machinePath };
const machine = (setting: object): MachineUpdateSetting => ({ state: 'ok', path: machinePath, setting });
const resolve = (over: Partial<UpdateConfigInput> = {}) => resolveUpdateConfig({ policy: null, machine: absent, appUpdateYml: buildFeed, install: nsis, ...over });

describe('resolveUpdateConfig', () => {
  it('without IT: the build feed, automatic, channel latest, left to the user', () => {
    const c = resolve();
    expect(c).toMatchObject({ managedBy: 'user', enabled: true, state: 'enabled', mode: 'automatic', channel: 'latest', feedUrl: buildFeed.url, allowDowngrade: false });
    expect(c.sources).toEqual({ mode: 'default', channel: 'default', url: 'build', allowDowngrade: 'default' });
    expect(c.reason).toBe(`Updates are downloaded in the background and installed on restart (channel latest, from ${buildFeed.url}). Set by the app's built-in feed (url) and Whisperline's defaults (mode, channel).`);
    // The build's own channel (publish.channel in electron-builder.yml) is the default channel.
    expect(resolve({ appUpdateYml: { ...buildFeed, channel: 'beta' } }).channel).toBe('beta');
  });

  it('the signed policy wins over the machine-wide file, which wins over the build, field by field', () => {
    const c = resolve({
      policy: { mode: 'notify', channel: 'beta' },
      machine: machine({ mode: 'off', channel: 'alpha', url: 'https://mirror.site.example/wl', allowDowngrade: true }),
    });
    expect(c).toMatchObject({ managedBy: 'organisation', enabled: true, mode: 'notify', channel: 'beta', feedUrl: 'https://mirror.site.example/wl', allowDowngrade: true });
    expect(c.sources).toEqual({ mode: 'policy', channel: 'policy', url: 'machine', allowDowngrade: 'machine' });
    expect(c.reason).toBe(
      `You are told when an update is available (channel beta, from https://mirror.site.example/wl). Set by the signed org policy (mode, channel) and the machine-wide setting ${machinePath} (url, allowDowngrade).`,
    );
    expect(resolve({ policy: { mode: 'automatic', url: 'https://org.example/wl', allowDowngrade: false }, machine: machine({ url: 'https://x.example/', allowDowngrade: true }) })).toMatchObject({
      feedUrl: 'https://org.example/wl',
      allowDowngrade: false,
    });
  });

  it('a machine-wide file alone manages the desk, even an empty one', () => {
    expect(resolve({ machine: machine({ mode: 'off' }) })).toMatchObject({ managedBy: 'organisation', enabled: false, state: 'off', reason: `Updates are turned off by the machine-wide setting ${machinePath}.` });
    expect(resolve({ machine: machine({}) })).toMatchObject({ managedBy: 'organisation', enabled: true, mode: 'automatic', feedUrl: buildFeed.url });
    expect(resolve({ machine: machine({ channel: 'beta', url: 'https://updates.example.com/whisperline' }) })).toMatchObject({ channel: 'beta', feedUrl: 'https://updates.example.com/whisperline', enabled: true });
  });

  it('a machine-wide file that cannot be used keeps updates off and says why', () => {
    const broken: MachineUpdateSetting = { state: 'invalid', path: machinePath, problem: 'it is not valid JSON: Unexpected token' };
    const c = resolve({ machine: broken });
    expect(c).toMatchObject({ managedBy: 'organisation', enabled: false, state: 'off', mode: 'off' });
    expect(c.reason).toBe(`The machine-wide update setting ${machinePath} cannot be used (it is not valid JSON: Unexpected token), so updates stay off until IT fixes it.`);
    // The signed policy still wins (it says what IT wants), and the problem is still reported.
    const p = resolve({ machine: broken, policy: { mode: 'automatic' } });
    expect(p).toMatchObject({ enabled: true, mode: 'automatic' });
    expect(p.reason).toMatch(/cannot be used \(it is not valid JSON: Unexpected token\), so the signed org policy decides\.$/);
  });

  it('the signed policy can turn updates off; no feed is needed then', () => {
    expect(resolve({ policy: { mode: 'off' }, appUpdateYml: null })).toMatchObject({ enabled: false, state: 'off', managedBy: 'organisation', reason: 'Updates are turned off by the signed org policy.' });
  });

  it('an installation electron-updater cannot replace is unsupported, whatever IT asks (off still says off)', () => {
    const msi: InstallInfo = { kind: 'msi', canSelfUpdate: false, why: "This installation (MSI) is updated by your IT department's software distribution, not by Whisperline itself." };
    expect(resolve({ install: msi, policy: { mode: 'automatic' } })).toMatchObject({ enabled: false, state: 'unsupported', reason: msi.why });
    expect(resolve({ install: msi, machine: machine({ mode: 'off' }) })).toMatchObject({ enabled: false, state: 'off' });
  });

  it('a build without app-update.yml, or no server anywhere, cannot update', () => {
    expect(resolve({ appUpdateYml: null, policy: { mode: 'automatic', url: 'https://org.example/wl' } })).toMatchObject({ enabled: false, state: 'unsupported', reason: expect.stringMatching(/without an update feed/) });
    expect(resolve({ appUpdateYml: { provider: 'github', url: null, channel: null } })).toMatchObject({ enabled: false, state: 'unsupported', reason: expect.stringMatching(/^No update server is set/) });
    // A build published elsewhere still updates from the server IT names.
    expect(resolve({ appUpdateYml: { provider: 'github', url: null, channel: null }, machine: machine({ url: 'https://org.example/wl' }) })).toMatchObject({ enabled: true, feedUrl: 'https://org.example/wl' });
  });
});

// ---- the machine-wide file ----

let root: string;
let loc: ManagedLocation;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wl-updates-'));
  const dir = join(root, 'whisperline');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  loc = { platform: 'linux', dir, policyPath: join(dir, 'policy.signed.json'), adminKeyPath: join(dir, 'admin.pub'), checksOwnership: true };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const put = (content: string | Buffer, mode = 0o644) => {
  const p = join(loc.dir, 'updates.json');
  writeFileSync(p, content);
  chmodSync(p, mode);
  return p;
};
const isRoot = process.getuid?.() === 0;
/** Reports another owner/mode for chosen paths (the tests may run as root or not). */
const statAs = (over: Record<string, { uid?: number; mode?: number }>, base: PolicyFs = nodePolicyFs): PolicyFs => ({
  ...base,
  stat: async (p) => {
    const st = await base.stat(p);
    const o = over[p];
    const uid = o?.uid ?? (isRoot ? st.uid : 0);
    return { uid, mode: o?.mode ?? st.mode, size: st.size, isFile: () => st.isFile(), isDirectory: () => st.isDirectory() };
  },
});
const read = (over: Partial<Parameters<typeof readMachineUpdateSetting>[0]> = {}) => readMachineUpdateSetting({ location: loc, uid: 0, fs: statAs({}), ...over });

describe('readMachineUpdateSetting', () => {
  it('absent: not there (the folder may be missing too)', async () => {
    expect(await read()).toEqual({ state: 'absent', path: join(loc.dir, 'updates.json') });
    expect(await read({ location: { ...loc, dir: join(root, 'nowhere') } })).toMatchObject({ state: 'absent' });
  });

  it('reads a valid file (a byte order mark from Notepad is fine)', async () => {
    const path = put('\ufeff{ "channel": "beta", "url": "https://updates.example.com/whisperline" }');
    expect(await read()).toEqual({ state: 'ok', path, setting: { channel: 'beta', url: 'https://updates.example.com/whisperline' } });
    put('{ "mode": "off" }');
    expect(await read()).toMatchObject({ state: 'ok', setting: { mode: 'off' } });
  });

  it('anything else is invalid, with the reason (and then updates stay off)', async () => {
    put('{ "mode": "off", ');
    expect(await read()).toMatchObject({ state: 'invalid', problem: expect.stringMatching(/^it is not valid JSON: /) });
    put('{ "mdoe": "off" }');
    expect(await read()).toMatchObject({ state: 'invalid', problem: expect.stringMatching(/^file: .*mdoe/) });
    put('{ "url": "http://updates.example.com/" }');
    expect(await read()).toMatchObject({ state: 'invalid', problem: expect.stringMatching(/^url: must be an https:\/\//) });
    put('{ "channel": "../../x" }');
    expect(await read()).toMatchObject({ state: 'invalid', problem: expect.stringMatching(/^channel: /) });
    put(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(await read()).toMatchObject({ state: 'invalid', problem: 'it is not UTF-8 text' });
    put(`{ "channel": "beta", "x": "${'x'.repeat(70_000)}" }`);
    expect(await read()).toMatchObject({ state: 'invalid', problem: 'it is larger than 65536 bytes' });
    rmSync(join(loc.dir, 'updates.json'));
    mkdirSync(join(loc.dir, 'updates.json'));
    expect(await read()).toMatchObject({ state: 'invalid', problem: 'it is not a regular file' });
    const denied: PolicyFs = { ...nodePolicyFs, realpath: async () => Promise.reject(Object.assign(new Error('denied'), { code: 'EACCES' })) };
    expect(await read({ fs: denied })).toMatchObject({ state: 'invalid', problem: 'it cannot be read: EACCES' });
  });

  it('refuses a file a normal user could change (it could point every desk at another server)', async () => {
    const path = put('{ "url": "https://evil.example/" }');
    expect(await read({ fs: statAs({ [path]: { uid: 1000 } }) })).toMatchObject({ state: 'invalid', problem: `${path} is owned by user id 1000, not by root` });
    expect(await read({ fs: statAs({ [path]: { mode: 0o100664 } }) })).toMatchObject({ state: 'invalid', problem: `${path} can be written by other users (mode 0664)` });
    expect(await read({ fs: statAs({ [loc.dir]: { mode: 0o40777 } }) })).toMatchObject({ state: 'invalid', problem: `${loc.dir} can be written by other users (mode 0777)` });
    // A sticky, world-writable folder higher up (like /tmp) is fine; the file's own folder is not.
    expect(await read({ fs: statAs({ [root]: { mode: 0o41777 } }) })).toMatchObject({ state: 'ok' });
    // Write access the mode bits do not show (an ACL), for the user running the app.
    const aclWritable: PolicyFs = { ...statAs({}), access: async () => undefined };
    expect(await read({ fs: aclWritable, uid: 1000 })).toMatchObject({ state: 'invalid', problem: `${path} can be written by this user account (uid 1000)` });
    // Windows: no owner/ACL from stat; the ProgramData folder's ACL is IT's to keep (managedLocation.ts).
    expect(await read({ fs: statAs({ [path]: { uid: 1000 } }), location: { ...loc, checksOwnership: false } })).toMatchObject({ state: 'ok' });
  });

  it('lives beside the policy, on every platform', () => {
    const at = (platform: string) => managedPolicyLocation(platform, { ProgramData: 'D:\\ProgramData' }).dir;
    expect(at('linux')).toBe('/etc/whisperline');
    expect(at('darwin')).toBe('/Library/Application Support/Whisperline');
    expect(at('win32')).toBe('D:\\ProgramData\\Whisperline');
  });

  it('on Windows the path is joined with backslashes', async () => {
    const fs: PolicyFs = { ...nodePolicyFs, realpath: async (p) => Promise.reject(Object.assign(new Error(p), { code: 'ENOENT' })) };
    expect(await readMachineUpdateSetting({ location: managedPolicyLocation('win32', {}), fs })).toEqual({ state: 'absent', path: 'C:\\ProgramData\\Whisperline\\updates.json' });
  });
});

describe('parseAppUpdateYml', () => {
  it('reads what electron-builder writes', () => {
    const text = serializeToYaml({ provider: 'generic', url: 'https://updates.example.com/w?site=1', channel: 'beta', updaterCacheDirName: 'whisperline-updater', publisherName: ['Example Org, Inc.'] });
    expect(parseAppUpdateYml(text)).toEqual({ provider: 'generic', url: 'https://updates.example.com/w?site=1', channel: 'beta' });
    expect(parseAppUpdateYml("provider: generic\r\nurl: 'https://x.example/it''s'\r\n")).toEqual({ provider: 'generic', url: "https://x.example/it's", channel: null });
    expect(parseAppUpdateYml('owner: me\nrepo: wl\nprovider: github\n')).toEqual({ provider: 'github', url: null, channel: null });
    expect(parseAppUpdateYml('')).toBeNull();
  });
});

describe('detectInstall', () => {
  const probe = (over: Partial<InstallProbe> = {}): InstallProbe => ({
    platform: 'win32',
    isPackaged: true,
    execPath: 'C:\\Program Files\\Whisperline\\Whisperline.exe',
    resourcesPath: 'C:\\Program Files\\Whisperline\\resources',
    env: {},
    productName: 'Whisperline',
    exists: () => false,
    readText: () => null,
    ...over,
  });
  it('Windows: NSIS (its uninstaller is beside the app), MSI (it is not), portable', () => {
    const seen: string[] = [];
    expect(detectInstall(probe({ exists: (p) => (seen.push(p), p === 'C:\\Program Files\\Whisperline\\Uninstall Whisperline.exe') }))).toEqual({ kind: 'nsis', canSelfUpdate: true, why: null });
    expect(seen).toEqual(['C:\\Program Files\\Whisperline\\Uninstall Whisperline.exe']);
    expect(detectInstall(probe())).toMatchObject({ kind: 'msi', canSelfUpdate: false, why: expect.stringMatching(/MSI/) });
    expect(detectInstall(probe({ env: { PORTABLE_EXECUTABLE_DIR: 'D:\\USB' }, exists: () => true }))).toMatchObject({ kind: 'portable', canSelfUpdate: false });
  });
  it('a development build never updates', () => {
    expect(detectInstall(probe({ isPackaged: false, exists: () => true }))).toMatchObject({ kind: 'dev', canSelfUpdate: false });
  });
  it('macOS and Linux (AppImage, deb/rpm by package-type, Snap, unpacked)', () => {
    const linux = (over: Partial<InstallProbe>) => detectInstall(probe({ platform: 'linux', resourcesPath: '/opt/Whisperline/resources', ...over }));
    expect(detectInstall(probe({ platform: 'darwin' }))).toMatchObject({ kind: 'mac', canSelfUpdate: true });
    expect(linux({ env: { APPIMAGE: '/home/a/Whisperline.AppImage' } })).toMatchObject({ kind: 'appimage', canSelfUpdate: true });
    expect(linux({ readText: (p) => (p === '/opt/Whisperline/resources/package-type' ? 'deb\n' : null) })).toMatchObject({ kind: 'deb', canSelfUpdate: true });
    expect(linux({ env: { SNAP: '/snap/whisperline/1' } })).toMatchObject({ kind: 'snap', canSelfUpdate: false });
    expect(linux({})).toMatchObject({ kind: 'unpacked', canSelfUpdate: false });
  });
});

describe('updateConfigResolver (what index.ts wires)', () => {
  it('reads the installation and app-update.yml once, the policy and updates.json at every call', async () => {
    const resources = join(root, 'resources');
    mkdirSync(resources);
    writeFileSync(join(resources, 'app-update.yml'), 'provider: generic\nurl: https://updates.vendor.example/whisperline\nupdaterCacheDirName: whisperline-updater\n');
    let policy: { mode: 'automatic' | 'notify' | 'off' } | null = null;
    let machineText: string | null = null;
    const machineFile = '/etc/whisperline/updates.json';
    const fs: PolicyFs = {
      realpath: async (p) => (p === machineFile && machineText != null ? p : Promise.reject(Object.assign(new Error(p), { code: 'ENOENT' }))),
      stat: async () => ({ uid: 0, mode: 0o100644, size: machineText?.length ?? 0, isFile: () => true, isDirectory: () => true }),
      readFile: async () => new TextEncoder().encode(machineText ?? ''),
      access: async () => Promise.reject(new Error('EACCES')),
    };
    const resolveNow = updateConfigResolver({
      platform: 'linux',
      env: { APPIMAGE: join(root, 'Whisperline.AppImage') },
      isPackaged: true,
      execPath: '/tmp/.mount_Whisper/whisperline',
      resourcesPath: resources,
      productName: 'Whisperline',
      policy: () => policy,
      uid: 1000,
      fs,
    });
    expect(await resolveNow()).toMatchObject({ enabled: true, managedBy: 'user', feedUrl: 'https://updates.vendor.example/whisperline' });
    machineText = '{ "mode": "off" }';
    expect(await resolveNow()).toMatchObject({ enabled: false, state: 'off', managedBy: 'organisation' });
    policy = { mode: 'notify' };
    expect(await resolveNow()).toMatchObject({ enabled: true, mode: 'notify', sources: { mode: 'policy' } });
    // A development build (not packaged) never updates, whatever IT says.
    const dev = updateConfigResolver({ platform: 'linux', env: {}, isPackaged: false, execPath: '/usr/bin/electron', resourcesPath: '', productName: 'Whisperline', policy: () => ({ mode: 'automatic' }), fs });
    expect(await dev()).toMatchObject({ enabled: false, state: 'unsupported', reason: 'This is a development build: it does not update itself.' });
  });
});
