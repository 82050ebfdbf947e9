/**
 * The org service's HTTP API. Every request is a signed envelope (shared/org/envelope.ts); the
 * signature, not a session or a cookie, says who asks, so any origin may call it (CORS `*`: the web
 * build is served from elsewhere) and a captured request is worth nothing after its nonce is used.
 *
 *   POST /v1/upload   { envelope: { kind: "upload", body: { entries: HistoryEntry[] } }, signature }
 *   POST /v1/report   { envelope: { kind: "report", body: ReportQuery }, signature }
 *   POST /v1/evaluate, /v1/evaluations, /v1/acknowledge   QA review (shared/org/qa.ts)
 *   GET  /v1/health   { ok, database, policy }
 *
 * A refused request (too large, malformed, unsigned, stale, replayed, out of scope) gets a JSON
 * `{ ok: false, code, reason }` with a 4xx status, is written to `refusals`, and stores nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { orgRequestKinds, orgRequestSkewSeconds, refusalStatus, verifyOrgRequest, type OrgEnvelope, type OrgRefusalCode, type OrgRequestKind } from '../shared/org/envelope';
import { acknowledgeSchema, evaluationInputSchema, evaluationsQuerySchema } from '../shared/org/qa';
import { acknowledgeEvaluation, listEvaluations, QaRefusal, saveEvaluation } from './qaStore';
import { recordingReadSchema, recordingsQuerySchema, recordingUploadSchema } from '../shared/org/recordings';
import { listRecordings, pruneRecordings, readRecordingDetail, readRecordingTrack, RecordingRefusal, saveRecordingDetail, saveRecordingPiece } from './recordingStore';
import type { BlobStore } from './blobStore';
import { reportQuerySchema } from '../shared/org/report';
import { checkUploadScope, mayEvaluate, maxRequestBytes, reportScope, uploadBodySchema } from '../shared/org/scope';
import type { SqlDb, SqlRunner } from './db';
import { applyRetention, storeEntries, useNonce } from './ingest';
import type { PolicySource } from './policySource';
import { runReport } from './reportQuery';

export interface OrgServiceOptions {
  db: SqlDb;
  /** Where recordings' audio is kept (a folder, or an S3-compatible bucket); absent: recordings are refused. */
  blobs?: BlobStore;
  policy: PolicySource;
  /** Status lines (refusals, retention). Default console.log. */
  log?: (line: string) => void;
  now?: () => Date;
  /** How often retention runs. Default every 6 hours (and once at start). */
  retentionEveryMs?: number;
}

const noBlobs: BlobStore = {
  description: 'no recording storage',
  put: async () => {
    throw new RecordingRefusal('not-found', 'This org service keeps no recordings (started without recording storage).');
  },
  get: async () => null,
  delete: async () => undefined,
};

class Refusal extends Error {
  constructor(
    readonly code: OrgRefusalCode,
    reason: string,
    readonly from = '',
    readonly keyId = '',
  ) {
    super(reason);
  }
}

const cors = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...cors });
  res.end(text);
}

