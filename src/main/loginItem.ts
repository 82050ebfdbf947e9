/**
 * Start at login (README → For IT → Start at login). The signed org policy's `desktop.startAtLogin`
 * decides when it is `on` or `off`; `user` (or no policy) leaves it to the user's own setting, which
 * is off until they turn it on.
 *
 * Electron's login item (app.setLoginItemSettings) exists on macOS and Windows only (on Windows it is
 * the user's HKCU Run key; on macOS a login item). On Linux the same is an XDG autostart entry,
 * `~/.config/autostart/whisperline.desktop`, written here. Applied at every start, so a changed
 * policy takes effect at the next one (and the entry follows the app if it moved).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { StartAtLoginPolicy } from '../shared/policy/schema';

export interface StartAtLoginDecision {
  openAtLogin: boolean;
  /** `organisation`: the policy decides and the user's switch is shown locked. */
  managedBy: 'organisation' | 'user';
  reason: string;
}

export function decideStartAtLogin(policy: StartAtLoginPolicy | null | undefined, userChoice: boolean | null | undefined): StartAtLoginDecision {
  if (policy === 'on') return { openAtLogin: true, managedBy: 'organisation', reason: 'Your organisation starts Whisperline when you log in.' };
  if (policy === 'off') return { openAtLogin: false, managedBy: 'organisation', reason: 'Your organisation does not start Whisperline when you log in.' };
  const on = userChoice === true;
  return { openAtLogin: on, managedBy: 'user', reason: on ? 'Whisperline starts when you log in (your setting).' : 'Whisperline does not start when you log in (your setting).' };
}

/** XDG autostart for Linux, where Electron has no login item. */
export interface LinuxAutostart {
  /** `$XDG_CONFIG_HOME/autostart` or `~/.config/autostart`. */
  dir: string;
  /** What to start: for an AppImage its file ($APPIMAGE), not the executable inside its temporary mount. */
  exec: string;
  writeFile(path: string, text: string): void;
  removeFile(path: string): void;
  exists(path: string): boolean;
}

export interface LoginItemHost {
  platform: string;
  /** Electron's `app.setLoginItemSettings` (macOS, Windows). */
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string }): void;
  /** Windows portable build: the .exe the user started (PORTABLE_EXECUTABLE_FILE), not the unpacked copy. */
  windowsExecutable?: string;
  linux?: LinuxAutostart;
}

export const autostartFileName = 'whisperline.desktop';

export type LoginItemResult = { ok: true; detail: string } | { ok: false; reason: string };

/** Never throws: a failure (a read-only profile) is reported, and the app runs on. */
export function applyStartAtLogin(decision: StartAtLoginDecision, host: LoginItemHost): LoginItemResult {
  try {
    if (host.platform === 'darwin' || host.platform === 'win32') {
      const settings: { openAtLogin: boolean; path?: string } = { openAtLogin: decision.openAtLogin };
      if (host.platform === 'win32' && host.windowsExecutable) settings.path = host.windowsExecutable;
      host.setLoginItemSettings(settings);
      return { ok: true, detail: `login item ${decision.openAtLogin ? 'on' : 'off'}` };
    }
    const linux = host.linux;
    if (!linux) return { ok: false, reason: 'Starting at login is not available on this system.' };
    const file = posix.join(linux.dir, autostartFileName);
    if (decision.openAtLogin) {
      linux.writeFile(file, autostartEntry(linux.exec));
      return { ok: true, detail: `wrote ${file}` };
    }
    if (linux.exists(file)) linux.removeFile(file);
    return { ok: true, detail: `no ${file}` };
  } catch (e) {
    return { ok: false, reason: `Starting at login could not be ${decision.openAtLogin ? 'turned on' : 'turned off'} (${(e as Error)?.message ?? String(e)}).` };
  }
}

/** A desktop entry (freedesktop.org Desktop Entry Specification; Exec quoting per its rules). */
export function autostartEntry(exec: string): string {
  // Quoting rule first (\ before " ` $ \), then the string rule (each \ doubled), then %% for a literal %.
  const quoted = `"${exec.replace(/(["`$\\])/g, '\\$1')}"`.replace(/\\/g, '\\\\').replace(/%/g, '%%');
  return ['[Desktop Entry]', 'Type=Application', 'Name=Whisperline', `Exec=${quoted}`, 'X-GNOME-Autostart-enabled=true', 'Terminal=false', ''].join('\n');
}

/** Where the entry goes: `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`. */
export function linuxAutostartDir(env: Record<string, string | undefined>, home: string): string {
  const config = env.XDG_CONFIG_HOME && posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : posix.join(home, '.config');
  return posix.join(config, 'autostart');
}

/** The real autostart entry for this process: an AppImage starts its file, other installs their executable. */
export function nodeLinuxAutostart(env: Record<string, string | undefined>, home: string, execPath: string): LinuxAutostart {
  return {
    dir: linuxAutostartDir(env, home),
    exec: env.APPIMAGE || execPath,
    writeFile: (path, text) => {
      mkdirSync(posix.dirname(path), { recursive: true });
      writeFileSync(path, text);
    },
    removeFile: (path) => rmSync(path, { force: true }),
    exists: existsSync,
  };
}
