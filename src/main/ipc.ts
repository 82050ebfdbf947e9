import { z } from 'zod';
import {
  ipcChannels,
  type CallAction,
  type HostCallState,
  type LogBundleResult,
  type UpdateStatus,
  type AuditCheck,
  type LoadedSettings,
  type OrgReportAnswer,
  type OrgEvaluationAnswer,
  type OrgEvaluationsAnswer,
  type OrgRecordingsAnswer,
  type OrgPolicyStatus,
  type SignedStatement,
  type StatementAsk,
  type SupervisionAuditEvent,
  type SupervisionCheck,
  type SupervisionVerdict,
  type SupervisorKeyInfo,
} from '../shared/bridge';
import { settingsSchema, type Settings } from '../shared/settings';
import { callRecordSchema, wrapUpSchema, type HistoryEntry, type HistoryRead } from '../shared/callHistory';
import { statementPayloadSchema } from '../shared/policy/statement';
import { reportQuerySchema, type ReportQuery } from '../shared/org/report';
import { recordingsQuerySchema } from '../shared/org/recordings';
type ParsedRecordingsQuery = import('zod').infer<typeof recordingsQuerySchema>;
import { acknowledgeSchema, evaluationInputSchema, evaluationsQuerySchema, type AcknowledgeInput, type EvaluationsQuery, type ParsedEvaluationInput } from '../shared/org/qa';
import { supervisionModes } from '../shared/supervision/modes';
import { auditLimits, auditResults, recordableActions } from './audit/entry';
import { callActionSchema, hostCallStateSchema } from './desktop/callHost';
import {
  chunkSchema,
  commentSchema,
  recordingEndSchema,
  recordingIdSchema,
  recordingMetaSchema,
  timelineEventSchema,
  trackNames,
  type RecordingChunk,
  type RecordingComment,
  type RecordingDetail,
  type RecordingMeta,
  type RecordingResult,
  type RecordingSummary,
  type TimelineEvent,
  type TrackName,
} from '../shared/recording/types';

/** The call recordings on this desk (src/main/recording/recordingStore.ts). */
export interface RecordingServices {
  start(meta: RecordingMeta): Promise<RecordingResult>;
  append(id: string, chunk: RecordingChunk): Promise<RecordingResult>;
  event(id: string, event: TimelineEvent): Promise<RecordingResult>;
  end(id: string, end: { endedAt: string }): Promise<RecordingResult>;
  comment(id: string, comment: Omit<RecordingComment, 'createdAt'>): Promise<RecordingResult>;
  list(): Promise<RecordingSummary[]>;
  read(id: string): Promise<RecordingDetail | null>;
  trackFile(id: string, track: TrackName): Promise<Uint8Array | null>;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => unknown): void;
}

export interface MainServices {
  loadSettings(): LoadedSettings;
  saveSettings(settings: Settings): void;
  getPassword(): string | null;
  setPassword(password: string): { persisted: boolean };
  appendHistory(entry: HistoryEntry): Promise<void>;
  readHistory(): Promise<HistoryRead>;
  getOrgPolicy(): Promise<OrgPolicyStatus>;
  getSupervisorKey(): Promise<SupervisorKeyInfo>;
  checkSupervision(check: SupervisionCheck): Promise<SupervisionVerdict>;
  recordSupervision(event: SupervisionAuditEvent): Promise<boolean>;
  signSupervision(ask: StatementAsk): Promise<SignedStatement>;
  verifyAudit(): Promise<AuditCheck>;
  orgReport(query: ReportQuery): Promise<OrgReportAnswer>;
  orgEvaluate(input: ParsedEvaluationInput): Promise<OrgEvaluationAnswer>;
  orgEvaluations(query: EvaluationsQuery): Promise<OrgEvaluationsAnswer>;
  orgAcknowledge(input: AcknowledgeInput): Promise<OrgEvaluationAnswer>;
  orgRecordings(query: ParsedRecordingsQuery): Promise<OrgRecordingsAnswer>;
  orgRecording(id: string): Promise<RecordingDetail | null>;
  orgRecordingTrack(id: string, track: TrackName): Promise<Uint8Array | null>;
  recordings: RecordingServices;
  /** The agent window's call state, for the tray, the notification and the mini window. */
  publishCallState(state: HostCallState): void;
  /** From the mini window, for the agent's window. */
  sendCallAction(action: CallAction): void;
  setMiniWindow(open: boolean): void;
  getUpdateStatus(): UpdateStatus;
  installUpdate(): void;
  collectLogs(pageLog: string[]): Promise<LogBundleResult>;
  /** Only the app's own pages may call in. */
  isTrustedSender(url: string): boolean;
}

