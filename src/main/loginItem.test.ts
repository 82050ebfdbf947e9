import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyStartAtLogin, autostartEntry, decideStartAtLogin, linuxAutostartDir, nodeLinuxAutostart, type LinuxAutostart, type LoginItemHost } from './loginItem';

function host(platform: string, over: Partial<LoginItemHost> = {}) {
  const calls: unknown[] = [];
  const files = new Map<string, string>();
  const linux: LinuxAutostart = {
    dir: '/home/agent/.config/autostart',
    exec: '/home/agent/Apps/Whisperline-1.0.0.AppImage',
    writeFile: (p, t) => void files.set(p, t),
    removeFile: (p) => void files.delete(p),
    exists: (p) => files.has(p),
  };
  const h: LoginItemHost = { platform, setLoginItemSettings: (s) => void calls.push(s), linux, ...over };
  return { h, calls, files };
}

describe('decideStartAtLogin', () => {
  it('the policy decides when it says on or off; otherwise the user, default off', () => {
    expect(decideStartAtLogin('on', false)).toMatchObject({ openAtLogin: true, managedBy: 'organisation' });
    expect(decideStartAtLogin('off', true)).toMatchObject({ openAtLogin: false, managedBy: 'organisation' });
    expect(decideStartAtLogin('user', true)).toMatchObject({ openAtLogin: true, managedBy: 'user' });
    expect(decideStartAtLogin('user', undefined)).toMatchObject({ openAtLogin: false, managedBy: 'user' });
    expect(decideStartAtLogin(null, null)).toEqual({ openAtLogin: false, managedBy: 'user', reason: 'Whisperline does not start when you log in (your setting).' });
    expect(decideStartAtLogin(undefined, true).reason).toBe('Whisperline starts when you log in (your setting).');
    expect(decideStartAtLogin('on', null).reason).toBe('Your organisation starts Whisperline when you log in.');
  });
});

describe('applyStartAtLogin', () => {
  it('macOS and Windows: Electron’s login item', () => {
    for (const platform of ['darwin', 'win32']) {
      const { h, calls } = host(platform);
      expect(applyStartAtLogin(decideStartAtLogin('on', false), h)).toEqual({ ok: true, detail: 'login item on' });
      expect(applyStartAtLogin(decideStartAtLogin('user', false), h)).toEqual({ ok: true, detail: 'login item off' });
      expect(calls).toEqual([{ openAtLogin: true }, { openAtLogin: false }]);
    }
    // A portable build starts the .exe the user has, not its unpacked temporary copy.
    const { h, calls } = host('win32', { windowsExecutable: 'D:\\Tools\\Whisperline.exe' });
    applyStartAtLogin(decideStartAtLogin('on', null), h);
    expect(calls).toEqual([{ openAtLogin: true, path: 'D:\\Tools\\Whisperline.exe' }]);
  });

  it('Linux: an XDG autostart entry, written and removed', () => {
    const { h, calls, files } = host('linux');
    expect(applyStartAtLogin(decideStartAtLogin('user', true), h)).toEqual({ ok: true, detail: 'wrote /home/agent/.config/autostart/whisperline.desktop' });
    expect(files.get('/home/agent/.config/autostart/whisperline.desktop')).toBe(
      '[Desktop Entry]\nType=Application\nName=Whisperline\nExec="/home/agent/Apps/Whisperline-1.0.0.AppImage"\nX-GNOME-Autostart-enabled=true\nTerminal=false\n',
    );
    expect(applyStartAtLogin(decideStartAtLogin('off', true), h)).toEqual({ ok: true, detail: 'no /home/agent/.config/autostart/whisperline.desktop' });
    expect(files.size).toBe(0);
    // Nothing there, nothing to remove.
    expect(applyStartAtLogin(decideStartAtLogin('user', false), h).ok).toBe(true);
    expect(calls).toEqual([]);
    expect(applyStartAtLogin(decideStartAtLogin('on', false), { platform: 'freebsd', setLoginItemSettings: () => undefined })).toEqual({ ok: false, reason: 'Starting at login is not available on this system.' });
  });

  it('a failure is reported, never thrown', () => {
    const { h } = host('linux');
    h.linux!.writeFile = () => {
      throw new Error('EROFS: read-only file system');
    };
    expect(applyStartAtLogin(decideStartAtLogin('on', false), h)).toEqual({ ok: false, reason: 'Starting at login could not be turned on (EROFS: read-only file system).' });
    const win = host('win32', {
      setLoginItemSettings: () => {
        throw new Error('denied');
      },
    });
    expect(applyStartAtLogin(decideStartAtLogin('off', false), win.h)).toEqual({ ok: false, reason: 'Starting at login could not be turned off (denied).' });
  });

  it('quotes the command as the Desktop Entry Specification says', () => {
    expect(autostartEntry('/opt/My "Apps"/$HOME/a\\b 100%/whisperline')).toContain('Exec="/opt/My \\\\"Apps\\\\"/\\\\$HOME/a\\\\\\\\b 100%%/whisperline"\n');
  });

  it('finds the autostart folder', () => {
    expect(linuxAutostartDir({}, '/home/agent')).toBe('/home/agent/.config/autostart');
    expect(linuxAutostartDir({ XDG_CONFIG_HOME: '/srv/cfg' }, '/home/agent')).toBe('/srv/cfg/autostart');
    // The spec ignores a relative XDG_CONFIG_HOME.
    expect(linuxAutostartDir({ XDG_CONFIG_HOME: 'cfg' }, '/home/agent')).toBe('/home/agent/.config/autostart');
  });
});

describe('nodeLinuxAutostart', () => {
  it('writes and removes the real file; an AppImage starts its own file, not its temporary mount', () => {
    const home = mkdtempSync(join(tmpdir(), 'wl-home-'));
    try {
      const linux = nodeLinuxAutostart({ APPIMAGE: '/opt/apps/Whisperline.AppImage' }, home, '/tmp/.mount_WhispeXyz/whisperline');
      const file = join(home, '.config', 'autostart', 'whisperline.desktop');
      expect(applyStartAtLogin(decideStartAtLogin('on', null), { platform: 'linux', setLoginItemSettings: () => undefined, linux })).toEqual({ ok: true, detail: `wrote ${file}` });
      expect(readFileSync(file, 'utf8')).toContain('Exec="/opt/apps/Whisperline.AppImage"\n');
      expect(applyStartAtLogin(decideStartAtLogin('off', null), { platform: 'linux', setLoginItemSettings: () => undefined, linux }).ok).toBe(true);
      expect(existsSync(file)).toBe(false);
      expect(nodeLinuxAutostart({}, home, '/opt/Whisperline/whisperline').exec).toBe('/opt/Whisperline/whisperline');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
