import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// What electron-builder itself resolves from electron-builder.yml and validates against its own
// schema: no installer can be built on this machine (no Electron binary), so the configuration is
// what is checked. README → For IT: installers says what stays unverified.

const root = join(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: object | null): Promise<Record<string, any>>;
  validateConfiguration(config: object, logger: object): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => object };
const plist = require('plist') as { parse(xml: string): Record<string, unknown> };

const resolved = (extra: object | null = null) => getConfig(root, null, extra);
const guid = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i;

describe('installers (electron-builder.yml as electron-builder resolves it)', () => {
  it('passes electron-builder’s own schema; a misspelt option does not', async () => {
    await expect(validateConfiguration(await resolved(), new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration(await resolved({ nsis: { perMachin: true } }), new DebugLogger(false))).rejects.toThrow(/configuration\.nsis/);
  });

  it('updates: a generic feed, channel files for every channel (beta and alpha desks get stable releases too)', async () => {
    const c = await resolved();
    expect(c.publish).toMatchObject({ provider: 'generic' });
    expect(c.publish.url).toMatch(/^https:\/\//);
    expect(c.generateUpdatesFilesForAllChannels).toBe(true);
  });

  it('Windows: NSIS per machine and MSI, both keeping one identity across versions so a new one upgrades the old', async () => {
    const c = await resolved();
    expect(c.win.target).toEqual(['nsis', 'msi']);
    expect(c.nsis).toMatchObject({ oneClick: false, perMachine: true });
    expect(c.msi).toMatchObject({ perMachine: true });
    // Never change these: a different code makes Windows install a second copy beside the first.
    expect(c.nsis.guid, 'NSIS guid').toBe('bf7530f5-27ee-47d0-895b-1cf2d720d61d');
    expect(c.msi.upgradeCode, 'MSI UpgradeCode').toBe('AB0B598F-8977-48C4-A65D-02A9CB226334');
    expect(c.msi.upgradeCode).toMatch(guid);
  });

  it('macOS: dmg, pkg and the zip the updater installs from, hardened runtime, notarized, with the microphone entitlement and usage text', async () => {
    const c = await resolved();
    expect(c.mac.target).toEqual(['dmg', 'pkg', 'zip']);
    expect(c.mac).toMatchObject({ hardenedRuntime: true, notarize: true });
    expect(c.mac.extendInfo.NSMicrophoneUsageDescription).toMatch(/microphone/i);
    expect(c.pkg).toMatchObject({ installLocation: '/Applications', isRelocatable: false });
    for (const file of [c.mac.entitlements, c.mac.entitlementsInherit]) {
      const ent = plist.parse(readFileSync(join(root, file), 'utf8'));
      // Without audio-input a hardened-runtime app is never even asked for the microphone.
      expect(ent, file).toMatchObject({ 'com.apple.security.device.audio-input': true, 'com.apple.security.cs.allow-jit': true });
      // App Sandbox is the Mac App Store's; with it this app could not reach a PBX's ports.
      expect(ent['com.apple.security.app-sandbox'], file).toBeUndefined();
    }
  });

  it('Linux AppImage and deb; sip: and tel: links open the app on every system', async () => {
    const c = await resolved();
    expect(c.linux.target).toEqual(['AppImage', 'deb']);
    expect(c.protocols).toEqual([{ name: 'SIP call', schemes: ['sip', 'tel'] }]);
  });

  it('holds no signing identity or secret: those come from the release environment only', async () => {
    const text = JSON.stringify(await resolved());
    for (const key of ['cscLink', 'cscKeyPassword', 'cscInstallerLink', 'certificateFile', 'certificatePassword', 'identity', 'appleId', 'password', 'apiKey']) {
      expect(text, key).not.toContain(`"${key}"`);
    }
  });
});
