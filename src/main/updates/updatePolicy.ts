/**
 * Which update configuration is in force on this desk, and who decided it (README → For IT → Updates).
 *
 * Precedence, field by field (mode, channel, url, allowDowngrade): the signed org policy's
 * `desktop.updates`, then the machine-wide `updates.json` IT puts beside the policy
 * (managedLocation.ts: /etc/whisperline, /Library/Application Support/Whisperline,
 * %ProgramData%\Whisperline), then the build's own feed (app-update.yml, written by electron-builder
 * from `publish` in electron-builder.yml) and defaults. A machine file that is there but cannot be
 * used (unreadable, not JSON, a typo, writable by a normal user) counts as `{ "mode": "off" }`: IT
 * meant to manage this desk, and a guess could install what IT did not want.
 *
 * Windows alternative (documented, not implemented, as for the policy): a Group Policy value under
 * `HKLM\SOFTWARE\Policies\Whisperline\Updates`. Reading it needs a native module or `reg.exe`; the
 * file in ProgramData, deployed by GPO/Intune, covers the same need.
 *
 * `resolveUpdateConfig` and `detectInstall` are pure; `readMachineUpdateSetting` reads through an
 * injected fs.
 */
import { constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { z } from 'zod';
import { updateChannelSchema, updateFeedUrlSchema, updateModes, type DesktopUpdatesPolicy, type UpdateMode } from '../../shared/policy/schema';
import { managedPolicyLocation, type ManagedLocation } from '../policy/managedLocation';
import { nodePolicyFs, type PolicyFs } from '../policy/managedPolicy';

export const machineUpdatesFileName = 'updates.json';
const maxMachineFileBytes = 64 * 1024;

/** The machine-wide file: every field optional (`{}` still means "managed by IT, defaults"). */
export const machineUpdateSettingSchema = z
  .object({ mode: z.enum(updateModes).optional(), channel: updateChannelSchema.optional(), url: updateFeedUrlSchema.optional(), allowDowngrade: z.boolean().optional() })
  .strict();
export type MachineUpdates = z.infer<typeof machineUpdateSettingSchema>;

export type MachineUpdateSetting = { state: 'absent'; path: string } | { state: 'ok'; path: string; setting: MachineUpdates } | { state: 'invalid'; path: string; problem: string };

/** What electron-builder wrote into app-update.yml (resources folder); null when the build has none. */
export interface AppUpdateYml {
  provider: string;
  url: string | null;
  channel: string | null;
}

export type InstallKind = 'dev' | 'nsis' | 'msi' | 'portable' | 'mac' | 'appimage' | 'deb' | 'rpm' | 'pacman' | 'snap' | 'unpacked';
export interface InstallInfo {
  kind: InstallKind;
  /** Whether electron-updater can replace this installation. */
  canSelfUpdate: boolean;
  /** Why not, in one sentence for the user; null when it can. */
  why: string | null;
}

export type UpdateSource = 'policy' | 'machine' | 'build' | 'default';

export interface EffectiveUpdateConfig {
  /** `organisation` when the signed policy has `desktop.updates` or the machine-wide file is there. */
  managedBy: 'organisation' | 'user';
  /** True only when the updater may make a request. */
  enabled: boolean;
  /** `off`: IT or the defaults turned updates off; `unsupported`: this installation cannot update itself. */
  state: 'enabled' | 'off' | 'unsupported';
  mode: UpdateMode;
  channel: string;
  feedUrl: string | null;
  allowDowngrade: boolean;
  /** Where each field came from. */
  sources: { mode: UpdateSource; channel: UpdateSource; url: UpdateSource; allowDowngrade: UpdateSource };
  /** One or two plain sentences: what is in force and what decided it. */
  reason: string;
}

export interface UpdateConfigInput {
  /** `desktop.updates` of a verified policy; null without a policy or without that section. */
  policy: DesktopUpdatesPolicy | null;
  machine: MachineUpdateSetting;
  appUpdateYml: AppUpdateYml | null;
  install: InstallInfo;
}

export function resolveUpdateConfig(input: UpdateConfigInput): EffectiveUpdateConfig {
  const { policy, machine, appUpdateYml, install } = input;
  // A machine file that cannot be used says "off" and nothing else.
  const fromMachine: MachineUpdates = machine.state === 'ok' ? machine.setting : machine.state === 'invalid' ? { mode: 'off' } : {};
  const built = appUpdateYml?.provider === 'generic' ? appUpdateYml : null;

  const pick = <K extends keyof MachineUpdates>(key: K, build: MachineUpdates[K] | null | undefined, fallback: NonNullable<MachineUpdates[K]>) => {
    if (policy?.[key] !== undefined) return { value: policy[key] as NonNullable<MachineUpdates[K]>, source: 'policy' as UpdateSource };
    if (fromMachine[key] !== undefined) return { value: fromMachine[key] as NonNullable<MachineUpdates[K]>, source: 'machine' as UpdateSource };
    if (build != null) return { value: build as NonNullable<MachineUpdates[K]>, source: 'build' as UpdateSource };
    return { value: fallback, source: 'default' as UpdateSource };
  };
  const mode = pick('mode', null, 'automatic');
  const channel = pick('channel', built?.channel, 'latest');
  const url = pick('url', built?.url, '');
  const allowDowngrade = pick('allowDowngrade', null, false);
  const sources = { mode: mode.source, channel: channel.source, url: url.source, allowDowngrade: allowDowngrade.source };
  const managedBy = policy || machine.state !== 'absent' ? 'organisation' : 'user';
  const feedUrl = url.value || null;

  const base = { managedBy, mode: mode.value, channel: channel.value, feedUrl, allowDowngrade: allowDowngrade.value, sources } as const;
  const decided = decidedBy(sources, machine);
  const fileProblem = machine.state === 'invalid' ? `The machine-wide update setting ${machine.path} cannot be used (${machine.problem}), so ` : '';

  if (mode.value === 'off') {
    const why = mode.source === 'machine' && machine.state === 'invalid' ? `${fileProblem}updates stay off until IT fixes it.` : `Updates are turned off by ${sourceName(mode.source, machine)}.`;
    return { ...base, enabled: false, state: 'off', reason: why };
  }
  if (!install.canSelfUpdate) return { ...base, enabled: false, state: 'unsupported', reason: install.why ?? 'This installation cannot update itself.' };
  // Without app-update.yml electron-updater cannot even download (it reads its cache folder name there).
  if (appUpdateYml == null) return { ...base, enabled: false, state: 'unsupported', reason: 'This build was made without an update feed (no app-update.yml), so it cannot update itself.' };
  if (!feedUrl) return { ...base, enabled: false, state: 'unsupported', reason: 'No update server is set: IT sets one in the org policy (desktop.updates.url) or in updates.json.' };

  const what = mode.value === 'automatic' ? 'Updates are downloaded in the background and installed on restart' : 'You are told when an update is available';
  const note = fileProblem ? ` ${fileProblem}the signed org policy decides.` : '';
  return { ...base, enabled: true, state: 'enabled', reason: `${what} (channel ${channel.value}, from ${feedUrl}). ${decided}${note}` };
}

function sourceName(source: UpdateSource, machine: MachineUpdateSetting): string {
  switch (source) {
    case 'policy':
      return 'the signed org policy';
    case 'machine':
      return `the machine-wide setting ${machine.path}`;
    case 'build':
      return "the app's built-in feed";
    default:
      return "Whisperline's defaults";
  }
}

/** "Set by the signed org policy (mode, channel) and the machine-wide setting /etc/… (url)." */
function decidedBy(sources: EffectiveUpdateConfig['sources'], machine: MachineUpdateSetting): string {
  const bySource = new Map<UpdateSource, string[]>();
  for (const [field, source] of Object.entries(sources)) {
    if (field === 'allowDowngrade' && source === 'default') continue;
    bySource.set(source, [...(bySource.get(source) ?? []), field]);
  }
  const parts = (['policy', 'machine', 'build', 'default'] as const).filter((s) => bySource.has(s)).map((s) => `${sourceName(s, machine)} (${bySource.get(s)!.join(', ')})`);
  return `Set by ${parts.join(' and ')}.`;
}

// ---- the machine-wide file -------------------------------------------------------------------------

export interface ReadMachineSettingOptions {
  location: ManagedLocation;
  fs?: PolicyFs;
  /** process.getuid(); undefined on Windows. */
  uid?: number;
}

/** Never throws: anything but "not there" or a valid file is `invalid` with the reason. */
export async function readMachineUpdateSetting(options: ReadMachineSettingOptions): Promise<MachineUpdateSetting> {
  const { location } = options;
  const fs = options.fs ?? nodePolicyFs;
  const path = (location.platform === 'win32' ? win32 : posix).join(location.dir, machineUpdatesFileName);
  const invalid = (problem: string): MachineUpdateSetting => ({ state: 'invalid', path, problem });
  let real: string;
  try {
    real = await fs.realpath(path);
  } catch (e) {
    const code = (e as { code?: string } | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'absent', path };
    return invalid(`it cannot be read: ${code ?? (e as Error)?.message ?? 'error'}`);
  }
  try {
    // Same rule as the policy: a file a normal user could change could point every desk elsewhere.
    if (location.checksOwnership) {
      const problem = await userWritable(fs, real, options.uid);
      if (problem) return invalid(problem);
    }
    const st = await fs.stat(real);
    if (!st.isFile()) return invalid('it is not a regular file');
    if (st.size > maxMachineFileBytes) return invalid(`it is larger than ${maxMachineFileBytes} bytes`);
    const bytes = await fs.readFile(real);
    if (bytes.length > maxMachineFileBytes) return invalid(`it is larger than ${maxMachineFileBytes} bytes`);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); // strips a BOM (Notepad)
    } catch {
      return invalid('it is not UTF-8 text');
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return invalid(`it is not valid JSON: ${(e as Error).message}`);
    }
    const parsed = machineUpdateSettingSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return invalid(`${first.path.map(String).join('.') || 'file'}: ${first.message}`);
    }
    return { state: 'ok', path, setting: parsed.data };
  } catch (e) {
    return invalid(`it cannot be read: ${(e as { code?: string })?.code ?? (e as Error)?.message ?? 'error'}`);
  }
}

