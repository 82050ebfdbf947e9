/**
 * The desktop app's updates: electron-updater's `autoUpdater` (injected: index.ts passes the real
 * one) driven by the configuration updatePolicy.ts resolves, turned into the `UpdateStatus` the
 * Settings page shows (README → For IT → Updates).
 *
 * - Disabled (off, unsupported installation, no server): no feed is set and no request is made.
 * - `automatic`: found updates download in the background and install when the app quits, or at
 *   "Restart to update". `notify`: nothing downloads until the user asks (install() while available).
 * - Staged rollouts are the server's (`stagingPercentage` in the channel file). electron-updater
 *   decides with a per-profile id it keeps in `<userData>/.updaterId`; nothing here overrides
 *   `isUserWithinRollout`, and `allowDowngrade` is set after `channel` (whose setter turns it on),
 *   so a halted rollout (the channel file put back to the old version) does not pull desks down
 *   unless IT asked for that.
 * - The configuration is resolved again before every check, so a policy or updates.json change
 *   takes effect at the next check (or at once with reconfigure()).
 */
import type { UpdateStatus } from '../../shared/bridge';
import type { EffectiveUpdateConfig } from './updatePolicy';

/** The part of electron-updater's AppUpdater used here (real: `import { autoUpdater } from 'electron-updater'`). */
export interface AutoUpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  allowPrerelease: boolean;
  disableWebInstaller: boolean;
  channel: string | null;
  setFeedURL(options: { provider: 'generic'; url: string; channel?: string | null }): void;
  /** Resolves null when the updater considers itself inactive (not packaged, AppImage without APPIMAGE). */
  checkForUpdates(): Promise<unknown>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'checking-for-update' | 'update-available' | 'update-not-available' | 'download-progress' | 'update-downloaded' | 'error', listener: (arg: any) => void): unknown;
}

export interface TimersLike {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface UpdateServiceOptions {
  updater: AutoUpdaterLike;
  /** Resolves the configuration in force now (policy, updates.json, build); called before each check. */
  resolve: () => Promise<EffectiveUpdateConfig>;
  /** app.getVersion() */
  currentVersion: string;
  /** True while a call is up: background checks (which may start a download) wait for the call to end. */
  inCall?: () => boolean;
  /** Between checks; default 4 h, each one ± `jitter` (default 20 %) so desks started together spread out. */
  intervalMs?: number;
  jitter?: number;
  /** First check after start (default 30 s: the window first), also jittered. */
  firstCheckDelayMs?: number;
  /** How long a check waits when a call is up; default 5 min. */
  busyRetryMs?: number;
  random?: () => number;
  timers?: TimersLike;
  log?: (line: string) => void;
}

export const managedPrefix = 'Updates managed by your organisation';

export type InstallResult = { ok: true; action: 'restart' | 'download' } | { ok: false; reason: string };

export class UpdateService {
  private config: EffectiveUpdateConfig | null = null;
  private current: UpdateStatus;
  private readonly listeners = new Set<(s: UpdateStatus) => void>();
  private timer: unknown = null;
  private appliedUrl: string | null = null;
  private offered: string | null = null;
  private percent = -1;
  /** The current message without the organisation prefix (restated when who manages it changes). */
  private text = 'Updates have not been checked yet.';
  private started = false;
  /** electron-updater said it will not run here (checkForUpdates answered null): it will not change its mind. */
  private inactive = false;
  private readonly timers: TimersLike;
  private readonly random: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly o: UpdateServiceOptions) {
    this.timers = o.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms).unref?.(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    this.random = o.random ?? Math.random;
    this.log = o.log ?? ((line) => console.log(`Updates: ${line}`));
    this.current = { managedBy: 'user', enabled: false, channel: 'latest', state: 'idle', version: null, message: this.text };
    const u = o.updater;
    u.on('checking-for-update', () => this.set('checking', null, 'Checking for updates…'));
    u.on('update-available', (info: { version?: string }) => {
      this.offered = info?.version ?? null;
      this.percent = -1;
      if (this.config?.mode === 'notify') this.set('available', this.offered, `Version ${this.offered ?? 'new'} is available. Download it when it suits you.`);
      else this.set('downloading', this.offered, `Downloading version ${this.offered ?? 'new'}…`);
    });
    u.on('update-not-available', () => this.set('up-to-date', null, `Whisperline is up to date (version ${o.currentVersion}).`));
    u.on('download-progress', (p: { percent?: number }) => {
      // One status per whole percent: the page does not need a message per chunk.
      const pct = Math.max(0, Math.min(100, Math.floor(p?.percent ?? 0)));
      if (pct === this.percent && this.current.state === 'downloading') return;
      this.percent = pct;
      this.set('downloading', this.offered, `Downloading version ${this.offered ?? 'new'} (${pct} %)…`);
    });
    u.on('update-downloaded', (info: { version?: string }) => {
      this.offered = info?.version ?? this.offered;
      this.set('ready', this.offered, `Version ${this.offered ?? 'new'} is ready. Restart to update, or it is installed when Whisperline quits.`);
    });
    u.on('error', (e: unknown) => this.failed(e));
  }

