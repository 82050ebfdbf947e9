/**
 * Where IT puts the org policy and the pinned admin public key: one machine-wide folder per OS that
 * a normal user cannot write. A pure function of (platform, env), so it is the same in tests.
 *
 *   Windows  %ProgramData%\Whisperline\policy.signed.json  and  …\admin.pub
 *   macOS    /Library/Application Support/Whisperline/policy.signed.json  and  …/admin.pub
 *   Linux    /etc/whisperline/policy.signed.json  and  …/admin.pub  (other Unix systems likewise)
 *
 * Nothing per-user is ever consulted: not the user's config folder, not the app's userData, not an
 * environment variable naming another folder. A per-user copy of the policy is simply never read,
 * so editing one widens nobody's rights.
 *
 * Windows notes.
 * - %ProgramData% is honoured only in its standard form `<drive>:\ProgramData`. The environment
 *   belongs to whoever starts the app, so a `ProgramData` variable pointing anywhere else (say into
 *   the user's profile, where they could pin their own admin key) is ignored and `C:\ProgramData`
 *   is used instead. Microsoft does not support moving ProgramData elsewhere anyway.
 * - Alternative IT may prefer (documented, not implemented): a Group Policy / registry value under
 *   `HKLM\SOFTWARE\Policies\Whisperline` (`PolicyJson`, `AdminPublicKey`), which only
 *   administrators can write. Reading it would need a native module or `reg.exe`; the file in
 *   ProgramData deployed by GPO/Intune "Files" preferences covers the same need.
 */
import { posix, win32 } from 'node:path';

export const policyFileName = 'policy.signed.json';
export const adminKeyFileName = 'admin.pub';

export interface ManagedLocation {
  /** The platform this location was computed for (process.platform form). */
  platform: string;
  /** The machine-wide folder holding both files. */
  dir: string;
  policyPath: string;
  adminKeyPath: string;
  /**
   * Whether the loader can check ownership and permission bits (POSIX). On Windows `fs.stat`
   * reports neither owner nor ACLs, so the folder's ACL (Administrators and SYSTEM may write, Users
   * may read; the default for ProgramData subfolders created by an elevated installer) is IT's to
   * keep, and the loader relies on the signature and the pinned key.
   */
  checksOwnership: boolean;
}

export const defaultProgramData = 'C:\\ProgramData';

/** Environment lookup that ignores case, as Windows does (a plain object passed in tests does not). */
function envValue(env: Record<string, string | undefined>, name: string): string | undefined {
  if (typeof env[name] === 'string') return env[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(env)) if (k.toLowerCase() === lower && typeof v === 'string') return v;
  return undefined;
}

/** `%ProgramData%` when it is `<drive>:\ProgramData`, otherwise `C:\ProgramData`. */
export function windowsProgramData(env: Record<string, string | undefined>): string {
  const value = envValue(env, 'ProgramData')?.trim().replace(/[\\/]+$/, '');
  if (value && /^[A-Za-z]:[\\/]ProgramData$/i.test(value)) return `${value.slice(0, 2).toUpperCase()}\\ProgramData`;
  return defaultProgramData;
}

/** Never null for a desktop platform; every Unix-like system uses /etc/whisperline. */
export function managedPolicyLocation(platform: string, env: Record<string, string | undefined>): ManagedLocation {
  if (platform === 'win32') {
    const dir = win32.join(windowsProgramData(env), 'Whisperline');
    return { platform, dir, policyPath: win32.join(dir, policyFileName), adminKeyPath: win32.join(dir, adminKeyFileName), checksOwnership: false };
  }
  const dir = platform === 'darwin' ? '/Library/Application Support/Whisperline' : '/etc/whisperline';
  return { platform, dir, policyPath: posix.join(dir, policyFileName), adminKeyPath: posix.join(dir, adminKeyFileName), checksOwnership: true };
}
