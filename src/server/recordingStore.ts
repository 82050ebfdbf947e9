/**
 * Recordings at the org service: a row per recording (its summary and timeline, as the desk had
 * them), a row per piece of track audio received, the audio itself in the blob store. A desk
 * sends only its own agent's recordings; a recording is listed once every piece is in; it is read
 * by those who may see that agent (scope.ts).
 */
import type { RecordingDetailUpload } from '../shared/org/recordings';
import type { RecordingDetail, RecordingSummary, TrackName } from '../shared/recording/types';
import type { BlobStore } from './blobStore';
import type { SqlRunner } from './db';

export class RecordingRefusal extends Error {
  constructor(
    readonly code: 'malformed' | 'out-of-scope' | 'not-found',
    reason: string,
  ) {
    super(reason);
  }
}

const wavHeaderBytes = 44;
const blobKey = (id: string, track: string, offset: number) => `recordings/${id}/${track}/${String(offset).padStart(13, '0')}`;

interface Row {
  id: string;
  agent: string;
  detail: RecordingDetailUpload | string;
  complete: boolean;
}

const detailOf = (r: Row): RecordingDetailUpload => (typeof r.detail === 'string' ? (JSON.parse(r.detail) as RecordingDetailUpload) : r.detail);

export async function saveRecordingDetail(tx: SqlRunner, from: string, detail: RecordingDetailUpload): Promise<void> {
  const { meta } = detail;
  if (meta.agent.trim().toLowerCase() !== from) throw new RecordingRefusal('out-of-scope', `${from} sent a recording of ${meta.agent}'s call: a desk sends its own recordings only.`);
  const missing = meta.tracks.find((t) => detail.trackBytes[t] === undefined);
  if (missing) throw new RecordingRefusal('malformed', `The recording lists the ${missing} track but gives no size for it.`);
  const inserted = await tx.query(
    `insert into recordings (id, agent, call_id, started_at, detail) values ($1, $2, $3, $4, $5::jsonb) on conflict (id) do nothing returning id`,
    [meta.id, from, meta.callId, meta.startedAt, JSON.stringify(detail)],
  );
  if (!inserted.length) {
    const [row] = await tx.query<{ agent: string }>('select agent from recordings where id = $1', [meta.id]);
    if (row?.agent !== from) throw new RecordingRefusal('out-of-scope', `Recording ${meta.id} belongs to another desk.`);
  }
}

/** Stores one piece; true when the recording is complete with it. */
export async function saveRecordingPiece(tx: SqlRunner, blobs: BlobStore, from: string, p: { id: string; track: TrackName; offset: number; bytes: Uint8Array }): Promise<boolean> {
  const [row] = await tx.query<Row>('select id, agent, detail, complete from recordings where id = $1', [p.id]);
  if (!row) throw new RecordingRefusal('not-found', `No recording ${p.id} here yet: send its detail first.`);
  if (row.agent !== from) throw new RecordingRefusal('out-of-scope', `Recording ${p.id} belongs to another desk.`);
  const detail = detailOf(row);
  const total = detail.trackBytes[p.track];
  if (total === undefined) throw new RecordingRefusal('malformed', `Recording ${p.id} has no ${p.track} track.`);
  if (p.bytes.length === 0 || p.offset + p.bytes.length > total) throw new RecordingRefusal('malformed', `That piece (${p.offset}+${p.bytes.length}) lies outside the ${p.track} track's ${total} bytes.`);
  // The audio first: a piece is only counted once its bytes are safely stored.
  await blobs.put(blobKey(p.id, p.track, p.offset), p.bytes);
  await tx.query('insert into recording_pieces (id, track, byte_offset, length) values ($1, $2, $3, $4) on conflict do nothing', [p.id, p.track, p.offset, p.bytes.length]);
  const have = await tx.query<{ track: string; bytes: number }>('select track, sum(length)::float8 as bytes from recording_pieces where id = $1 group by track', [p.id]);
  const complete = detail.meta.tracks.every((t) => Number(have.find((h) => h.track === t)?.bytes ?? 0) === detail.trackBytes[t]);
  if (complete && !row.complete) await tx.query('update recordings set complete = true where id = $1', [p.id]);
  return complete;
}

function summaryOf(d: RecordingDetailUpload): RecordingSummary {
  const tracks = d.meta.tracks.map((name) => {
    const bytes = d.trackBytes[name] ?? wavHeaderBytes;
    const frames = Math.max(0, Math.floor((bytes - wavHeaderBytes) / 2));
    return { name, frames, durationMs: Math.round((frames * 1000) / d.meta.sampleRate), bytes };
  });
  return { meta: d.meta, endedAt: d.endedAt, durationMs: d.durationMs, tracks, legalHold: false };
}

