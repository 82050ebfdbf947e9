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

/** The org policy this desk runs under, as the host found and verified it. */
export type OrgPolicyStatus = { state: 'active'; summary: string; keyId: string } | { state: 'none'; reason: string };

/** The supervisor's own key, for the admin to enrol in the org policy. */
export interface SupervisorKeyInfo {
  /** Raw 32-byte Ed25519 public key, base64: what goes into the policy's `supervisorKeys`. */
  publicKey: string;
  fingerprint: string;
  /** Something the user or admin must know (key not saved, key replaced); null when all is well. */
  note: string | null;
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
  /** Electron: the machine-wide managed policy; web: the one published beside the page. Never throws. */
  getOrgPolicy(): Promise<OrgPolicyStatus>;
  /** Made on first use and kept (Electron: OS keychain; web: this browser profile). */
  getSupervisorKey(): Promise<SupervisorKeyInfo>;
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
  orgPolicy: 'policy:get',
  supervisorKey: 'supervisor-key:get',
} as const;
