import { app, BrowserWindow, globalShortcut, ipcMain, safeStorage, session } from 'electron';
import Store from 'electron-store';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ipcChannels } from '../shared/bridge';
import { applyProvision, defaultSettings, provisionSchema, settingsSchema, type Settings } from '../shared/settings';
import { parseJsonWith } from '../shared/parseJson';
import { readFileSync } from 'node:fs';
import { HistoryFile } from './historyFile';
import { DeskOrgLink } from './org/deskOrgLink';
import { normalizeIdentity } from '../shared/supervision/identity';
import { AuditForwarding } from './audit/forwarding';
import { AuditLog } from './audit/log';
import { AuditRetention } from './audit/retention';
import { managedPolicyLocation } from './policy/managedLocation';
import { loadManagedPolicy, ManagedPolicyWatcher } from './policy/managedPolicy';
import { openSupervisorKey, type SupervisorKey } from './policy/supervisorKey';
import { registerIpcHandlers } from './ipc';
import { createSupervisionServices } from './supervisionHost';
import { FileReplayRecord } from './policy/replayRecord';
import { PasswordVault } from './secrets';
import { installPermissionHandlers, isAppUrl, lockNavigation } from './security';
import { setAsideCorruptSettings } from './settingsFile';
import { registerGlobalShortcuts } from './shortcuts';
import { RecordingStore } from './recording/recordingStore';
import { underLegalHold } from '../shared/recording/plan';
import { createDesktopShell } from './desktop/shell';
import { actionScheme } from './desktop/incomingNotifier';
import { createAppUpdates } from './desktop/appUpdates';
import { installMainLog } from './diagnostics/mainLog';
import { collectLogs } from './diagnostics/collectLogs';

const here = dirname(fileURLToPath(import.meta.url));
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const windows = new Map<string, BrowserWindow>();
let pendingDial: string | null = null;
let shell: ReturnType<typeof createDesktopShell> | null = null;
const isActionLink = (url: string) => url.toLowerCase().startsWith(`${actionScheme}:`);

// Tests and IT scripts may point the app at another profile folder.
if (process.env.WHISPERLINE_USER_DATA) app.setPath('userData', process.env.WHISPERLINE_USER_DATA);

