import { app } from 'electron';
import { autoUpdater } from 'electron-updater';
import { homedir } from 'node:os';
import type { UpdateStatus } from '../../shared/bridge';
import type { OrgPolicy } from '../../shared/policy/schema';
import { applyStartAtLogin, decideStartAtLogin, nodeLinuxAutostart } from '../loginItem';
import { updateConfigResolver } from '../updates/updatePolicy';
import { UpdateService } from '../updates/updater';

/**
 * Updates (electron-updater from IT's feed, as the signed policy or updates.json say) and start at
 * login (the policy, else the user's choice), on the real Electron app.
 */
export function createAppUpdates(o: { policy: () => OrgPolicy | null; inCall: () => boolean; broadcast: (status: UpdateStatus) => void }) {
  const updates = new UpdateService({
    updater: autoUpdater,
    currentVersion: app.getVersion(),
    resolve: updateConfigResolver({
      platform: process.platform,
      env: process.env,
      isPackaged: app.isPackaged,
      execPath: process.execPath,
      resourcesPath: process.resourcesPath,
      productName: app.getName(),
      policy: () => o.policy()?.desktop?.updates ?? null,
      uid: process.getuid?.(),
    }),
    inCall: o.inCall,
    log: (line) => console.log(`Updates: ${line}`),
  });
  updates.onStatus(o.broadcast);

  /** At start, when the policy changes and when the user changes their own choice. */
  const applyLogin = (userChoice: boolean) => {
    // A development run must not register itself (electron + a script path) to start at login.
    if (!app.isPackaged) return;
    const decision = decideStartAtLogin(o.policy()?.desktop?.startAtLogin, userChoice);
    const r = applyStartAtLogin(decision, {
      platform: process.platform,
      setLoginItemSettings: (s) => app.setLoginItemSettings(s),
      windowsExecutable: process.env.PORTABLE_EXECUTABLE_FILE,
      linux: process.platform === 'linux' ? nodeLinuxAutostart(process.env, homedir(), process.execPath) : undefined,
    });
    if (!r.ok) console.warn(r.reason);
  };

  return {
    updates,
    applyLogin,
    status: (): UpdateStatus => updates.status(),
    install: () => {
      if (o.inCall()) return;
      const r = updates.install();
      if (!r.ok) console.warn(`Updates: ${r.reason}`);
    },
  };
}
