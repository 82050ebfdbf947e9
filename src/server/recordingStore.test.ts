import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingDetailUpload } from '../shared/org/recordings';
import { FileBlobStore } from './blobStore';
import { openPglite, type SqlDb } from './db';
import { migrate } from './migrations';
import { listRecordings, pruneRecordings, readRecordingTrack, saveRecordingDetail, saveRecordingPiece } from './recordingStore';

const agent = '1001@pbx.test';
const day = 86_400_000;

function detail(id: string, o: { retentionDays: number; coachingRetentionDays: number; startedAt: string }): RecordingDetailUpload {
  return {
    meta: {
      id,
      callId: `call-${id}`,
      agent,
      remote: 'sip:customer@trunk',
      direction: 'inbound',
      startedAt: o.startedAt,
      sampleRate: 16_000,
      tracks: ['customer', 'supervisor'],
      coachingStorage: 'separate',
      retentionDays: o.retentionDays,
      coachingRetentionDays: o.coachingRetentionDays,
      agentNotified: true,
    },
    endedAt: o.startedAt,
    durationMs: 1000,
    timeline: [],
    trackBytes: { customer: 1044, supervisor: 1044 },
  };
}

describe('recordings at the org service: retention from the policy they were made under', () => {
  let db: SqlDb;
  let dir: string;
  let blobs: FileBlobStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wl-org-rec-'));
    blobs = new FileBlobStore(dir);
    db = await openPglite(':memory:');
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const upload = async (d: RecordingDetailUpload) => {
    await db.transaction((tx) => saveRecordingDetail(tx, agent, d));
    for (const track of ['customer', 'supervisor'] as const) {
      await db.transaction((tx) => saveRecordingPiece(tx, blobs, agent, { id: d.meta.id, track, offset: 0, bytes: new Uint8Array(1044).fill(track === 'customer' ? 1 : 2) }));
    }
  };

  it('drops a coaching track kept apart after its own retention, and a whole recording after the call’s', async () => {
    const now = new Date('2026-12-07T12:00:00Z');
    await upload(detail('keep-call-0001', { retentionDays: 90, coachingRetentionDays: 7, startedAt: new Date(now.getTime() - 10 * day).toISOString() }));
    await upload(detail('gone-call-0002', { retentionDays: 30, coachingRetentionDays: 7, startedAt: new Date(now.getTime() - 40 * day).toISOString() }));
    await upload(detail('young-call-003', { retentionDays: 90, coachingRetentionDays: 7, startedAt: new Date(now.getTime() - 1 * day).toISOString() }));

    expect(await pruneRecordings(db, blobs, now)).toBe(1);
    const left = await listRecordings(db, [agent], { limit: 10 });
    expect(left.map((r) => [r.meta.id, r.meta.tracks])).toEqual([
      ['young-call-003', ['customer', 'supervisor']],
      ['keep-call-0001', ['customer']],
    ]);
    // The call's own track is untouched; the coaching track's audio is gone from the store, not just hidden.
    expect((await readRecordingTrack(db, blobs, 'keep-call-0001', 'customer', [agent]))[0]).toBe(1);
    await expect(readRecordingTrack(db, blobs, 'keep-call-0001', 'supervisor', [agent])).rejects.toThrow(/no supervisor track/);
    expect(await readdir(join(dir, 'recordings'))).toEqual(expect.not.arrayContaining(['gone-call-0002']));
    expect(await readdir(join(dir, 'recordings', 'keep-call-0001'))).toEqual(['customer']);
  });
});
