// The web build's link to the org service: uploads the call history kept in browser storage (the
// cursor beside it) and asks for reports, both signed with this profile's key (webOrg.ts). The page
// may connect to its own origin only (its Content-Security-Policy), so it reaches the service at
// `org/` beside it, which the server that hosts it passes on to the policy's orgService.url.
import type { OrgEvaluationAnswer, OrgEvaluationsAnswer, OrgRecordingsAnswer, OrgReportAnswer, WhisperlineBridge } from '../../shared/bridge';
import type { RecordingsQuery } from '../../shared/org/recordings';
import { RecordingUploader } from '../../shared/org/recordingUploader';
import type { RecordingDetail, TrackName } from '../../shared/recording/types';
import { OrgClient, orgUnavailableReason, type OrgAnswer } from '../../shared/org/client';
import type { AcknowledgeInput, EvaluationInput, EvaluationsQuery } from '../../shared/org/qa';
import type { OrgSigner } from '../../shared/org/envelope';
import { reportQuerySchema, type ReportQuery } from '../../shared/org/report';
import { HistoryUploader } from '../../shared/org/uploader';
import { bytesToBase64 } from '../../shared/policy/canonical';
import type { OrgPolicy } from '../../shared/policy/schema';
import { personOf } from '../../shared/policy/signedPolicy';
import { parseSettingsText } from '../../shared/settings';
import { normalizeIdentity } from '../../shared/supervision/identity';
import { fetchOrgPolicy, webSupervisorKeyPair } from './webOrg';

export interface WebOrgServiceKeys {
  historyKey: string;
  settingsKey: string;
  profile: string;
}

/** The web build's recordings (kept by the server that hosts the page, webRecording.ts). */
type LocalRecordings = Pick<WhisperlineBridge, 'listRecordings' | 'readRecording' | 'readRecordingTrack'>;

export function createWebOrgService(storage: Storage, keys: WebOrgServiceKeys, local: LocalRecordings) {
  const cursorKey = `${keys.historyKey}.uploaded`;
  let policy: OrgPolicy | null = null;
  let policyAt = 0;

  const signer = async (): Promise<OrgSigner> => {
    const { pair } = await webSupervisorKeyPair(`supervisor${keys.profile}`);
    return {
      publicKey: bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))),
      sign: async (bytes) => new Uint8Array(await crypto.subtle.sign('Ed25519', pair.privateKey, bytes)),
    };
  };
  const identity = (): string | null => {
    const parsed = parseSettingsText(storage.getItem(keys.settingsKey) ?? '');
    const account = parsed.ok ? parsed.settings.account : null;
    return account ? normalizeIdentity(account.extension, account.domain) : null;
  };
  /** The policy in force: one found is fetched again after a minute; none, at every look (IT may just have published it). */
  const refreshPolicy = async (): Promise<OrgPolicy | null> => {
    if (!policy || Date.now() - policyAt > 60_000) {
      const s = await fetchOrgPolicy();
      policy = s.state === 'active' ? s.policy : null;
      policyAt = Date.now();
    }
    return policy;
  };
  let signerReady: OrgSigner | null = null;
  const client = (): OrgClient | null => {
    const me = identity();
    const url = policy?.orgService ? new URL('org', location.href).href : null;
    // Someone the policy does not name (a test caller, a guest) has nothing to report.
    return me && url && personOf(policy!, me) && signerReady ? new OrgClient({ url, identity: me, signer: signerReady }) : null;
  };

  const uploader = new HistoryUploader({
    source: {
      readFrom: async (cursor) => (storage.getItem(keys.historyKey) ?? '').slice(cursor),
      measure: (text) => text.length,
      loadCursor: async () => Number(storage.getItem(cursorKey) ?? 0) || 0,
      saveCursor: async (cursor) => storage.setItem(cursorKey, String(cursor)),
    },
    client,
    report: (line) => console.info(line),
  });

  const sentKey = `${keys.historyKey}.recordings-sent`;
  const sentIds = (): string[] => (storage.getItem(sentKey) ?? '').split('\n').filter(Boolean);
  const recordingUploader = new RecordingUploader({
    source: { list: () => local.listRecordings(), read: (id) => local.readRecording(id), track: (id, t) => local.readRecordingTrack(id, t) },
    sent: {
      has: async (id) => sentIds().includes(id),
      // The last thousand are enough to know what was sent: older recordings are past any retention.
      add: async (id) => storage.setItem(sentKey, [...sentIds(), id].slice(-1000).join('\n')),
    },
    client: () => (policy?.orgService?.recordings ? client() : null),
    me: identity,
    report: (line) => console.info(line),
  });

  const kick = async () => {
    await refreshPolicy().catch(() => null);
    signerReady ??= await signer().catch(() => null);
    await uploader.kick();
    await recordingUploader.kick();
  };
  // Also on a timer: a service that was down, a key enrolled later, a policy that now names a service.
  setInterval(() => void kick(), 30_000);
  setTimeout(() => void kick(), 1_000);

  /** Asks the org service as this person; the answer or why not, in words. Never throws. */
  const ask = async <T>(fn: (c: OrgClient) => Promise<OrgAnswer<T>>): Promise<{ ok: true; value: T } | { ok: false; reason: string }> => {
    policyAt = 0;
    await kick().catch(() => undefined);
    const unavailable = orgUnavailableReason(policy, identity());
    if (unavailable) return { ok: false, reason: unavailable };
    const c = client();
    if (!c) return { ok: false, reason: 'This browser could not make a key to sign with.' };
    const answer = await fn(c).catch((e: unknown) => ({ ok: false as const, reason: (e as Error)?.message ?? String(e) }));
    return answer.ok ? { ok: true, value: answer.value } : { ok: false, reason: answer.reason };
  };

  return {
    /** After each history append and each finished recording: something may be ready to send. */
    changed: () => void kick(),
    async orgReport(query: ReportQuery): Promise<OrgReportAnswer> {
      const q = reportQuerySchema.safeParse(query);
      if (!q.success) return { ok: false, reason: `That report cannot be asked for: ${q.error.issues[0].message}.` };
      const a = await ask((c) => c.report(q.data));
      return a.ok ? { ok: true, report: a.value } : a;
    },
    async orgEvaluate(input: EvaluationInput): Promise<OrgEvaluationAnswer> {
      const a = await ask((c) => c.evaluate(input));
      return a.ok ? { ok: true, evaluation: a.value } : a;
    },
    async orgEvaluations(query: EvaluationsQuery): Promise<OrgEvaluationsAnswer> {
      const a = await ask((c) => c.evaluations(query));
      return a.ok ? { ok: true, evaluations: a.value } : a;
    },
    async orgAcknowledge(input: AcknowledgeInput): Promise<OrgEvaluationAnswer> {
      const a = await ask((c) => c.acknowledge(input));
      return a.ok ? { ok: true, evaluation: a.value } : a;
    },
    async orgRecordings(query: RecordingsQuery): Promise<OrgRecordingsAnswer> {
      const a = await ask((c) => c.recordings(query));
      return a.ok ? { ok: true, recordings: a.value } : a;
    },
    async orgRecording(id: string): Promise<RecordingDetail | null> {
      const a = await ask((c) => c.recording(id));
      if (!a.ok) console.info(`Org recording ${id}: ${a.reason}`);
      return a.ok ? a.value : null;
    },
    async orgRecordingTrack(id: string, track: TrackName): Promise<Uint8Array | null> {
      const a = await ask((c) => c.recordingTrack(id, track));
      if (!a.ok) console.info(`Org recording ${id} (${track}): ${a.reason}`);
      return a.ok ? a.value : null;
    },
  };
}

