import { EventEmitter } from 'node:events';
import type { AppUpdater } from 'electron-updater';
import { describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../shared/bridge';
import { resolveUpdateConfig, type EffectiveUpdateConfig, type UpdateConfigInput } from './updatePolicy';
import { managedPrefix, plainError, UpdateService, type AutoUpdaterLike, type TimersLike, type UpdateServiceOptions } from './updater';

// The real autoUpdater must fit the interface index.ts passes it as.
const fits = (u: AppUpdater): AutoUpdaterLike => u;
void fits;

/** electron-updater's AppUpdater as far as the service sees it, recording what it is asked. */
class FakeUpdater extends EventEmitter implements AutoUpdaterLike {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  allowDowngrade = false;
  allowPrerelease = false;
  disableWebInstaller = false;
  private _channel: string | null = null;
  calls: string[] = [];
  feeds: unknown[] = [];
  /** What the next checkForUpdates does. */
  onCheck: () => Promise<unknown> = async () => {
    this.emit('checking-for-update');
    this.emit('update-not-available', { version: '1.0.0' });
    return { isUpdateAvailable: false };
  };
  get channel() {
    return this._channel;
  }
  set channel(v: string | null) {
    // As electron-updater does.
    this._channel = v;
    this.allowDowngrade = true;
  }
  setFeedURL(options: unknown) {
    this.calls.push('setFeedURL');
    this.feeds.push(options);
  }
  checkForUpdates() {
    this.calls.push('checkForUpdates');
    return this.onCheck();
  }
  async downloadUpdate() {
    this.calls.push('downloadUpdate');
    return [];
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean) {
    this.calls.push(`quitAndInstall(${isSilent},${isForceRunAfter})`);
  }
}

/** Timers run by hand. */
class ManualTimers implements TimersLike {
  pending = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;
  setTimeout(fn: () => void, ms: number) {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(h: unknown) {
    this.pending.delete(h as number);
  }
  delays() {
    return [...this.pending.values()].map((p) => p.ms);
  }
  async fire() {
    const entries = [...this.pending.entries()];
    this.pending.clear();
    for (const [, p] of entries) p.fn();
    await flush();
  }
}
const flush = () => new Promise((r) => setTimeout(r, 0));

const feed = 'https://updates.example.com/whisperline';
const configFor = (over: Partial<UpdateConfigInput> = {}): EffectiveUpdateConfig =>
  resolveUpdateConfig({ policy: null, machine: { state: 'absent', path: '/etc/whisperline/updates.json' }, appUpdateYml: { provider: 'generic', url: feed, channel: null }, install: { kind: 'nsis', canSelfUpdate: true, why: null }, ...over });

function setup(config: EffectiveUpdateConfig | (() => EffectiveUpdateConfig), over: Partial<UpdateServiceOptions> = {}) {
  const updater = new FakeUpdater();
  const timers = new ManualTimers();
  const statuses: UpdateStatus[] = [];
  const logs: string[] = [];
  const svc = new UpdateService({
    updater,
    resolve: async () => (typeof config === 'function' ? config() : config),
    currentVersion: '1.0.0',
    timers,
    random: () => 0.5,
    log: (l) => logs.push(l),
    ...over,
  });
  svc.onStatus((s) => statuses.push(s));
  return { updater, timers, statuses, logs, svc };
}

describe('UpdateService', () => {
  it('automatic: sets the feed and channel, checks after start and then every 4 h (jittered), downloads in the background', async () => {
    const { updater, timers, svc, statuses } = setup(configFor());
    await svc.start();
    expect(updater.feeds).toEqual([{ provider: 'generic', url: feed, channel: 'latest' }]);
    expect(updater).toMatchObject({ channel: 'latest', autoDownload: true, autoInstallOnAppQuit: true, allowDowngrade: false, disableWebInstaller: true });
    expect(svc.status()).toMatchObject({ managedBy: 'user', enabled: true, channel: 'latest', state: 'idle' });
    expect(updater.calls).toEqual(['setFeedURL']);
    expect(timers.delays()).toEqual([30_000]);

    updater.onCheck = async () => {
      updater.emit('checking-for-update');
      updater.emit('update-available', { version: '1.1.0' });
      updater.emit('download-progress', { percent: 41.2 });
      updater.emit('download-progress', { percent: 41.9 }); // same whole percent: no new status
      updater.emit('update-downloaded', { version: '1.1.0' });
      return {};
    };
    await timers.fire();
    expect(statuses.map((s) => [s.state, s.message])).toEqual([
      ['idle', 'Updates are checked and downloaded automatically.'],
      ['checking', 'Checking for updates…'],
      ['downloading', 'Downloading version 1.1.0…'],
      ['downloading', 'Downloading version 1.1.0 (41 %)…'],
      ['ready', 'Version 1.1.0 is ready. Restart to update, or it is installed when Whisperline quits.'],
    ]);
    expect(svc.status().version).toBe('1.1.0');
    expect(timers.delays()).toEqual([4 * 3600_000]);
    // Jitter spreads desks: ±20 %.
    const low = setup(configFor(), { random: () => 0 });
    await low.svc.start();
    expect(low.timers.delays()).toEqual([24_000]);

    // Ready: the next check does not fetch again; Restart to update installs silently and restarts.
    await timers.fire();
    expect(updater.calls.filter((c) => c === 'checkForUpdates')).toHaveLength(1);
    expect(svc.install()).toEqual({ ok: true, action: 'restart' });
    expect(updater.calls.at(-1)).toBe('quitAndInstall(true,true)');
  });

  it('notify: nothing downloads until the user asks; then Restart to update', async () => {
    const { updater, timers, svc, statuses } = setup(configFor({ policy: { mode: 'notify' } }));
    await svc.start();
    expect(updater.autoDownload).toBe(false);
    expect(svc.install()).toEqual({ ok: false, reason: 'No update is ready to install.' });
    updater.onCheck = async () => {
      updater.emit('checking-for-update');
      updater.emit('update-available', { version: '2.0.0' });
      return {};
    };
    await timers.fire();
    expect(svc.status()).toMatchObject({ state: 'available', version: '2.0.0', managedBy: 'organisation', message: `${managedPrefix}. Version 2.0.0 is available. Download it when it suits you.` });
    expect(updater.calls).not.toContain('downloadUpdate');
    expect(svc.install()).toEqual({ ok: true, action: 'download' });
    expect(updater.calls.at(-1)).toBe('downloadUpdate');
    expect(svc.status().state).toBe('downloading');
    updater.emit('update-downloaded', { version: '2.0.0' });
    expect(statuses.at(-1)).toMatchObject({ state: 'ready', version: '2.0.0' });
    expect(statuses.every((s) => s.message.startsWith(`${managedPrefix}. `))).toBe(true);
  });

  it('off: state disabled, no feed, no check, no timer; the organisation says so', async () => {
    const { updater, timers, svc } = setup(configFor({ policy: { mode: 'off' } }));
    await svc.start();
    await svc.checkNow();
    expect(updater.calls).toEqual([]);
    expect(timers.pending.size).toBe(0);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(svc.status()).toEqual({
      managedBy: 'organisation',
      enabled: false,
      channel: 'latest',
      state: 'disabled',
      version: null,
      message: 'Updates managed by your organisation. Updates are turned off by the signed org policy.',
    });
    expect(svc.install()).toEqual({ ok: false, reason: 'Updates are not available on this computer.' });
  });

  it('an installation that cannot update itself (MSI) is unsupported and makes no request', async () => {
    const msi = configFor({ install: { kind: 'msi', canSelfUpdate: false, why: "This installation (MSI) is updated by your IT department's software distribution, not by Whisperline itself." } });
    const { updater, svc } = setup(msi);
    await svc.start();
    await svc.checkNow();
    expect(updater.calls).toEqual([]);
    expect(svc.status()).toMatchObject({ state: 'unsupported', enabled: false, managedBy: 'user', message: msi.reason });
  });

  it('electron-updater answering null (inactive here) reads as unsupported', async () => {
    const { updater, svc } = setup(configFor());
    updater.onCheck = async () => null;
    await svc.start();
    await svc.checkNow();
    expect(svc.status()).toMatchObject({ state: 'unsupported', message: 'This installation cannot update itself.' });
    // It will not change its mind: no more checks, no flicker back to idle.
    await svc.checkNow();
    expect(updater.calls.filter((c) => c === 'checkForUpdates')).toHaveLength(1);
    expect(svc.status().state).toBe('unsupported');
  });

  it('the configuration is read again before each check: IT turning updates off stops the next request', async () => {
    let config = configFor();
    const { updater, timers, svc } = setup(() => config);
    await svc.start();
    config = configFor({ machine: { state: 'ok', path: '/etc/whisperline/updates.json', setting: { mode: 'off' } } });
    await timers.fire();
    expect(updater.calls).toEqual(['setFeedURL']);
    expect(svc.status()).toMatchObject({ state: 'disabled', managedBy: 'organisation' });
    expect(timers.pending.size).toBe(0);
    // Turned on again (reconfigure after a policy change): checks soon, with the new channel and server.
    config = configFor({ policy: { mode: 'automatic', channel: 'beta', url: 'https://mirror.example/wl' } });
    await svc.reconfigure();
    expect(updater.feeds.at(-1)).toEqual({ provider: 'generic', url: 'https://mirror.example/wl', channel: 'beta' });
    expect(updater).toMatchObject({ channel: 'beta', allowDowngrade: false, autoInstallOnAppQuit: true });
    expect(svc.status()).toMatchObject({ state: 'idle', channel: 'beta', enabled: true, managedBy: 'organisation' });
    expect(timers.delays()).toEqual([30_000]);
  });

  it('allowDowngrade is set after the channel (whose setter turns it on), and only when IT asks', async () => {
    const { updater, svc } = setup(configFor({ policy: { mode: 'automatic', channel: 'hold-2-3', allowDowngrade: true } }));
    await svc.start();
    expect(updater).toMatchObject({ channel: 'hold-2-3', allowDowngrade: true });
    const plain = setup(configFor({ policy: { mode: 'automatic', channel: 'beta' } }));
    await plain.svc.start();
    expect(plain.updater).toMatchObject({ channel: 'beta', allowDowngrade: false });
  });

  it('automatic: a background check waits while a call is up', async () => {
    let busy = true;
    const { updater, timers, svc } = setup(configFor(), { inCall: () => busy });
    await svc.start();
    await timers.fire();
    expect(updater.calls).not.toContain('checkForUpdates');
    expect(timers.delays()).toEqual([5 * 60_000]);
    busy = false;
    await timers.fire();
    expect(updater.calls).toContain('checkForUpdates');
  });

  it('errors become one plain sentence, once in the log', async () => {
    const { updater, svc, logs } = setup(configFor({ policy: { mode: 'automatic', channel: 'beta' } }));
    const err = Object.assign(new Error('Cannot find channel "beta.yml" update info: HttpError: 404'), { code: 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' });
    updater.onCheck = async () => {
      updater.emit('error', err);
      throw err;
    };
    await svc.start();
    await svc.checkNow();
    expect(svc.status()).toMatchObject({
      state: 'error',
      message: `${managedPrefix}. The update server (updates.example.com) has nothing for the "beta" channel: beta.yml is missing. Whisperline tries again later.`,
    });
    expect(logs.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  });

  it('plainError', () => {
    const c = { channel: 'latest', feedUrl: feed };
    const e = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    expect(plainError(e('ECONNREFUSED'), c)).toBe('The update server (updates.example.com) could not be reached.');
    expect(plainError(new Error('net::ERR_NAME_NOT_RESOLVED'), c)).toBe('The update server (updates.example.com) could not be reached.');
    expect(plainError(new Error('net::ERR_CERT_AUTHORITY_INVALID'), c)).toBe("The update server's certificate (updates.example.com) is not trusted.");
    expect(plainError(e('ERR_UPDATER_INVALID_SIGNATURE'), c)).toBe('The downloaded update is not signed by the publisher, so it was not installed.');
    expect(plainError(e('ERR_CHECKSUM_MISMATCH'), c)).toMatch(/damaged/);
    expect(plainError(e('ERR_UPDATER_ZIP_FILE_NOT_FOUND'), c)).toMatch(/\.zip for macOS/);
    expect(plainError(e('HTTP_ERROR_503'), c)).toBe('The update server (updates.example.com) answered 503.');
    expect(plainError(new Error('something odd\nstack'), c)).toBe('Updates could not be checked (something odd).');
  });

  it('a listener that throws does not stop the others; unsubscribe works', async () => {
    const { svc } = setup(configFor());
    const seen: string[] = [];
    svc.onStatus(() => {
      throw new Error('window closed');
    });
    const off = svc.onStatus((s) => seen.push(s.state));
    await svc.start();
    off();
    await svc.checkNow();
    expect(seen).toEqual(['idle']);
  });
});
