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
  onDialRequest: (listener) => {
    const handler = (_e: unknown, uri: unknown) => {
      if (typeof uri === 'string') listener(uri);
    };
    ipcRenderer.on(ipcChannels.dialRequest, handler);
    return () => ipcRenderer.removeListener(ipcChannels.dialRequest, handler);
  },
};

contextBridge.exposeInMainWorld('whisperline', bridge);
