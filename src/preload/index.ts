import { contextBridge, ipcRenderer } from 'electron';
import { callActions, ipcChannels, shortcutActions, type CallAction, type HostCallState, type ShortcutAction, type UpdateStatus, type WhisperlineBridge } from '../shared/bridge';

// The only thing that crosses the process line: each method is one validated IPC call in main.
const bridge: WhisperlineBridge = {
  host: 'electron',
  loadSettings: () => ipcRenderer.invoke(ipcChannels.loadSettings),
  saveSettings: (s) => ipcRenderer.invoke(ipcChannels.saveSettings, s),
  getPassword: () => ipcRenderer.invoke(ipcChannels.getPassword),
  setPassword: (p) => ipcRenderer.invoke(ipcChannels.setPassword, p),
  appendCall: (c) => ipcRenderer.invoke(ipcChannels.appendCall, c),
  appendWrapUp: (id, w) => ipcRenderer.invoke(ipcChannels.appendWrapUp, id, w),
  readHistory: () => ipcRenderer.invoke(ipcChannels.readHistory),
  getOrgPolicy: () => ipcRenderer.invoke(ipcChannels.orgPolicy),
  getSupervisorKey: () => ipcRenderer.invoke(ipcChannels.supervisorKey),
  // Main answers these with values; a rejection here is IPC refusing the input (or main gone), and
  // the bridge promises these never throw, so it becomes the same kind of answer.
  checkSupervision: (c) =>
    ipcRenderer.invoke(ipcChannels.checkSupervision, c).catch((e: unknown) => ({
      ok: false as const,
      status: 500,
      reason: 'Supervision Check Failed',
      code: 'malformed' as const,
      detail: `The request could not be checked (${errorText(e)}).`,
    })),
  recordSupervision: (e) => ipcRenderer.invoke(ipcChannels.recordSupervision, e).catch(() => false),
  signSupervision: (a) => ipcRenderer.invoke(ipcChannels.signSupervision, a).catch((e: unknown) => ({ ok: false as const, reason: `The request could not be signed (${errorText(e)}).` })),
  orgReport: (q) => ipcRenderer.invoke(ipcChannels.orgReport, q).catch((e: unknown) => ({ ok: false as const, reason: `The report could not be asked for (${errorText(e)}).` })),
  orgEvaluate: (i) => ipcRenderer.invoke(ipcChannels.orgEvaluate, i).catch((e: unknown) => ({ ok: false as const, reason: `The evaluation could not be sent (${errorText(e)}).` })),
  orgEvaluations: (q) => ipcRenderer.invoke(ipcChannels.orgEvaluations, q).catch((e: unknown) => ({ ok: false as const, reason: `The evaluations could not be read (${errorText(e)}).` })),
  orgAcknowledge: (i) => ipcRenderer.invoke(ipcChannels.orgAcknowledge, i).catch((e: unknown) => ({ ok: false as const, reason: `The acknowledgement could not be sent (${errorText(e)}).` })),
  orgRecordings: (q) => ipcRenderer.invoke(ipcChannels.orgRecordings, q).catch((e: unknown) => ({ ok: false as const, reason: `The recordings could not be listed (${errorText(e)}).` })),
  orgRecording: (id) => ipcRenderer.invoke(ipcChannels.orgRecording, id).catch(() => null),
  orgRecordingTrack: (id, t) => ipcRenderer.invoke(ipcChannels.orgRecordingTrack, id, t).catch(() => null),
  verifyAudit: () => ipcRenderer.invoke(ipcChannels.verifyAudit).catch((e: unknown) => ({ ok: false, entries: 0, message: `The audit trail could not be checked (${errorText(e)}).` })),
  // Recording calls never throw (bridge.ts): an IPC refusal becomes the same kind of answer.
  recordingStart: (m) => ipcRenderer.invoke(ipcChannels.recordingStart, m).catch(recordingRefused),
  recordingAppend: (id, c) => ipcRenderer.invoke(ipcChannels.recordingAppend, id, c).catch(recordingRefused),
  recordingEvent: (id, e) => ipcRenderer.invoke(ipcChannels.recordingEvent, id, e).catch(recordingRefused),
  recordingEnd: (id, e) => ipcRenderer.invoke(ipcChannels.recordingEnd, id, e).catch(recordingRefused),
  addRecordingComment: (id, c) => ipcRenderer.invoke(ipcChannels.addRecordingComment, id, c).catch(recordingRefused),
  listRecordings: () => ipcRenderer.invoke(ipcChannels.listRecordings).catch(() => []),
  readRecording: (id) => ipcRenderer.invoke(ipcChannels.readRecording, id).catch(() => null),
  readRecordingTrack: (id, t) => ipcRenderer.invoke(ipcChannels.readRecordingTrack, id, t).catch(() => null),
  onDialRequest: (listener) => {
    const handler = (_e: unknown, uri: unknown) => {
      if (typeof uri === 'string') listener(uri);
    };
    ipcRenderer.on(ipcChannels.dialRequest, handler);
    return () => ipcRenderer.removeListener(ipcChannels.dialRequest, handler);
  },
  onTlsError: (listener) => {
    const handler = (_e: unknown, failure: unknown) => {
      const f = failure as { url?: unknown; error?: unknown };
      if (typeof f?.url === 'string' && typeof f?.error === 'string') listener({ url: f.url, error: f.error });
    };
    ipcRenderer.on(ipcChannels.tlsError, handler);
    return () => ipcRenderer.removeListener(ipcChannels.tlsError, handler);
  },
  publishCallState: (state) => void ipcRenderer.invoke(ipcChannels.publishCallState, state).catch(() => undefined),
  onCallAction: (listener) =>
    subscribe(ipcChannels.callAction, (action, callId) => {
      if ((callActions as readonly unknown[]).includes(action)) listener(action as CallAction, typeof callId === 'string' ? callId : null);
    }),
  onHostCallState: (listener) => subscribe(ipcChannels.hostCallState, (state) => state && typeof state === 'object' && listener(state as HostCallState)),
  sendCallAction: (action) => void ipcRenderer.invoke(ipcChannels.sendCallAction, action).catch(() => undefined),
  setMiniWindow: (open) => ipcRenderer.invoke(ipcChannels.miniWindow, open),
  getUpdateStatus: () =>
    ipcRenderer.invoke(ipcChannels.updateStatus).catch(
      (e: unknown): UpdateStatus => ({ managedBy: 'user', enabled: false, channel: 'latest', state: 'error', version: null, message: `Update status unavailable (${errorText(e)}).` }),
    ),
  onUpdateStatus: (listener) => subscribe(ipcChannels.updateStatusChanged, (status) => status && typeof status === 'object' && listener(status as UpdateStatus)),
  installUpdate: () => ipcRenderer.invoke(ipcChannels.installUpdate),
  collectLogs: (pageLog) => ipcRenderer.invoke(ipcChannels.collectLogs, pageLog).catch((e: unknown) => ({ ok: false as const, reason: `Logs could not be collected (${errorText(e)}).` })),
  onShortcut: (listener) => {
    const handler = (_e: unknown, action: unknown) => {
      if ((shortcutActions as readonly unknown[]).includes(action)) listener(action as ShortcutAction);
    };
    ipcRenderer.on(ipcChannels.shortcut, handler);
    return () => ipcRenderer.removeListener(ipcChannels.shortcut, handler);
  },
};

const recordingRefused = (e: unknown) => ({ ok: false as const, reason: errorText(e) });

/** Electron wraps a handler's error as "Error invoking remote method '<channel>': Error: <message>". */
function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/^Error invoking remote method '[^']*': (?:Error: )?/, '');
}

contextBridge.exposeInMainWorld('whisperline', bridge);

/** One main → page event channel; returns the unsubscribe the bridge promises. */
function subscribe(channel: string, handler: (...args: unknown[]) => void): () => void {
  const wrapped = (_e: unknown, ...args: unknown[]) => handler(...args);
  ipcRenderer.on(channel, wrapped);
  return () => ipcRenderer.removeListener(channel, wrapped);
}
