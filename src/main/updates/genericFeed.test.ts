/**
 * electron-updater's own code (AppImageUpdater → AppUpdater, GenericProvider, ElectronHttpExecutor,
 * the staging decision, the sha512 check) against a generic update server on 127.0.0.1, driven by
 * UpdateService. Only Electron's API is replaced: `app` (version, paths, readiness), `net.request`
 * (handed to Node's http.request, which has the same request/response surface the executor uses),
 * `session`, plus what Electron and the AppImage runtime put in the process (resourcesPath, APPIMAGE).
 *
 * Why not vi.mock('electron'): vitest leaves node_modules to Node, and electron-updater is CommonJS
 * that calls require("electron") itself, which vi.mock never sees. The stand-in goes into Node's
 * require cache under the path that require("electron") resolves to, before electron-updater loads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../shared/bridge';
import { resolveUpdateConfig, type MachineUpdates } from './updatePolicy';
import { UpdateService, type AutoUpdaterLike } from './updater';

const require = createRequire(import.meta.url);
const root = mkdtempSync(join(tmpdir(), 'wl-feed-'));
let userData = join(root, 'profile-0');

// ---- the Electron boundary ----
const quitHandlers: Array<(...a: unknown[]) => void> = [];
const fakeApp = {
  isPackaged: true,
  getVersion: () => '1.0.0',
  getName: () => 'Whisperline',
  getAppPath: () => root,
  getPath: (name: string) => (name === 'userData' ? userData : join(root, name)),
  whenReady: () => Promise.resolve(),
  once: (event: string, fn: (...a: unknown[]) => void) => event === 'quit' && quitHandlers.push(fn),
  on: () => undefined,
  quit: () => undefined,
  relaunch: () => undefined,
};
const fakeElectron = {
  app: fakeApp,
  // Electron's net.request takes { protocol, hostname, port, path, method, headers, redirect, session }. No
  // keep-alive agent: Chromium's stack has none to share, and the executor's per-socket timeout handlers would pile up.
  net: { request: ({ session: _s, redirect: _r, ...options }: Record<string, unknown>) => httpRequest({ ...options, agent: false }) },
  session: { fromPartition: () => ({}) },
  autoUpdater: new EventEmitter(),
};
const electronPath = require.resolve('electron');
const updaterRequire = createRequire(require.resolve('electron-updater'));
const saved = { cache: require.cache[electronPath], resourcesPath: (process as { resourcesPath?: string }).resourcesPath, env: { ...process.env } };

type Updater = AutoUpdaterLike & EventEmitter & { logger: unknown; checkForUpdates(): Promise<any> };
let electronUpdater: { AppImageUpdater: new () => Updater; autoUpdater: Updater };

// ---- the generic server IT hosts ----
const files = new Map<string, Buffer>();
const requests: Array<{ path: string; stagingId: string | undefined }> = [];
let server: Server;
let feedUrl: string;
const newApp = randomBytes(64 * 1024);
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('base64');
const archSuffix = process.arch === 'x64' ? '' : `-${process.arch}`;
const channelFile = (channel: string) => `${channel}-linux${archSuffix}.yml`;
/** What electron-builder writes for an AppImage release (latest-linux.yml), with the staging IT adds. */
const releaseYml = (version: string, staging: number | null, body: Buffer = newApp) =>
  [
    `version: ${version}`,
    'files:',
    `  - url: Whisperline-${version}.AppImage`,
    `    sha512: ${sha512(body)}`,
    `    size: ${body.length}`,
    `path: Whisperline-${version}.AppImage`,
    `sha512: ${sha512(body)}`,
    "releaseDate: '2026-11-20T10:00:00.000Z'",
    ...(staging == null ? [] : [`stagingPercentage: ${staging}`]),
    '',
  ].join('\n');

