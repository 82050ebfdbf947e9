import type { Settings } from './settings';
import type { CallRecord, HistoryRead, WrapUp } from './callHistory';
import type { OrgPolicy } from './policy/schema';
import type { SupervisionAuditEvent, SupervisionCheck, SupervisionVerdict } from './policy/gate';
import type { SupervisionMode } from './supervision/modes';
import type { ReportQuery, ReportResult } from './org/report';
import type { AcknowledgeInput, Evaluation, EvaluationInput, EvaluationsQuery } from './org/qa';
import type { RecordingsQuery } from './org/recordings';
import type { RecordingChunk, RecordingDetail, RecordingMeta, RecordingResult, RecordingSummary, TimelineEvent, TrackName } from './recording/types';

export type { SupervisionAuditEvent, SupervisionCheck, SupervisionVerdict };

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
export type OrgPolicyStatus = { state: 'active'; summary: string; keyId: string; policy: OrgPolicy } | { state: 'none'; reason: string };

/** What the supervisor's app asks its key to sign for one request (statement.ts). */
export interface StatementAsk {
  /** The supervisor's own identity, `user@domain`. */
  sup: string;
  agent: string;
  /** `*` (the agent's current call) for a join; for a change of mode, the binding the agent's app reported. */
  binding: string;
  mode: SupervisionMode;
  /** The agent's challenge this statement answers (its nonce); a fresh random nonce when absent. */
  nonce?: string;
}

export type SignedStatement = { ok: true; token: string } | { ok: false; reason: string };

/** The result of checking this desk's audit trail end to end. */
export interface AuditCheck {
  ok: boolean;
  entries: number;
  /** One sentence: "N entries, chain intact" or where it breaks. */
  message: string;
}

/** The supervisor's own key, for the admin to enrol in the org policy. */
export interface SupervisorKeyInfo {
  /** Raw 32-byte Ed25519 public key, base64: what goes into the policy's `supervisorKeys`. */
  publicKey: string;
  fingerprint: string;
  /** Something the user or admin must know (key not saved, key replaced); null when all is well. */
  note: string | null;
}

/** A report from the org service, or why there is none (no service in the policy, offline, refused). */
export type OrgReportAnswer = { ok: true; report: ReportResult } | { ok: false; reason: string };
export type OrgEvaluationAnswer = { ok: true; evaluation: Evaluation } | { ok: false; reason: string };
export type OrgEvaluationsAnswer = { ok: true; evaluations: Evaluation[] } | { ok: false; reason: string };
export type OrgRecordingsAnswer = { ok: true; recordings: RecordingSummary[] } | { ok: false; reason: string };

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
  /**
   * Agent side: checks a supervision request against the policy in force (signature, enrolment,
   * scope, mode, freshness, replay, call, SIP identity) and records the outcome in the audit trail
   * before answering. Never throws: a failure is a refusal.
   */
  checkSupervision(check: SupervisionCheck): Promise<SupervisionVerdict>;
  /** Both sides: joins, changes, leaves and takeovers that need no check (what this desk did or saw). Never throws. */
  recordSupervision(event: SupervisionAuditEvent): Promise<boolean>;
  /** Supervisor side: a fresh statement signed by this desk's supervisor key. */
  signSupervision(ask: StatementAsk): Promise<SignedStatement>;
  /**
   * Team reports from the org service the policy names (`org.url`), asked with this desk's key; the
   * service answers only what the policy lets this person see. Never throws.
   */
  orgReport(query: ReportQuery): Promise<OrgReportAnswer>;
  /** QA: stores an evaluation of a recorded call (scorecard from the policy); refused outside the evaluator's scope. Never throws. */
  orgEvaluate(input: EvaluationInput): Promise<OrgEvaluationAnswer>;
  /** Evaluations this person may see: an agent their own, a supervisor their teams', QA and admin all. Never throws. */
  orgEvaluations(query: EvaluationsQuery): Promise<OrgEvaluationsAnswer>;
  /** The evaluated agent acknowledges an evaluation (with an optional comment). Never throws. */
  orgAcknowledge(input: AcknowledgeInput): Promise<OrgEvaluationAnswer>;
  /** Recordings other desks sent to the org service that this person may review (newest first). Never throws. */
  orgRecordings(query: RecordingsQuery): Promise<OrgRecordingsAnswer>;
  /** One of them with its timeline; null when it cannot be read (the reason is logged). */
  orgRecording(id: string): Promise<RecordingDetail | null>;
  /** One track of it as a complete WAV file, for the player. */
  orgRecordingTrack(id: string, track: TrackName): Promise<Uint8Array | null>;
  /** Walks the whole audit trail: any edited, removed or reordered entry shows. */
  verifyAudit(): Promise<AuditCheck>;
  /** Starts a call's recording (folder, one WAV per track). Recording calls never throw: a failure is `{ ok: false, reason }`. */
  recordingStart(meta: RecordingMeta): Promise<RecordingResult>;
  /** Appends the next chunk of every track; written and fsynced before it resolves. */
  recordingAppend(id: string, chunk: RecordingChunk): Promise<RecordingResult>;
  recordingEvent(id: string, event: TimelineEvent): Promise<RecordingResult>;
  recordingEnd(id: string, end: { endedAt: string }): Promise<RecordingResult>;
  /** Newest first. */
  listRecordings(): Promise<RecordingSummary[]>;
  readRecording(id: string): Promise<RecordingDetail | null>;
  /** One track as a complete WAV file, for the player. */
  readRecordingTrack(id: string, track: TrackName): Promise<Uint8Array | null>;
  addRecordingComment(id: string, comment: { atMs: number; author: string; text: string }): Promise<RecordingResult>;
  /** sip:/tel: links opened from other apps (Electron only; web never calls back). */
  onDialRequest(listener: (uri: string) => void): () => void;
  /** A server's TLS certificate was rejected (Electron only: browsers do not say why a wss:// failed). */
  onTlsError(listener: (failure: { url: string; error: string }) => void): () => void;
  /** A system-wide shortcut pressed while another app has the focus (Electron only; the page has its own keys). */
  onShortcut(listener: (action: ShortcutAction) => void): () => void;
  /** Agent's window: the call state for the tray, the notification and the mini window. Never throws. */
  publishCallState(state: HostCallState): void;
  /**
   * Agent's window: an action from the tray, a notification, a global key or the mini window.
   * `callId` names the call it was offered for (a notification's Answer), so a stale one acts on nothing.
   */
  onCallAction(listener: (action: CallAction, callId: string | null) => void): () => void;
  /** Mini window: the agent window's latest call state, and each change. */
  onHostCallState(listener: (state: HostCallState) => void): () => void;
  /** Mini window: ask the agent's window to act. */
  sendCallAction(action: CallAction): void;
  /** Opens (or closes) the always-on-top mini call window. */
  setMiniWindow(open: boolean): Promise<void>;
  getUpdateStatus(): Promise<UpdateStatus>;
  onUpdateStatus(listener: (status: UpdateStatus) => void): () => void;
  /** Restarts into a downloaded update (refused while a call is up, by the page). */
  installUpdate(): Promise<void>;
  /** Bundles this desk's logs, redacted; `pageLog` is the page's own recent log lines. Never throws. */
  collectLogs(pageLog: string[]): Promise<LogBundleResult>;
}

