import { describe, expect, it } from 'vitest';
import { managedPolicyLocation, windowsProgramData } from './managedLocation';

describe('managed policy location', () => {
  it('is machine-wide on each OS', () => {
    expect(managedPolicyLocation('win32', { ProgramData: 'C:\\ProgramData' })).toEqual({
      platform: 'win32',
      dir: 'C:\\ProgramData\\Whisperline',
      policyPath: 'C:\\ProgramData\\Whisperline\\policy.signed.json',
      adminKeyPath: 'C:\\ProgramData\\Whisperline\\admin.pub',
      checksOwnership: false,
    });
    expect(managedPolicyLocation('darwin', {})).toEqual({
      platform: 'darwin',
      dir: '/Library/Application Support/Whisperline',
      policyPath: '/Library/Application Support/Whisperline/policy.signed.json',
      adminKeyPath: '/Library/Application Support/Whisperline/admin.pub',
      checksOwnership: true,
    });
    expect(managedPolicyLocation('linux', {})).toMatchObject({ dir: '/etc/whisperline', policyPath: '/etc/whisperline/policy.signed.json', adminKeyPath: '/etc/whisperline/admin.pub', checksOwnership: true });
    expect(managedPolicyLocation('freebsd', {}).dir).toBe('/etc/whisperline');
  });

  it('never looks in a per-user folder, whatever the environment says', () => {
    const env = {
      HOME: '/home/agent',
      XDG_CONFIG_HOME: '/home/agent/.config',
      APPDATA: 'C:\\Users\\agent\\AppData\\Roaming',
      LOCALAPPDATA: 'C:\\Users\\agent\\AppData\\Local',
      USERPROFILE: 'C:\\Users\\agent',
      WHISPERLINE_USER_DATA: '/home/agent/wl',
      WHISPERLINE_POLICY: '/home/agent/policy.signed.json',
    };
    for (const platform of ['linux', 'darwin', 'win32']) {
      const loc = managedPolicyLocation(platform, env);
      for (const path of [loc.dir, loc.policyPath, loc.adminKeyPath]) {
        expect(path).not.toMatch(/agent|Users|home/i);
      }
    }
  });

  it('honours %ProgramData% only in its standard form, on any system drive, in any letter case', () => {
    expect(windowsProgramData({ ProgramData: 'D:\\ProgramData' })).toBe('D:\\ProgramData');
    expect(windowsProgramData({ PROGRAMDATA: 'd:\\programdata\\' })).toBe('D:\\ProgramData');
    expect(windowsProgramData({})).toBe('C:\\ProgramData');
    // Pointed by whoever started the app at a folder they can write: ignored.
    for (const redirected of ['C:\\Users\\agent\\ProgramData', 'C:\\Users\\agent', '\\\\server\\share\\ProgramData', 'ProgramData', 'C:\\ProgramData\\..\\Users\\agent\\ProgramData']) {
      expect(windowsProgramData({ ProgramData: redirected })).toBe('C:\\ProgramData');
    }
    expect(managedPolicyLocation('win32', { ProgramData: 'C:\\Users\\agent\\fake' }).policyPath).toBe('C:\\ProgramData\\Whisperline\\policy.signed.json');
  });
});
