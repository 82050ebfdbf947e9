import type { LoadedSettings, WhisperlineBridge } from '../../shared/bridge';
import { applyProvision, defaultSettings, parseSettingsText, provisionSchema, type Provision, type Settings } from '../../shared/settings';
import { webSupervisorKey } from './webOrg';
import { createWebSupervision } from './webSupervision';
import { createWebRecording } from './webRecording';
import { createWebCallHost } from './webCallHost';
import { webCollectLogs } from './webDiagnostics';
import { createWebOrgService } from './webOrgService';
import { foldHistory, historyEntrySchema, type HistoryEntry } from '../../shared/callHistory';

// Several people can use one browser profile (the demo's agent and supervisor tabs): `?as=NAME`
// keeps each one's settings and history apart.
const profile = /^[\w-]{1,32}$/.test(new URLSearchParams(location.search).get('as') ?? '') ? `.${new URLSearchParams(location.search).get('as')}` : '';
const settingsKey = `whisperline${profile}.settings`;
const historyKey = `whisperline${profile}.history`;
const passwordKey = `whisperline${profile}.sipPassword`;

/**
 * The bridge for the plain web build: settings and history in localStorage, the SIP password only
 * in sessionStorage (a browser has no OS keychain; it is never written to persistent storage).
 */
export function createWebBridge(storage: Storage = localStorage, session: Storage = sessionStorage): WhisperlineBridge {
  const appendEntry = (entry: HistoryEntry) => {
    historyEntrySchema.parse(entry);
    const lines = storage.getItem(historyKey) ?? '';
    try {
      storage.setItem(historyKey, `${lines}${JSON.stringify(entry)}\n`);
    } catch (e) {
      throw new Error(`Could not save call history: browser storage is full (${(e as Error).message})`);
    }
    org.changed();
  };
  const recordings = createWebRecording();
  const org = createWebOrgService(storage, { historyKey, settingsKey, profile }, recordings);
  return {
    host: 'web',
    ...createWebSupervision(storage, profile),
    ...recordings,
    async recordingEnd(id, end) {
      const result = await recordings.recordingEnd(id, end);
      // A finished recording goes to the org service now, not at the next 30-second check.
      if (result.ok) org.changed();
      return result;
    },
    ...createWebCallHost(profile),
    async loadSettings(): Promise<LoadedSettings> {
      const text = storage.getItem(settingsKey);
      let settings: Settings = defaultSettings;
      let notice: string | null = null;
      if (text !== null) {
        const parsed = parseSettingsText(text);
        if (parsed.ok) settings = parsed.settings;
        else {
          const backupKey = `${settingsKey}.corrupt-${Date.now()}`;
          storage.setItem(backupKey, text);
          storage.removeItem(settingsKey);
          notice = `Your saved settings were damaged (${parsed.reason}). They were kept as ${backupKey} and defaults were loaded.`;
        }
      }
      if (!settings.account) {
        const provision = await fetchProvision();
        if (provision) {
          settings = applyProvision(settings, provision);
          storage.setItem(settingsKey, JSON.stringify(settings));
          if (provision.password) session.setItem(passwordKey, provision.password);
        }
      }
      return { settings, notice, hasPassword: session.getItem(passwordKey) !== null };
    },
    async saveSettings(settings) {
      storage.setItem(settingsKey, JSON.stringify(settings));
    },
    async getPassword() {
      return session.getItem(passwordKey);
    },
    async setPassword(password) {
      session.setItem(passwordKey, password);
      return { persisted: false };
    },
    async appendCall(call) {
      appendEntry({ kind: 'call', call });
    },
    async appendWrapUp(callId, wrapUp) {
      appendEntry({ kind: 'wrapup', callId, wrapUp, at: new Date().toISOString() });
    },
    async readHistory() {
      return foldHistory((storage.getItem(historyKey) ?? '').split('\n'));
    },
    getSupervisorKey: () => webSupervisorKey(`supervisor${profile}`),
    orgReport: (query) => org.orgReport(query),
    orgEvaluate: (input) => org.orgEvaluate(input),
    orgEvaluations: (query) => org.orgEvaluations(query),
    orgAcknowledge: (input) => org.orgAcknowledge(input),
    orgRecordings: (query) => org.orgRecordings(query),
    orgRecording: (id) => org.orgRecording(id),
    orgRecordingTrack: (id, track) => org.orgRecordingTrack(id, track),
    // The web build takes a link as `#dial=<sip: or tel: URI>` on its own address (what a CRM
    // can open in the agent's tab); it goes through the same checks and confirmation as the app's.
    onDialRequest(listener) {
      const check = () => {
        const m = /^#dial=(.+)$/.exec(location.hash);
        if (!m) return;
        history.replaceState(null, '', `${location.pathname}${location.search}`);
        let uri = m[1];
        try {
          uri = decodeURIComponent(uri);
        } catch {
          // left as it came: the link check refuses it with a reason
        }
        listener(uri);
      };
      window.addEventListener('hashchange', check);
      check();
      return () => window.removeEventListener('hashchange', check);
    },
    onTlsError() {
      return () => undefined;
    },
    onShortcut() {
      return () => undefined;
    },
    async getUpdateStatus() {
      return webUpdateStatus;
    },
    onUpdateStatus() {
      return () => undefined;
    },
    async installUpdate() {
      location.reload();
    },
    collectLogs: (pageLog) => webCollectLogs(pageLog, storage, settingsKey),
  };
}

/** The web build is as new as the page the server hands out: nothing to update on the desk. */
const webUpdateStatus = {
  managedBy: 'organisation' as const,
  enabled: false,
  channel: 'web',
  state: 'unsupported' as const,
  version: null,
  message: 'The web version is updated by whoever hosts it: reload the page to get the newest.',
};

/** The server that hosts the web build may hand out a first-run account (the local demo does). */
async function fetchProvision(): Promise<Provision | null> {
  try {
    const res = await fetch(`./provision.json${location.search}`, { cache: 'no-store' });
    if (!res.ok) return null;
    const parsed = provisionSchema.safeParse(await res.json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