if (!app.requestSingleInstanceLock()) {
  // A second launch (or a sip: link) goes to the running app instead.
  app.quit();
} else {
  // The main process's own log (redacted, rotated), for "Collect logs".
  installMainLog(join(app.getPath('userData'), 'logs'));
  app.on('second-instance', (_event, argv) => {
    // A Windows toast's Answer / Decline arrives as a whisperline: link; its token is checked.
    const action = argv.find(isActionLink);
    if (action) return void shell?.host.handleLink(action);
    const uri = argv.find((a) => /^(sip|sips|tel):/i.test(a));
    if (uri) dial(uri);
    shell?.host.act('show');
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (isActionLink(url)) shell?.host.handleLink(url);
    else dial(url);
  });
  // whisperline: carries a Windows toast's Answer / Decline back to this app (desktop/incomingNotifier.ts).
  for (const scheme of ['sip', 'tel', actionScheme]) app.setAsDefaultProtocolClient(scheme);
  // Never accept a bad certificate; tell the page why its wss:// connection failed.
  app.on('certificate-error', (event, webContents, url, error, _certificate, callback) => {
    event.preventDefault();
    callback(false);
    webContents.send(ipcChannels.tlsError, { url, error });
  });
  app.whenReady().then(start);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

function dial(uri: string): void {
  const win = windows.get('agent');
  if (win && !win.webContents.isLoading()) win.webContents.send(ipcChannels.dialRequest, uri);
  else pendingDial = uri;
}

function start(): void {
  const settingsPath = join(app.getPath('userData'), 'settings.json');
  const recovery = setAsideCorruptSettings(settingsPath);
  let notice = recovery.notice;
  const store = new Store<{ settings: Settings; sipPasswordEncrypted?: string; supervisorKeyEncrypted?: string }>({
    name: 'settings',
    defaults: { settings: defaultSettings },
  });
  const vault = new PasswordVault(safeStorage, {
    get: () => store.get('sipPasswordEncrypted'),
    set: (v) => (v === undefined ? store.delete('sipPasswordEncrypted') : store.set('sipPasswordEncrypted', v)),
  });
  provisionFirstRun(store, vault);
  const history = new HistoryFile(join(app.getPath('userData'), 'call-history.jsonl'));
  // Made on first use only: an agent-only desk never makes a key.
  let keyOpening: Promise<SupervisorKey> | null = null;
  const keySlot = {
    get: () => store.get('supervisorKeyEncrypted'),
    set: (v: string | undefined) => (v === undefined ? store.delete('supervisorKeyEncrypted') : store.set('supervisorKeyEncrypted', v)),
  };
  const supervisorKey = () => (keyOpening ??= openSupervisorKey({ safeStorage, slot: keySlot }));
  // Call records to the org service the policy names (team reports), signed with the desk's key.
  const orgLink = new DeskOrgLink({
    historyPath: history.path,
    cursorPath: join(app.getPath('userData'), 'org-upload.cursor.json'),
    key: supervisorKey,
    identity: () => {
      const account = settingsSchema.safeParse(store.get('settings')).data?.account;
      return account ? normalizeIdentity(account.extension, account.domain) : null;
    },
    policy: () => (policyWatcher.result?.state === 'active' ? policyWatcher.result.policy : null),
    recordings: {
      // The store is made further down; only used once a call has ended.
      source: { list: () => recordings.list(), read: (id) => recordings.read(id), track: (id, t) => recordings.trackFile(id, t) },
      sentPath: join(app.getPath('userData'), 'org-recordings-sent.txt'),
    },
  });

  // Opened now so a torn tail is set aside at start; if it cannot be opened the app still runs,
  // each append tries again, and until one succeeds the gate refuses every request (503).
  const auditLog = new AuditLog(join(app.getPath('userData'), 'audit', 'audit.log'));
  auditLog.open().then(
    (r) => r.setAside && console.warn(`Audit log: an unfinished last line was moved to ${r.setAside.tornPath}.`),
    (e: unknown) => console.error(`Audit log: ${(e as Error).message} Supervision requests are refused until it can be written.`),
  );
  // Copies of the log for the org's log pipeline, where the signed policy says (audit.forward).
  const auditForwarding = new AuditForwarding({ log: auditLog, stateDir: join(app.getPath('userData'), 'audit') });
  // Entries older than the policy's audit.retentionDays go, once every destination has them.
  const auditRetention = new AuditRetention({ log: auditLog, deliveredToAll: () => auditForwarding.deliveredToAll() });

  // The managed policy, kept current (folder watch, periodic recheck, reload at expiry).
  const policyWatcher = new ManagedPolicyWatcher({
    load: () => loadManagedPolicy({ platform: process.platform, env: process.env, now: new Date() }),
    dir: managedPolicyLocation(process.platform, process.env).dir,
    onChange: (r) => {
      console.log(`Org policy: ${r.state === 'active' ? r.summary : r.reason}`);
      // Called with the first result too. Only a verified policy moves the forwarding; without one
      // (expired, removed, refused) the last signed destinations keep receiving, refusals included.
      void orgLink.changed();
      if (r.state === 'active') {
        const { forward, retentionDays } = r.policy.audit;
        void auditForwarding.update(forward).then(() => auditRetention.apply(retentionDays));
      }
      // Updates and start at login follow the policy in force (an expired one no longer counts).
      if (appUpdates) {
        void appUpdates.updates.reconfigure();
        appUpdates.applyLogin(userStartAtLogin());
      }
    },
  });
  const userStartAtLogin = () => {
    const parsed = settingsSchema.safeParse(store.get('settings'));
    return parsed.success && parsed.data.startAtLogin;
  };
  let appUpdates: ReturnType<typeof createAppUpdates> | null = null;
  const firstPolicyLoad = policyWatcher.start();
  const supervision = createSupervisionServices({
    policy: () => {
      const r = policyWatcher.result;
      return r?.state === 'active' ? r.policy : null;
    },
    reloadPolicy: async () => {
      await policyWatcher.reload();
    },
    auditLog,
    replay: new FileReplayRecord(join(app.getPath('userData'), 'audit', 'used-statements.jsonl')),
    supervisorKey,
  });

  // Call recordings (README → Recording): one folder per call under userData; a file cut by a
  // crash is repaired at start, and what the policy's retention allows is deleted once a day.
  const activePolicy = () => (policyWatcher.result?.state === 'active' ? policyWatcher.result.policy : null);
  const recordings = new RecordingStore(join(app.getPath('userData'), 'recordings'), {
    legalHold: (meta) => underLegalHold(activePolicy(), meta),
    // A finished recording goes to the org service now, not at the next periodic check.
    onEnded: () => void orgLink.changed(),
  });
  void recordings.recover().then((r) => r.problems.forEach((p) => console.warn(`Recordings: ${p}`)));
  const sweepRecordings = () => {
    // Retention runs only under a verified policy: without one, nobody can say what is on hold.
    if (activePolicy()) void recordings.sweep(new Date()).then((gone) => gone.length && console.log(`Recordings: ${gone.length} past retention deleted.`));
  };
  void firstPolicyLoad.then(sweepRecordings);
  setInterval(sweepRecordings, 24 * 3600_000).unref();

  const desktop = (shell = createDesktopShell({
    agentWindow: () => windows.get('agent') ?? windows.get('supervisor') ?? null,
    load: (win, route) => loadRoute(win, route),
    preload: join(here, '../preload/index.cjs'),
    lockNavigation: (win) => lockNavigation(win.webContents, devServerUrl, dial),
  }));
  app.on('will-quit', () => desktop.dispose());
  const updates = (appUpdates = createAppUpdates({
    policy: activePolicy,
    inCall: () => desktop.host.current.active !== null || desktop.host.current.incoming !== null,
    broadcast: (status) => {
      for (const w of BrowserWindow.getAllWindows()) w.webContents.send(ipcChannels.updateStatusChanged, status);
    },
  }));
  void firstPolicyLoad.then(() => {
    updates.updates.start();
    updates.applyLogin(userStartAtLogin());
  });

  registerIpcHandlers(ipcMain, {
    loadSettings: () => {
      const parsed = settingsSchema.safeParse(store.get('settings'));
      const result = { settings: parsed.success ? parsed.data : defaultSettings, notice, hasPassword: vault.has() };
      notice = null;
      return result;
    },
    saveSettings: (s) => {
      const before = userStartAtLogin();
      store.set('settings', s);
      if (s.startAtLogin !== before) updates.applyLogin(s.startAtLogin);
    },
    getPassword: () => vault.get(),
    setPassword: (p) => vault.set(p),
    appendHistory: (entry) => history.append(entry).then(() => void orgLink.changed()),
    orgReport: (query) => orgLink.report(query),
    orgEvaluate: async (input) => {
      const a = await orgLink.ask((c) => c.evaluate(input));
      return a.ok ? { ok: true, evaluation: a.value } : a;
    },
    orgEvaluations: async (query) => {
      const a = await orgLink.ask((c) => c.evaluations(query));
      return a.ok ? { ok: true, evaluations: a.value } : a;
    },
    orgAcknowledge: async (input) => {
      const a = await orgLink.ask((c) => c.acknowledge(input));
      return a.ok ? { ok: true, evaluation: a.value } : a;
    },
    orgRecordings: async (query) => {
      const a = await orgLink.ask((c) => c.recordings(query));
      return a.ok ? { ok: true, recordings: a.value } : a;
    },
    orgRecording: async (id) => {
      const a = await orgLink.ask((c) => c.recording(id));
      return a.ok ? a.value : null;
    },
    orgRecordingTrack: async (id, track) => {
      const a = await orgLink.ask((c) => c.recordingTrack(id, track));
      return a.ok ? a.value : null;
    },
    readHistory: () => history.read(),
    getOrgPolicy: async () => {
      const r = policyWatcher.result ?? (await firstPolicyLoad);
      return r.state === 'active' ? { state: 'active', summary: r.summary, keyId: r.keyId, policy: r.policy } : { state: 'none', reason: r.reason };
    },
    getSupervisorKey: async () => {
      const key = await supervisorKey();
      return { publicKey: key.publicKey(), fingerprint: key.fingerprint(), note: key.status.message };
    },
    ...supervision,
    recordings,
    publishCallState: (state) => desktop.host.publish(state),
    sendCallAction: (action) => desktop.host.act(action),
    setMiniWindow: (open) => open !== desktop.host.miniOpen && desktop.host.toggleMini(),
    getUpdateStatus: () => updates.status(),
    installUpdate: () => updates.install(),
    collectLogs: (pageLog) =>
      collectLogs({
        userDataDir: app.getPath('userData'),
        downloadsDir: app.getPath('downloads'),
        appVersion: app.getVersion(),
        pageLog,
        now: new Date(),
        listRecordings: () => recordings.list(),
        policySummary: policyWatcher.result ? (policyWatcher.result.state === 'active' ? policyWatcher.result.summary : policyWatcher.result.reason) : undefined,
        platform: `${process.platform} ${process.arch}`,
        versions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '', node: process.versions.node },
      }),
    isTrustedSender: (url) => isAppUrl(url, devServerUrl),
  });
  installPermissionHandlers(session.defaultSession, devServerUrl);

  const settings = settingsSchema.safeParse(store.get('settings'));
  const role = process.argv.includes('--supervisor') || (settings.success && settings.data.role === 'supervisor') ? 'supervisor' : 'agent';
  openRoleWindow(role);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openRoleWindow(role);
  });
}