/** The file and every folder above it: owned by root, not writable by group/others (a sticky ancestor excepted) nor by this user. */
async function userWritable(fs: PolicyFs, file: string, uid: number | undefined): Promise<string | null> {
  const chain = [file];
  for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
    chain.push(dir);
    if (posix.dirname(dir) === dir) break;
  }
  for (const [i, path] of chain.entries()) {
    const st = await fs.stat(path);
    const strict = i <= 1; // the file and its folder
    if (st.uid !== 0) return `${path} is owned by user id ${st.uid}, not by root`;
    if (st.mode & 0o022 && (strict || !(st.isDirectory() && st.mode & 0o1000))) return `${path} can be written by other users (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
    if (strict && uid !== undefined && uid !== 0) {
      const writable = await fs.access(path, fsConstants.W_OK).then(
        () => true,
        () => false,
      );
      if (writable) return `${path} can be written by this user account (uid ${uid})`;
    }
  }
  return null;
}

// ---- the build ------------------------------------------------------------------------------------

/**
 * app-update.yml as electron-builder writes it (flat `key: value` lines, values maybe quoted). Only
 * the scalars needed here; electron-updater itself reads the whole file.
 */
export function parseAppUpdateYml(text: string): AppUpdateYml | null {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z][A-Za-z0-9_]*):\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (/^'.*'$/.test(v)) v = v.slice(1, -1).replace(/''/g, "'");
    else if (/^".*"$/.test(v)) v = v.slice(1, -1).replace(/\\"/g, '"');
    values.set(m[1], v);
  }
  const provider = values.get('provider');
  if (!provider) return null;
  return { provider, url: values.get('url') || null, channel: values.get('channel') || null };
}

export interface InstallProbe {
  platform: string;
  /** app.isPackaged */
  isPackaged: boolean;
  execPath: string;
  /** process.resourcesPath */
  resourcesPath: string;
  env: Record<string, string | undefined>;
  /** electron-builder's productName ("Whisperline"): the NSIS uninstaller is `Uninstall <name>.exe`. */
  productName: string;
  exists(path: string): boolean;
  readText(path: string): string | null;
}

/**
 * How this copy was installed, as far as electron-updater cares. Windows: only the NSIS installer can
 * be updated by the app. An NSIS install has `Uninstall Whisperline.exe` beside the executable; the
 * MSI installs the same files without it (electron-builder packs one app folder for both targets,
 * app-update.yml included), so "packaged, not portable, no NSIS uninstaller" is an MSI (or a copied
 * folder): IT's deployment tool updates it.
 */
export function detectInstall(p: InstallProbe): InstallInfo {
  const no = (kind: InstallKind, why: string): InstallInfo => ({ kind, canSelfUpdate: false, why });
  const yes = (kind: InstallKind): InstallInfo => ({ kind, canSelfUpdate: true, why: null });
  if (!p.isPackaged) return no('dev', 'This is a development build: it does not update itself.');
  if (p.platform === 'win32') {
    if (p.env.PORTABLE_EXECUTABLE_DIR) return no('portable', 'This portable copy does not update itself: replace it with a newer one.');
    if (p.exists(win32.join(win32.dirname(p.execPath), `Uninstall ${p.productName}.exe`))) return yes('nsis');
    return no('msi', "This installation (MSI) is updated by your IT department's software distribution, not by Whisperline itself.");
  }
  if (p.platform === 'darwin') return yes('mac');
  if (p.env.SNAP) return no('snap', 'This Snap package is updated by snapd, not by Whisperline itself.');
  if (p.env.APPIMAGE) return yes('appimage');
  const type = p.readText(posix.join(p.resourcesPath, 'package-type'))?.trim();
  if (type === 'deb' || type === 'rpm' || type === 'pacman') return yes(type);
  return no('unpacked', 'This copy was not installed by a Whisperline installer, so it cannot update itself: update it the way it was installed.');
}

// ---- wiring ---------------------------------------------------------------------------------------

export interface UpdateResolverDeps {
  platform: string;
  env: Record<string, string | undefined>;
  /** app.isPackaged, process.execPath, process.resourcesPath, app's product name. */
  isPackaged: boolean;
  execPath: string;
  resourcesPath: string;
  productName: string;
  /** `desktop.updates` of the verified policy in force now, else null. */
  policy: () => DesktopUpdatesPolicy | null;
  uid?: number;
  fs?: PolicyFs;
}

/**
 * What index.ts hands UpdateService as `resolve`: the installation and app-update.yml are looked at
 * once (they do not change while the app runs), the policy and updates.json at every call.
 */
export function updateConfigResolver(d: UpdateResolverDeps): () => Promise<EffectiveUpdateConfig> {
  const readText = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  };
  const install = detectInstall({ ...d, exists: existsSync, readText });
  const yml = d.resourcesPath ? readText((d.platform === 'win32' ? win32 : posix).join(d.resourcesPath, 'app-update.yml')) : null;
  const appUpdateYml = yml == null ? null : parseAppUpdateYml(yml);
  const location = managedPolicyLocation(d.platform, d.env);
  return async () => resolveUpdateConfig({ policy: d.policy(), machine: await readMachineUpdateSetting({ location, fs: d.fs, uid: d.uid }), appUpdateYml, install });
}