beforeAll(async () => {
  // What Electron and the AppImage runtime provide in a packaged AppImage.
  const resources = join(root, 'resources');
  mkdirSync(resources);
  writeFileSync(join(resources, 'app-update.yml'), 'provider: generic\nurl: https://updates.invalid/whisperline\nupdaterCacheDirName: whisperline-updater\n');
  (process as { resourcesPath?: string }).resourcesPath = resources;
  writeFileSync(join(root, 'Whisperline-1.0.0.AppImage'), randomBytes(1024));
  process.env.APPIMAGE = join(root, 'Whisperline-1.0.0.AppImage');
  process.env.XDG_CACHE_HOME = join(root, 'cache');
  require.cache[electronPath] = { id: electronPath, filename: electronPath, loaded: true, exports: fakeElectron } as unknown as NodeJS.Module;
  electronUpdater = updaterRequire('electron-updater');

  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    requests.push({ path, stagingId: req.headers['x-user-staging-id'] as string | undefined });
    const body = files.get(path);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  feedUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/whisperline/`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  if (saved.cache) require.cache[electronPath] = saved.cache;
  else delete require.cache[electronPath];
  (process as { resourcesPath?: string }).resourcesPath = saved.resourcesPath;
  for (const k of ['APPIMAGE', 'XDG_CACHE_HOME']) if (saved.env[k] === undefined) delete process.env[k];
  rmSync(root, { recursive: true, force: true });
});

let profiles = 0;
beforeEach(() => {
  files.clear();
  requests.length = 0;
});

/** A fresh desk: its own profile (and so its own staging id), the real updater, our service. */
function desk(machine: MachineUpdates, stagingId?: string) {
  userData = join(root, `profile-${++profiles}`);
  mkdirSync(userData);
  if (stagingId) writeFileSync(join(userData, '.updaterId'), stagingId);
  const updater = new electronUpdater.AppImageUpdater();
  const log: string[] = [];
  updater.logger = { info: (m: string) => log.push(m), warn: (m: string) => log.push(m), error: (m: string) => log.push(m) };
  const config = resolveUpdateConfig({
    policy: null,
    machine: { state: 'ok', path: '/etc/whisperline/updates.json', setting: machine },
    appUpdateYml: { provider: 'generic', url: 'https://updates.invalid/whisperline', channel: null },
    install: { kind: 'appimage', canSelfUpdate: true, why: null },
  });
  const svc = new UpdateService({ updater, resolve: async () => config, currentVersion: '1.0.0', timers: { setTimeout: () => 0, clearTimeout: () => undefined }, log: () => undefined });
  const statuses: UpdateStatus[] = [];
  svc.onStatus((s) => statuses.push(s));
  const until = (state: UpdateStatus['state']) =>
    new Promise<UpdateStatus>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no "${state}" status; last: ${JSON.stringify(svc.status())}`)), 20_000);
      const check = (s: UpdateStatus) => s.state === state && (clearTimeout(t), resolve(s));
      check(svc.status());
      svc.onStatus(check);
    });
  return { updater, svc, statuses, log, until, userData };
}

// The staging id's last 4 bytes, over 2^32-1, is where the desk sits in the rollout (AppUpdater.isStagingMatch).
const earlyDesk = '3a1f5e2c-9b7d-4e8f-a6c5-00001999999a'; // …1999999a ≈ 0.1 (not its high bytes: 0x0000 pads)
const lateDesk = '7c2e9d41-5a3b-4f6e-8d1c-0000e6666666'; // …e6666666 ≈ 0.9