/** The body, or a `too-large` refusal as soon as it passes the limit (the rest is not read). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxRequestBytes) return reject(new Refusal('too-large', `The request is ${declared} bytes; at most ${maxRequestBytes} are accepted: send fewer entries at a time.`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxRequestBytes) {
        reject(new Refusal('too-large', `The request is over ${maxRequestBytes} bytes: send fewer entries at a time.`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class OrgService {
  private server: Server | null = null;
  private retentionTimer: ReturnType<typeof setInterval> | undefined;
  private nonceTimer: ReturnType<typeof setInterval> | undefined;
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  private readonly blobs: BlobStore;

  constructor(private readonly opts: OrgServiceOptions) {
    this.blobs = opts.blobs ?? noBlobs;
    this.log = opts.log ?? ((line) => console.log(line));
    this.now = opts.now ?? (() => new Date());
  }

  /** Listens on `host:port` (port 0: any free one); resolves with the base URL. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    void this.retention();
    this.retentionTimer = setInterval(() => void this.retention(), this.opts.retentionEveryMs ?? 6 * 3600_000);
    this.retentionTimer.unref();
    // Used nonces are only worth keeping while a request could still be fresh: a busy center makes thousands a minute.
    this.nonceTimer = setInterval(() => void this.forgetNonces(), 5 * 60_000);
    this.nonceTimer.unref();
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${shown}:${addr.port}`;
  }

  async close(): Promise<void> {
    clearInterval(this.retentionTimer);
    clearInterval(this.nonceTimer);
    const server = this.server;
    this.server = null;
    // Idle keep-alive connections too, or close() waits for clients to drop them.
    if (server) await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  /** Also usable as a route handler inside another server (tests). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, cors);
        return void res.end();
      }
      if (req.method === 'GET' && path === '/v1/health') return send(res, 200, await this.health());
      const kind = /^\/v1\/([a-z-]+)$/.exec(path)?.[1] as OrgRequestKind | undefined;
      if (req.method === 'POST' && kind && (orgRequestKinds as readonly string[]).includes(kind)) return send(res, 200, await this.signed(req, kind));
      throw new Refusal('not-found', `No such endpoint: ${req.method} ${path}.`);
    } catch (e) {
      if (e instanceof Refusal) {
        await this.recordRefusal(req, e, path);
        return send(res, refusalStatus[e.code], { ok: false, code: e.code, reason: e.message });
      }
      const reason = (e as Error)?.message ?? String(e);
      this.log(`[org] ${req.method} ${path} failed: ${reason}`);
      if (!res.headersSent) send(res, 503, { ok: false, code: 'unavailable', reason: `The org service could not do that just now (${reason}); try again.` });
    }
  }

  private async health(): Promise<unknown> {
    const policy = await this.opts.policy.current();
    let database = 'ok';
    try {
      await this.opts.db.query('select 1');
    } catch (e) {
      database = (e as Error).message;
    }
    return { ok: database === 'ok' && policy.ok, database, store: this.opts.db.kind, policy: policy.ok ? `in force (admin key ${policy.keyId})` : policy.reason };
  }

  private async signed(req: IncomingMessage, kind: OrgRequestKind): Promise<unknown> {
    const text = await readBody(req);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Refusal('malformed', 'The request is not JSON.');
    }
    const state = await this.opts.policy.current();
    if (!state.ok) throw new Error(state.reason);
    const v = await verifyOrgRequest(raw, state.policy, this.now());
    if (!v.ok) throw new Refusal(v.code, v.reason, v.from, v.keyId);
    const env: OrgEnvelope = v.envelope;
    const refuse = (code: OrgRefusalCode, reason: string) => new Refusal(code, reason, env.from, v.keyId);
    if (env.kind !== kind) throw refuse('malformed', `A ${env.kind} request was sent to /v1/${kind}.`);
    if (kind === 'upload') {
      const body = uploadBodySchema.safeParse(env.body);
      if (!body.success) throw refuse('malformed', `The upload is not a list of history entries (${body.error.issues[0].path.join('.')}: ${body.error.issues[0].message}).`);
      const scope = checkUploadScope(state.policy, env.from, body.data.entries);
      if (!scope.ok) throw refuse('out-of-scope', scope.reason);
      const stored = await this.opts.db.transaction(async (tx) => {
        if (!(await useNonce(tx, v.keyId, env.nonce))) throw refuse('replayed', 'This request was already received once: a copy sent again is refused.');
        return storeEntries(tx, env.from, body.data.entries);
      });
      return { ok: true, received: body.data.entries.length, stored };
    }
    const parse = <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, what: string): T => {
      const r = schema.safeParse(env.body);
      if (!r.success) throw refuse('malformed', `Not ${what} (${r.error.issues[0].path.map(String).join('.') || 'body'}: ${r.error.issues[0].message}).`);
      return r.data;
    };
    // The nonce is used up in the same transaction as what the request does: refused or failed, it can be sent again.
    const once = <T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> =>
      this.opts.db.transaction(async (tx) => {
        if (!(await useNonce(tx, v.keyId, env.nonce))) throw refuse('replayed', 'This request was already received once: a copy sent again is refused.');
        return fn(tx);
      });
    const policy = state.policy;
    try {
      if (kind === 'report') {
        const query = parse(reportQuerySchema, 'a report query');
        const scope = reportScope(policy, env.from, query);
        if (!scope.ok) throw refuse('out-of-scope', scope.reason);
        await once(async () => undefined);
        return { ok: true, report: await runReport(this.opts.db, policy, scope.value, query, this.now()) };
      }
      if (kind === 'evaluate') {
        const input = parse(evaluationInputSchema, 'an evaluation');
        const may = mayEvaluate(policy, env.from, input.agent);
        if (!may.ok) throw refuse('out-of-scope', may.reason);
        return { ok: true, evaluation: await once((tx) => saveEvaluation(tx, env.from, input, policy.qa?.scorecards ?? [])) };
      }
      if (kind === 'evaluations') {
        const q = parse(evaluationsQuerySchema, 'an evaluations query');
        const scope = reportScope(policy, env.from, { from: '2000-01-01', to: '2000-01-01' });
        if (!scope.ok) throw refuse('out-of-scope', scope.reason);
        // Everyone sees the evaluations of their own calls, whatever teams they lead.
        const visible = [...new Set([...scope.value.agents, env.from])];
        if (q.agent && !visible.includes(q.agent)) throw refuse('out-of-scope', `${q.agent} is not someone ${env.from} may see.`);
        return { ok: true, evaluations: await once((tx) => listEvaluations(tx, visible, q)) };
      }
      if (kind === 'acknowledge') {
        const ack = parse(acknowledgeSchema, 'an acknowledgement');
        return { ok: true, evaluation: await once((tx) => acknowledgeEvaluation(tx, env.from, ack.id, ack.comment)) };
      }
      if (kind === 'recording-upload') {
        const up = parse(recordingUploadSchema, 'a piece of a recording');
        if (up.part === 'detail') {
          await once((tx) => saveRecordingDetail(tx, env.from, up.detail));
          return { ok: true, complete: false };
        }
        const bytes = new Uint8Array(Buffer.from(up.data, 'base64'));
        return { ok: true, complete: await once((tx) => saveRecordingPiece(tx, this.blobs, env.from, { id: up.id, track: up.track, offset: up.offset, bytes })) };
      }
      // Reading recordings: whoever may see the agent's reports may hear the agent's calls.
      const scope = reportScope(policy, env.from, { from: '2000-01-01', to: '2000-01-01' });
      if (!scope.ok) throw refuse('out-of-scope', scope.reason);
      const agents = scope.value.agents;
      if (kind === 'recordings') {
        const q = parse(recordingsQuerySchema, 'a recordings query');
        if (q.agent && !agents.includes(q.agent)) throw refuse('out-of-scope', `${q.agent} is not someone ${env.from} may see.`);
        return { ok: true, recordings: await once((tx) => listRecordings(tx, agents, q)) };
      }
      const r = parse(recordingReadSchema, 'a recording read');
      if (kind === 'recording') return { ok: true, recording: await once((tx) => readRecordingDetail(tx, r.id, agents)) };
      if (!r.track) throw refuse('malformed', 'Which track? (customer, agent or supervisor)');
      const track = r.track;
      const bytes = await once((tx) => readRecordingTrack(tx, this.blobs, r.id, track, agents));
      return { ok: true, data: Buffer.from(bytes).toString('base64') };
    } catch (e) {
      if (e instanceof QaRefusal || e instanceof RecordingRefusal) throw refuse(e.code, e.message);
      throw e;
    }
  }

  private async recordRefusal(req: IncomingMessage, e: Refusal, path: string): Promise<void> {
    const remote = req.socket.remoteAddress ?? '';
    this.log(`[org] refused ${req.method} ${path} from ${e.from || 'unknown'} at ${remote}: ${e.code}: ${e.message}`);
    try {
      await this.opts.db.query('insert into refusals (remote_address, claimed_from, key_id, kind, code, reason) values ($1, $2, $3, $4, $5, $6)', [remote, e.from.slice(0, 200), e.keyId.slice(0, 64), path.slice(0, 64), e.code, e.message.slice(0, 1000)]);
    } catch (err) {
      this.log(`[org] could not record that refusal: ${(err as Error).message}`);
    }
  }

  private async forgetNonces(): Promise<void> {
    await this.opts.db.query('delete from request_nonces where seen_at < now() - make_interval(secs => $1)', [orgRequestSkewSeconds * 2]).catch((e: Error) => this.log(`[org] could not forget old nonces: ${e.message}`));
  }

  private async retention(): Promise<void> {
    try {
      const state = await this.opts.policy.current();
      const days = state.ok ? state.policy.orgService?.retentionDays : undefined;
      if (days === undefined) return;
      const removed = await applyRetention(this.opts.db, days, orgRequestSkewSeconds * 2);
      if (removed.calls || removed.sessions) this.log(`[org] retention (${days} days): removed ${removed.calls} calls and ${removed.sessions} supervision sessions.`);
      const recordings = await pruneRecordings(this.opts.db, this.blobs, this.now());
      if (recordings) this.log(`[org] retention: removed ${recordings} recordings past their policy's retention.`);
    } catch (e) {
      this.log(`[org] retention could not run: ${(e as Error).message}`);
    }
  }
}