  /** Applies the configuration and schedules the first check. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.apply();
    if (this.config?.enabled) this.schedule(this.jittered(this.o.firstCheckDelayMs ?? 30_000));
  }

  /** The policy or updates.json changed: apply now; a desk just turned on checks soon. */
  async reconfigure(): Promise<void> {
    const wasEnabled = this.config?.enabled ?? false;
    await this.apply();
    if (!this.started) return;
    if (!this.config?.enabled) this.cancel();
    else if (!wasEnabled) this.schedule(this.jittered(this.o.firstCheckDelayMs ?? 30_000));
  }

  /** One check now (also what the timer runs). Never throws. */
  async checkNow(): Promise<void> {
    await this.apply();
    const c = this.config;
    if (!c?.enabled || this.inactive) return;
    // A download already waiting (or under way) is not fetched again.
    if (this.current.state === 'ready' || this.current.state === 'downloading') return;
    try {
      const result = await this.o.updater.checkForUpdates();
      // electron-updater answers null, with no event, when it will not run here at all.
      if (result == null) {
        this.inactive = true;
        this.set('unsupported', null, inactiveText);
      }
      // A background download's failure also comes as an "error" event; unhandled, it would be an unhandled rejection in main.
      const download = (result as { downloadPromise?: Promise<unknown> | null } | null)?.downloadPromise;
      download?.catch(() => undefined);
    } catch (e) {
      this.failed(e);
    }
  }

  status(): UpdateStatus {
    return { ...this.current };
  }