// Supervision inputs: bounded so a renderer cannot hand main megabytes, but loose enough that the
// gate itself refuses (and records) what is wrong with a request; the audit log cleans text it keeps.
const mode = z.enum(supervisionModes);
const identity = z.string().max(200);
/** SIP Call-IDs have no length limit; 1024 is far above any real one. */
const callId = z.string().max(1024);

const supervisionCheckSchema = z.strictObject({
  step: z.enum(['join', 'proof', 'mode']),
  // Above the statement limit (600) on purpose: the gate answers "too long" and records it.
  token: z.string().max(700).nullable(),
  agentId: identity,
  callId: callId.nullable(),
  sipIdentity: identity,
  mode,
  // Any short token: the gate refuses (and records) one it did not make.
  challenge: z.string().max(64).optional(),
});

const auditText = (max: number) => z.string().max(max);
const supervisionEventSchema = z.strictObject({
  actor: auditText(auditLimits.identity),
  subject: auditText(auditLimits.identity),
  // The same Call-IDs the check accepts (the log cuts them to auditLimits.call): refusing a longer
  // one here would lose the record of a real supervision.
  call: callId,
  action: z.enum(recordableActions),
  mode: mode.optional(),
  durationMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  result: z.enum(auditResults),
  reason: auditText(auditLimits.reason).optional(),
});

const statementAskSchema = z.strictObject({
  sup: identity,
  agent: identity,
  // `*` (the agent's current call) or a binding the agent's app reported, as a statement carries it.
  binding: statementPayloadSchema.shape.call,
  mode,
  nonce: statementPayloadSchema.shape.nonce.optional(),
});

/**
 * Every IPC input is parsed with zod here, on the main side: a compromised or buggy renderer gets a
 * clear error instead of writing arbitrary data to disk.
 */