function openRoleWindow(role: 'agent' | 'supervisor'): BrowserWindow {
  const existing = windows.get(role);
  if (existing) return existing;
  const win = new BrowserWindow({
    width: role === 'agent' ? 420 : 1100,
    height: 760,
    minWidth: 360,
    title: role === 'agent' ? 'Whisperline' : 'Whisperline — Supervisor',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // Calls keep their audio graph running when the window is in the background.
      backgroundThrottling: false,
    },
  });
  windows.set(role, win);
  win.on('closed', () => {
    windows.delete(role);
    // The mini window has no phone of its own: it goes with the window that has.
    if (shell?.host.miniOpen) shell.host.toggleMini();
  });
  if (role === 'supervisor') {
    const shortcuts = registerGlobalShortcuts(globalShortcut, (action) => win.webContents.send(ipcChannels.shortcut, action));
    if (shortcuts.taken.length) console.warn(`Another app owns ${shortcuts.taken.join(', ')}: the supervisor's window keys still work.`);
    win.on('closed', () => shortcuts.dispose());
  }
  win.once('ready-to-show', () => win.show());
  lockNavigation(win.webContents, devServerUrl, dial);
  win.webContents.on('did-finish-load', () => {
    if (role === 'agent' && pendingDial) {
      win.webContents.send(ipcChannels.dialRequest, pendingDial);
      pendingDial = null;
    }
  });
  loadRoute(win, role);
  return win;
}

function loadRoute(win: BrowserWindow, route: string): void {
  if (devServerUrl) void win.loadURL(`${devServerUrl}#/${route}`);
  else void win.loadFile(join(here, '../renderer/index.html'), { hash: `/${route}` });
}

/** First run with WHISPERLINE_PROVISION=file.json (IT or the demo): take the account it names. */
function provisionFirstRun(store: Store<{ settings: Settings; sipPasswordEncrypted?: string }>, vault: PasswordVault): void {
  const file = process.env.WHISPERLINE_PROVISION;
  if (!file) return;
  const current = settingsSchema.safeParse(store.get('settings'));
  if (current.success && current.data.account) return;
  try {
    const parsed = parseJsonWith(provisionSchema, readFileSync(file, 'utf8'));
    if (!parsed.ok) throw new Error(parsed.reason);
    const base = current.success ? current.data : defaultSettings;
    store.set('settings', applyProvision(base, parsed.value));
    if (parsed.value.password) vault.set(parsed.value.password);
  } catch (e) {
    console.error(`Provisioning file ${file} ignored: ${(e as Error).message}`);
  }
}