  onStatus(listener: (s: UpdateStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * "Restart to update" when an update is ready; "Download" when one is on offer (notify mode).
   * The caller refuses while a call is up. Never throws.
   */
  install(): InstallResult {
    const s = this.current.state;
    if (!this.config?.enabled) return { ok: false, reason: 'Updates are not available on this computer.' };
    if (s === 'ready') {
      this.log(`restarting into version ${this.offered}`);
      // Silent (no installer wizard) and start the app again afterwards.
      this.o.updater.quitAndInstall(true, true);
      return { ok: true, action: 'restart' };
    }
    if (s === 'available') {
      this.percent = -1;
      this.set('downloading', this.offered, `Downloading version ${this.offered ?? 'new'}…`);
      this.o.updater.downloadUpdate().catch((e: unknown) => this.failed(e));
      return { ok: true, action: 'download' };
    }
    return { ok: false, reason: 'No update is ready to install.' };
  }

  stop(): void {
    this.cancel();
    this.started = false;
  }

  // ---- internals --------------------------------------------------------------------------------

  private async apply(): Promise<void> {
    let c: EffectiveUpdateConfig;
    try {
      c = await this.o.resolve();
    } catch (e) {
      // Unreachable with updatePolicy.ts; a failure must not leave an old "on" in force.
      c = { ...(this.config ?? fallbackConfig), enabled: false, state: 'off', reason: `The update settings could not be read (${errorText(e)}), so updates are off.` };
    }
    const before = this.config;
    this.config = c;
    if (before?.reason !== c.reason) this.log(c.reason);
    const u = this.o.updater;
    if (!c.enabled) {
      // A download made while updates were on is not installed behind IT's back at quit.
      u.autoInstallOnAppQuit = false;
      u.autoDownload = false;
      this.set(c.state === 'unsupported' ? 'unsupported' : 'disabled', null, c.reason);
      return;
    }
    // Order matters: the channel setter turns allowDowngrade on.
    if (u.channel !== c.channel) u.channel = c.channel;
    u.allowDowngrade = c.allowDowngrade;
    u.allowPrerelease = false; // the channel decides (and it is a GitHub-provider option anyway)
    u.disableWebInstaller = true;
    u.autoDownload = c.mode === 'automatic';
    u.autoInstallOnAppQuit = true;
    if (c.feedUrl && c.feedUrl !== this.appliedUrl) {
      u.setFeedURL({ provider: 'generic', url: c.feedUrl, channel: c.channel });
      this.appliedUrl = c.feedUrl;
    }
    if (this.inactive) this.set('unsupported', null, inactiveText);
    else if (!before?.enabled || this.current.state === 'disabled' || this.current.state === 'unsupported' || this.current.state === 'idle') {
      this.set('idle', null, c.mode === 'automatic' ? 'Updates are checked and downloaded automatically.' : 'You are told when an update is available.');
    } else this.set(this.current.state, this.current.version, this.text); // who manages it or the channel may have changed
  }

  private schedule(ms: number): void {
    this.cancel();
    this.timer = this.timers.setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (!this.started) return;
    // A check in automatic mode may start a large download: not while an agent is on a call.
    if (this.o.inCall?.() && this.config?.mode === 'automatic') {
      this.schedule(this.o.busyRetryMs ?? 5 * 60_000);
      return;
    }
    await this.checkNow();
    if (this.started && this.config?.enabled) this.schedule(this.jittered(this.o.intervalMs ?? 4 * 3600_000));
  }

  private cancel(): void {
    if (this.timer != null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private jittered(ms: number): number {
    const j = this.o.jitter ?? 0.2;
    return Math.max(0, Math.round(ms * (1 - j + 2 * j * this.random())));
  }

  private failed(e: unknown): void {
    if (!this.config?.enabled) return;
    const text = `${plainError(e, this.config)} Whisperline tries again later.`;
    // electron-updater both emits "error" and rejects the call: one line in the log.
    if (this.current.state !== 'error' || this.text !== text) this.log(`error: ${errorText(e)}`);
    this.set('error', this.offered, text);
  }

  private envelope(): Pick<UpdateStatus, 'managedBy' | 'enabled' | 'channel'> {
    const c = this.config ?? fallbackConfig;
    return { managedBy: c.managedBy, enabled: c.enabled, channel: c.channel };
  }

  private say(text: string): string {
    return this.config?.managedBy === 'organisation' ? `${managedPrefix}. ${text}` : text;
  }

  private set(state: UpdateStatus['state'], version: string | null, text: string): void {
    this.text = text;
    const next: UpdateStatus = { ...this.envelope(), state, version, message: this.say(text) };
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    for (const l of this.listeners) {
      try {
        l({ ...next });
      } catch {
        // A listener's failure (a closed window) is not the updater's.
      }
    }
  }
}

const inactiveText = 'This installation cannot update itself.';

const fallbackConfig: EffectiveUpdateConfig = {
  managedBy: 'user',
  enabled: false,
  state: 'off',
  mode: 'off',
  channel: 'latest',
  feedUrl: null,
  allowDowngrade: false,
  sources: { mode: 'default', channel: 'default', url: 'default', allowDowngrade: 'default' },
  reason: 'Updates are off.',
};

function errorText(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  return m.split('\n')[0].slice(0, 300);
}

/** electron-updater's errors as one sentence a user (or IT at the desk) can act on. */
export function plainError(e: unknown, c: Pick<EffectiveUpdateConfig, 'channel' | 'feedUrl'>): string {
  const code = String((e as { code?: unknown })?.code ?? '');
  const msg = errorText(e);
  const host = c.feedUrl ? hostOf(c.feedUrl) : 'the update server';
  if (code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND') return `The update server (${host}) has nothing for the "${c.channel}" channel: ${/Cannot find channel "([^"]+)"/.exec(msg)?.[1] ?? 'its file'} is missing.`;
  if (['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code) || /net::ERR_(NAME_NOT_RESOLVED|CONNECTION|INTERNET_DISCONNECTED|ADDRESS_UNREACHABLE|TIMED_OUT)|timed out/i.test(msg))
    return `The update server (${host}) could not be reached.`;
  if (/net::ERR_CERT|certificate|self[- ]signed/i.test(msg)) return `The update server's certificate (${host}) is not trusted.`;
  if (code === 'ERR_UPDATER_INVALID_SIGNATURE') return 'The downloaded update is not signed by the publisher, so it was not installed.';
  if (code === 'ERR_CHECKSUM_MISMATCH' || /sha512 checksum mismatch/i.test(msg)) return 'The downloaded update was damaged (checksum mismatch), so it was not installed.';
  if (code === 'ERR_UPDATER_ZIP_FILE_NOT_FOUND') return 'The update server offers no .zip for macOS, which the Mac needs to update itself.';
  if (code === 'ERR_UPDATER_INVALID_UPDATE_INFO' || code === 'ERR_UPDATER_INVALID_VERSION') return `The update server (${host}) sent an update description that cannot be read.`;
  if (/^HTTP_ERROR_(\d+)$/.test(code)) return `The update server (${host}) answered ${code.slice(11)}.`;
  return `Updates could not be checked (${msg}).`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
