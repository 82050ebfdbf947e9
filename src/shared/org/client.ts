/**
 * The desk's side of the org service: sign a request, send it, read the answer in words. Used by the
 * Electron main process (uploads from the history file, reports for the page) and by the web build.
 * Only `fetch` and WebCrypto: no Electron, no DOM.
 */
import type { HistoryEntry } from '../callHistory';
import type { OrgPolicy } from '../policy/schema';
import { base64ToBytes } from '../policy/canonical';
import type { RecordingDetail, RecordingSummary, TrackName } from '../recording/types';
import type { RecordingsQuery, RecordingUpload } from './recordings';
import { personOf } from '../policy/signedPolicy';
import { makeOrgRequest, type OrgRequestKind, type OrgSigner } from './envelope';
import type { AcknowledgeInput, Evaluation, EvaluationInput, EvaluationsQuery } from './qa';
import type { ReportQuery, ReportResult } from './report';
import { maxUploadEntries } from './scope';

/** What the service says of an upload: entries received, rows stored (fewer when some were there already). */
export interface UploadAnswer {
  received: number;
  stored: { calls: number; wrapups: number; sessions: number };
}

export type OrgAnswer<T> = { ok: true; value: T } | { ok: false; status: number; code: string; reason: string };

export interface OrgClientOptions {
  /** The service's base URL from the policy (`orgService.url`). */
  url: string;
  /** This desk's identity, `user@domain`, as the policy names it. */
  identity: string;
  signer: OrgSigner;
  fetch?: typeof fetch;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
}

export class OrgClient {
  constructor(private readonly opts: OrgClientOptions) {}

  upload(entries: readonly HistoryEntry[]): Promise<OrgAnswer<UploadAnswer>> {
    if (entries.length > maxUploadEntries) throw new RangeError(`at most ${maxUploadEntries} entries per upload`);
    return this.post<UploadAnswer>('upload', { entries }, (b) => b as UploadAnswer);
  }

  report(query: ReportQuery): Promise<OrgAnswer<ReportResult>> {
    return this.post('report', query, (b) => (b as { report: ReportResult }).report);
  }

  evaluate(input: EvaluationInput): Promise<OrgAnswer<Evaluation>> {
    return this.post('evaluate', input, (b) => (b as { evaluation: Evaluation }).evaluation);
  }

  evaluations(query: EvaluationsQuery): Promise<OrgAnswer<Evaluation[]>> {
    return this.post('evaluations', query, (b) => (b as { evaluations: Evaluation[] }).evaluations);
  }

  acknowledge(input: AcknowledgeInput): Promise<OrgAnswer<Evaluation>> {
    return this.post('acknowledge', input, (b) => (b as { evaluation: Evaluation }).evaluation);
  }

  uploadRecording(body: RecordingUpload): Promise<OrgAnswer<{ complete: boolean }>> {
    return this.post('recording-upload', body, (b) => ({ complete: (b as { complete?: boolean }).complete === true }));
  }

  recordings(query: RecordingsQuery): Promise<OrgAnswer<RecordingSummary[]>> {
    return this.post('recordings', query, (b) => (b as { recordings: RecordingSummary[] }).recordings);
  }

  recording(id: string): Promise<OrgAnswer<RecordingDetail>> {
    return this.post('recording', { id }, (b) => (b as { recording: RecordingDetail }).recording);
  }

  recordingTrack(id: string, track: TrackName): Promise<OrgAnswer<Uint8Array>> {
    return this.post('recording-track', { id, track }, (b) => base64ToBytes((b as { data: string }).data) ?? new Uint8Array());
  }

  private async post<T>(kind: OrgRequestKind, body: unknown, pick: (b: unknown) => T): Promise<OrgAnswer<T>> {
    const base = this.opts.url.replace(/\/+$/, '');
    const fetchImpl = this.opts.fetch ?? fetch;
    let res: Response;
    try {
      const request = await makeOrgRequest(kind, this.opts.identity, body, this.opts.signer);
      res = await fetchImpl(`${base}/v1/${kind}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (e) {
      return { ok: false, status: 0, code: 'unreachable', reason: `The org service at ${base} cannot be reached (${(e as Error).message}).` };
    }
    let answer: unknown;
    try {
      answer = await res.json();
    } catch {
      return { ok: false, status: res.status, code: 'bad-answer', reason: `The org service at ${base} answered ${res.status} without a readable body.` };
    }
    const a = answer as { ok?: boolean; code?: string; reason?: string };
    if (res.ok && a?.ok === true) return { ok: true, value: pick(answer) };
    return { ok: false, status: res.status, code: String(a?.code ?? 'refused'), reason: String(a?.reason ?? `The org service answered ${res.status}.`) };
  }
}

/** Why this desk cannot ask the org service anything (null: it can), in words for the user. */
export function orgUnavailableReason(policy: OrgPolicy | null, me: string | null): string | null {
  if (!policy) return 'No org policy is in force here, so there is no org service to ask.';
  if (!policy.orgService) return 'The org policy names no org service (orgService.url), so reports and QA review are off: ask IT.';
  if (!me) return 'Sign in first: the org service is asked as the person signed in.';
  if (!personOf(policy, me)) return `${me} is not in the org policy, so the org service has nothing for this desk.`;
  return null;
}
