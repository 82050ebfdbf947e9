import { contextBridge, ipcRenderer } from 'electron';
import { ipcChannels, type WhisperlineBridge } from '../shared/bridge';

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
};

contextBridge.exposeInMainWorld('whisperline', bridge);