describe('electron-updater generic provider against a local feed', () => {
  it('production picks AppImageUpdater on Linux (the class used below)', () => {
    expect(electronUpdater.autoUpdater).toBeInstanceOf(electronUpdater.AppImageUpdater);
  });

  it('reads the channel file named by the channel: latest-linux.yml, beta-linux.yml', async () => {
    files.set(`whisperline/${channelFile('beta')}`, Buffer.from(releaseYml('1.0.0', null)));
    files.set(`whisperline/${channelFile('latest')}`, Buffer.from(releaseYml('1.0.0', null)));
    const beta = desk({ channel: 'beta', url: feedUrl, mode: 'notify' });
    await beta.svc.start();
    await beta.svc.checkNow();
    expect(beta.svc.status()).toMatchObject({ state: 'up-to-date', channel: 'beta', managedBy: 'organisation' });
    expect(requests.map((r) => r.path)).toEqual([`whisperline/${channelFile('beta')}`]);

    requests.length = 0;
    const latest = desk({ url: feedUrl, mode: 'notify' });
    await latest.svc.start();
    await latest.svc.checkNow();
    expect(requests.map((r) => r.path)).toEqual([`whisperline/${channelFile('latest')}`]);

    // A channel the server does not carry: a plain sentence naming the missing file.
    requests.length = 0;
    const pilot = desk({ channel: 'pilot', url: feedUrl, mode: 'notify' });
    await pilot.svc.start();
    await pilot.svc.checkNow();
    expect(pilot.svc.status().state).toBe('error');
    expect(pilot.svc.status().message).toContain(`has nothing for the "pilot" channel: ${channelFile('pilot')} is missing`);
  });

  it('a staged rollout offers the update to the share of desks IT set, by each desk’s kept staging id', async () => {
    files.set(`whisperline/${channelFile('latest')}`, Buffer.from(releaseYml('1.1.0', 50)));
    // One after the other: the stand-in app has one userData at a time, read at a desk's first check.
    const early = desk({ url: feedUrl, mode: 'notify' }, earlyDesk);
    await early.svc.start();
    await early.svc.checkNow();
    const late = desk({ url: feedUrl, mode: 'notify' }, lateDesk);
    await late.svc.start();
    await late.svc.checkNow();
    expect(early.svc.status()).toMatchObject({ state: 'available', version: '1.1.0' });
    expect(late.svc.status()).toMatchObject({ state: 'up-to-date', version: null });
    expect(early.log.join('\n')).toMatch(/Staging percentage: 0\.5, percentage: 0\.1/);
    // The server sees each desk's id (x-user-staging-id), e.g. to log who is in.
    expect(requests.map((r) => r.stagingId)).toEqual([earlyDesk, lateDesk]);

    // IT widens the rollout to 100 %: the late desk gets it at its next check.
    files.set(`whisperline/${channelFile('latest')}`, Buffer.from(releaseYml('1.1.0', 100)));
    await late.svc.checkNow();
    expect(late.svc.status()).toMatchObject({ state: 'available', version: '1.1.0' });
    // IT halts it (stagingPercentage: 0): nobody new is offered it.
    files.set(`whisperline/${channelFile('latest')}`, Buffer.from(releaseYml('1.1.0', 0)));
    const another = desk({ url: feedUrl, mode: 'notify' }, earlyDesk);
    await another.svc.start();
    await another.svc.checkNow();
    expect(another.svc.status().state).toBe('up-to-date');
  });

  it('a new desk gets a random staging id, kept in <userData>/.updaterId, and sends it', async () => {
    files.set(`whisperline/${channelFile('latest')}`, Buffer.from(releaseYml('1.1.0', 50)));
    const d = desk({ url: feedUrl, mode: 'notify' });
    await d.svc.start();
    await d.svc.checkNow();
    const id = readFileSync(join(d.userData, '.updaterId'), 'utf8');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(requests.at(-1)?.stagingId).toBe(id);
    const inRollout = parseInt(id.slice(-8), 16) / 0xffffffff < 0.5;
    expect(d.svc.status().state).toBe(inRollout ? 'available' : 'up-to-date');
  });

  it('automatic: downloads in the background, checks the sha512, and is ready to restart', async () => {
    files.set(`whisperline/${channelFile('latest')}`, Buffer.from(releaseYml('1.1.0', null)));
    files.set('whisperline/Whisperline-1.1.0.AppImage', newApp);
    const d = desk({ url: feedUrl, mode: 'automatic' });
    await d.svc.start();
    await d.svc.checkNow();
    const ready = await d.until('ready');
    expect(ready).toMatchObject({ version: '1.1.0', managedBy: 'organisation', message: 'Updates managed by your organisation. Version 1.1.0 is ready. Restart to update, or it is installed when Whisperline quits.' });
    expect(d.statuses.map((s) => s.state)).toContain('downloading');
    const pending = join(root, 'cache', 'whisperline-updater', 'pending', 'Whisperline-1.1.0.AppImage');
    expect(readFileSync(pending).equals(newApp)).toBe(true);
    // Installed at quit unless restarted before (autoInstallOnAppQuit).
    expect(quitHandlers.length).toBeGreaterThan(0);
  });

  it('a damaged download (sha512 mismatch) is refused', async () => {
    rmSync(join(root, 'cache'), { recursive: true, force: true });
    files.set(`whisperline/${channelFile('latest')}`, Buffer.from(releaseYml('1.2.0', null)));
    const tampered = Buffer.from(newApp);
    tampered[100] ^= 0xff;
    files.set('whisperline/Whisperline-1.2.0.AppImage', tampered);
    const d = desk({ url: feedUrl, mode: 'automatic' });
    await d.svc.start();
    await d.svc.checkNow();
    const failed = await d.until('error');
    expect(failed.message).toMatch(/damaged \(checksum mismatch\)|sha512 checksum mismatch/);
    expect(existsSync(join(root, 'cache', 'whisperline-updater', 'pending', 'Whisperline-1.2.0.AppImage'))).toBe(false);
  });

  it('off makes no request at all', async () => {
    files.set(`whisperline/${channelFile('latest')}`, Buffer.from(releaseYml('1.1.0', null)));
    const d = desk({ url: feedUrl, mode: 'off' });
    await d.svc.start();
    await d.svc.checkNow();
    await d.svc.reconfigure();
    expect(d.svc.status()).toMatchObject({ state: 'disabled', enabled: false, message: 'Updates managed by your organisation. Updates are turned off by the machine-wide setting /etc/whisperline/updates.json.' });
    expect(requests).toEqual([]);
    expect(existsSync(join(d.userData, '.updaterId'))).toBe(false);
  });
});
