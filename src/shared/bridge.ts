import type { Settings } from './settings';
import type { CallRecord, HistoryRead, WrapUp } from './callHistory';

export interface LoadedSettings {
  settings: Settings;
  /** Set when stored settings were unreadable and were set aside: shown to the user once. */
  notice: string | null;
  hasPassword: boolean;
}

export interface PasswordSaveResult {
  /** False where the OS offers no keychain (web build): then it lives only for this session. */
  persisted: boolean;
}

/**
 * The one interface between the renderer and the host. The Electron preload exposes it over IPC;
 * the web build implements it with browser storage. Everything else stays on its own side.
 */
export interface WhisperlineBridge {
  readonly host: 'electron' | 'web';
  loadSettings(): Promise<LoadedSettings>;
  saveSettings(settings: Settings): Promise<void>;
  getPassword(): Promise<string | null>;
  setPassword(password: string): Promise<PasswordSaveResult>;
  appendCall(call: CallRecord): Promise<void>;
  appendWrapUp(callId: string, wrapUp: WrapUp): Promise<void>;
  readHistory(): Promise<HistoryRead>;
  /** sip:/tel: links opened from other apps (Electron only; web never calls back). */
  onDialRequest(listener: (uri: string) => void): () => void;
  /** A server's TLS certificate was rejected (Electron only: browsers do not say why a wss:// failed). */
  onTlsError(listener: (failure: { url: string; error: string }) => void): () => void;
}

export const ipcChannels = {
  loadSettings: 'settings:load',
  saveSettings: 'settings:save',
  getPassword: 'secret:get',
  setPassword: 'secret:set',
  appendCall: 'history:append-call',
  appendWrapUp: 'history:append-wrapup',
  readHistory: 'history:read',
  dialRequest: 'dial:request',
  tlsError: 'tls:error',
} as const;