export function registerIpcHandlers(ipc: IpcMainLike, services: MainServices): void {
  const guarded =
    <A extends unknown[], R>(schema: z.ZodType<A>, fn: (...args: A) => R) =>
    (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => {
      const url = event.senderFrame?.url ?? '';
      if (!services.isTrustedSender(url)) throw new Error(`IPC refused from ${url || 'unknown frame'}`);
      const parsed = schema.safeParse(args);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        // Which field (the leading argument index left out), so the refusal says what was wrong.
        const field = issue?.path.slice(1).join('.');
        throw new Error(`Invalid request: ${field ? `${field}: ` : ''}${issue?.message ?? 'bad input'}`);
      }
      return fn(...parsed.data);
    };

  ipc.handle(ipcChannels.loadSettings, guarded(z.tuple([]), () => services.loadSettings()));
  ipc.handle(ipcChannels.saveSettings, guarded(z.tuple([settingsSchema]), (s) => services.saveSettings(s)));
  ipc.handle(ipcChannels.getPassword, guarded(z.tuple([]), () => services.getPassword()));
  ipc.handle(ipcChannels.setPassword, guarded(z.tuple([z.string().max(256)]), (p) => services.setPassword(p)));
  ipc.handle(
    ipcChannels.appendCall,
    guarded(z.tuple([callRecordSchema]), (call) => services.appendHistory({ kind: 'call', call })),
  );
  ipc.handle(
    ipcChannels.appendWrapUp,
    guarded(z.tuple([z.string().min(1).max(128), wrapUpSchema]), (callId, wrapUp) =>
      services.appendHistory({ kind: 'wrapup', callId, wrapUp, at: new Date().toISOString() }),
    ),
  );
  ipc.handle(ipcChannels.readHistory, guarded(z.tuple([]), () => services.readHistory()));
  ipc.handle(ipcChannels.orgPolicy, guarded(z.tuple([]), () => services.getOrgPolicy()));
  ipc.handle(ipcChannels.supervisorKey, guarded(z.tuple([]), () => services.getSupervisorKey()));
  ipc.handle(ipcChannels.checkSupervision, guarded(z.tuple([supervisionCheckSchema]), (c) => services.checkSupervision(c)));
  ipc.handle(ipcChannels.recordSupervision, guarded(z.tuple([supervisionEventSchema]), (e) => services.recordSupervision(e)));
  ipc.handle(ipcChannels.signSupervision, guarded(z.tuple([statementAskSchema]), (a) => services.signSupervision(a)));
  ipc.handle(ipcChannels.verifyAudit, guarded(z.tuple([]), () => services.verifyAudit()));
  ipc.handle(ipcChannels.orgReport, guarded(z.tuple([reportQuerySchema]), (q) => services.orgReport(q)));
  ipc.handle(ipcChannels.orgEvaluate, guarded(z.tuple([evaluationInputSchema]), (i) => services.orgEvaluate(i)));
  ipc.handle(ipcChannels.orgEvaluations, guarded(z.tuple([evaluationsQuerySchema]), (q) => services.orgEvaluations(q)));
  ipc.handle(ipcChannels.orgAcknowledge, guarded(z.tuple([acknowledgeSchema]), (i) => services.orgAcknowledge(i)));
  ipc.handle(ipcChannels.orgRecordings, guarded(z.tuple([recordingsQuerySchema]), (q) => services.orgRecordings(q)));
  ipc.handle(ipcChannels.orgRecording, guarded(z.tuple([recordingIdSchema]), (id) => services.orgRecording(id)));
  ipc.handle(ipcChannels.orgRecordingTrack, guarded(z.tuple([recordingIdSchema, z.enum(trackNames)]), (id, t) => services.orgRecordingTrack(id, t)));
  const rec = services.recordings;
  ipc.handle(ipcChannels.recordingStart, guarded(z.tuple([recordingMetaSchema]), (m) => rec.start(m)));
  ipc.handle(ipcChannels.recordingAppend, guarded(z.tuple([recordingIdSchema, chunkSchema]), (id, c) => rec.append(id, c)));
  ipc.handle(ipcChannels.recordingEvent, guarded(z.tuple([recordingIdSchema, timelineEventSchema]), (id, e) => rec.event(id, e)));
  ipc.handle(ipcChannels.recordingEnd, guarded(z.tuple([recordingIdSchema, recordingEndSchema]), (id, e) => rec.end(id, e)));
  ipc.handle(ipcChannels.addRecordingComment, guarded(z.tuple([recordingIdSchema, commentSchema]), (id, c) => rec.comment(id, c)));
  ipc.handle(ipcChannels.listRecordings, guarded(z.tuple([]), () => rec.list()));
  ipc.handle(ipcChannels.readRecording, guarded(z.tuple([recordingIdSchema]), (id) => rec.read(id)));
  ipc.handle(ipcChannels.readRecordingTrack, guarded(z.tuple([recordingIdSchema, z.enum(trackNames)]), (id, t) => rec.trackFile(id, t)));
  ipc.handle(ipcChannels.publishCallState, guarded(z.tuple([hostCallStateSchema]), (st) => services.publishCallState(st)));
  ipc.handle(ipcChannels.sendCallAction, guarded(z.tuple([callActionSchema]), (a) => services.sendCallAction(a)));
  ipc.handle(ipcChannels.miniWindow, guarded(z.tuple([z.boolean()]), (open) => services.setMiniWindow(open)));
  ipc.handle(ipcChannels.updateStatus, guarded(z.tuple([]), () => services.getUpdateStatus()));
  ipc.handle(ipcChannels.installUpdate, guarded(z.tuple([]), () => services.installUpdate()));
  // The page's log: bounded here; the collector redacts every line before anything is written.
  ipc.handle(ipcChannels.collectLogs, guarded(z.tuple([z.array(z.string().max(8192)).max(5000)]), (lines) => services.collectLogs(lines)));
}