/** Registration as the tray and the mini window show it (a subset of the store's states). */
export type HostRegistration = 'registered' | 'connecting' | 'offline' | 'unconfigured' | 'error';

/**
 * What the agent's window tells its host about calls, for what lives outside the window: the tray,
 * the incoming-call notification, the always-on-top mini window. Plain data, no SIP objects.
 */
export interface HostCallState {
  registration: HostRegistration;
  /** The agent's availability, null for a supervisor without an agent state. */
  agentState: 'ready' | 'not-ready' | 'wrap-up' | null;
  /** The call ringing now, if any (the notification offers Answer / Decline). */
  incoming: { id: string; caller: string } | null;
  /** The call in progress, if any. */
  active: { id: string; peer: string; onHold: boolean; muted: boolean; connectedAt: number | null } | null;
  /** The page's language and contrast, so the tray, notification and mini window match it. */
  display: { language: 'en' | 'de'; highContrast: boolean };
}

/** What the tray, a notification, a global key or the mini window can ask of the agent's window. */
export const callActions = ['answer', 'decline', 'hangup', 'toggle-mute', 'toggle-hold', 'show'] as const;
export type CallAction = (typeof callActions)[number];

/** How updates run on this desk and who decides (README → For IT → Updates). */
export interface UpdateStatus {
  /** `organisation`: the signed policy or a machine-wide setting decides; the user cannot change it. */
  managedBy: 'organisation' | 'user';
  enabled: boolean;
  channel: string;
  state: 'idle' | 'checking' | 'available' | 'downloading' | 'ready' | 'up-to-date' | 'disabled' | 'error' | 'unsupported';
  /** The version on offer or downloaded, when there is one. */
  version: string | null;
  /** One plain sentence for the user. */
  message: string;
}

/** A redacted diagnostics bundle ("Collect logs"). */
export type LogBundleResult =
  | {
      ok: true;
      fileName: string;
      /** Desktop: the file it was saved to; web: null (the page downloads `bytes`). */
      savedTo: string | null;
      bytes: Uint8Array | null;
      /** How many secrets (passwords, digests, statements, keys) were taken out. */
      redactions: number;
    }
  | { ok: false; reason: string };

/** What a system-wide shortcut asks of the supervisor's session (see main/shortcuts.ts). */
export const shortcutActions = ['toggle-talk'] as const;
export type ShortcutAction = (typeof shortcutActions)[number];

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
  shortcut: 'shortcut:pressed',
  orgPolicy: 'policy:get',
  supervisorKey: 'supervisor-key:get',
  checkSupervision: 'supervision:check',
  recordSupervision: 'supervision:record',
  signSupervision: 'supervision:sign',
  verifyAudit: 'audit:verify',
  orgReport: 'org:report',
  orgEvaluate: 'org:evaluate',
  orgEvaluations: 'org:evaluations',
  orgAcknowledge: 'org:acknowledge',
  orgRecordings: 'org:recordings',
  orgRecording: 'org:recording',
  orgRecordingTrack: 'org:recording-track',
  recordingStart: 'recording:start',
  recordingAppend: 'recording:append',
  recordingEvent: 'recording:event',
  recordingEnd: 'recording:end',
  listRecordings: 'recording:list',
  readRecording: 'recording:read',
  readRecordingTrack: 'recording:track',
  addRecordingComment: 'recording:comment',
  publishCallState: 'call-state:publish',
  callAction: 'call-action',
  hostCallState: 'call-state:host',
  sendCallAction: 'call-action:send',
  miniWindow: 'mini-window:set',
  updateStatus: 'update:status',
  updateStatusChanged: 'update:status-changed',
  installUpdate: 'update:install',
  collectLogs: 'diagnostics:collect-logs',
} as const;