export async function listRecordings(db: SqlRunner, agents: readonly string[], q: { agent?: string; callId?: string; limit: number }): Promise<RecordingSummary[]> {
  const params: unknown[] = [agents];
  const where = ['complete', 'agent = any($1::text[])'];
  if (q.agent) where.push(`agent = $${params.push(q.agent)}`);
  if (q.callId) where.push(`call_id = $${params.push(q.callId)}`);
  const rows = await db.query<Row>(`select id, agent, detail, complete from recordings where ${where.join(' and ')} order by started_at desc limit $${params.push(q.limit)}`, params);
  return rows.map((r) => summaryOf(detailOf(r)));
}

async function visible(db: SqlRunner, id: string, agents: readonly string[]): Promise<RecordingDetailUpload> {
  const [row] = await db.query<Row>('select id, agent, detail, complete from recordings where id = $1 and complete', [id]);
  if (!row || !agents.includes(row.agent)) throw new RecordingRefusal('not-found', `No recording ${id} that you may see.`);
  return detailOf(row);
}

export async function readRecordingDetail(db: SqlRunner, id: string, agents: readonly string[]): Promise<RecordingDetail> {
  const d = await visible(db, id, agents);
  return { ...summaryOf(d), timeline: d.timeline, comments: [], skippedLines: 0 };
}

export async function readRecordingTrack(db: SqlRunner, blobs: BlobStore, id: string, track: TrackName, agents: readonly string[]): Promise<Uint8Array> {
  const d = await visible(db, id, agents);
  const total = d.trackBytes[track];
  if (total === undefined) throw new RecordingRefusal('not-found', `Recording ${id} has no ${track} track.`);
  const pieces = await db.query<{ byte_offset: string | number; length: number }>('select byte_offset, length from recording_pieces where id = $1 and track = $2 order by byte_offset', [id, track]);
  const out = new Uint8Array(total);
  for (const piece of pieces) {
    const offset = Number(piece.byte_offset);
    const bytes = await blobs.get(blobKey(id, track, offset));
    if (!bytes || bytes.length !== piece.length) throw new Error(`piece ${offset} of recording ${id} (${track}) is missing from ${blobs.description}`);
    out.set(bytes, offset);
  }
  return out;
}

/**
 * A coaching track kept apart (`coachingStorage: separate`) past its own, shorter retention goes on
 * its own, as it does on the desk: its pieces, and its mention in the recording's detail.
 */
async function pruneCoachingTracks(db: SqlRunner, blobs: BlobStore, now: Date): Promise<number> {
  const rows = await db.query<{ id: string; byte_offset: string | number }>(
    `select r.id, p.byte_offset from recordings r join recording_pieces p on p.id = r.id and p.track = 'supervisor'
     where r.detail->'meta'->>'coachingStorage' = 'separate' and (r.detail->'meta'->>'coachingRetentionDays')::int > 0
       and r.started_at < $1::timestamptz - make_interval(days => (r.detail->'meta'->>'coachingRetentionDays')::int)`,
    [now.toISOString()],
  );
  const ids = [...new Set(rows.map((r) => r.id))];
  for (const r of rows) await blobs.delete(blobKey(r.id, 'supervisor', Number(r.byte_offset)));
  if (ids.length) {
    await db.query(`delete from recording_pieces where id = any($1::text[]) and track = 'supervisor'`, [ids]);
    await db.query(
      `update recordings set detail = jsonb_set(jsonb_set(detail, '{meta,tracks}', (detail->'meta'->'tracks') - 'supervisor'), '{trackBytes}', (detail->'trackBytes') - 'supervisor')
       where id = any($1::text[])`,
      [ids],
    );
  }
  return ids.length;
}

/** Recordings past their own retention (from the policy when they were made; 0 keeps them). */
export async function pruneRecordings(db: SqlRunner, blobs: BlobStore, now: Date): Promise<number> {
  await pruneCoachingTracks(db, blobs, now);
  const rows = await db.query<{ id: string; track: string; byte_offset: string | number }>(
    `select r.id, p.track, p.byte_offset from recordings r left join recording_pieces p on p.id = r.id
     where (r.detail->'meta'->>'retentionDays')::int > 0 and r.started_at < $1::timestamptz - make_interval(days => (r.detail->'meta'->>'retentionDays')::int)`,
    [now.toISOString()],
  );
  const ids = [...new Set(rows.map((r) => r.id))];
  for (const r of rows) if (r.track) await blobs.delete(blobKey(r.id, r.track, Number(r.byte_offset)));
  if (ids.length) {
    await db.query('delete from recording_pieces where id = any($1::text[])', [ids]);
    await db.query('delete from recordings where id = any($1::text[])', [ids]);
  }
  return ids.length;
}
