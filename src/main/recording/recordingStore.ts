import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  chunkSchema,
  commentSchema,
  recordingEndSchema,
  recordingIdSchema,
  recordingMetaSchema,
  timelineEventSchema,
  trackNames,
  type RecordingComment,
  type RecordingDetail,
  type RecordingMeta,
  type RecordingSummary,
  type RecordingTrackInfo,
  type TimelineEvent,
  type TrackName,
} from '../../shared/recording/types';
import { wavHeader, wavHeaderBytes } from '../../shared/recording/wav';
import { appendLine, appendSamples, createFile, fsReason, fsyncDir, isNoSpace, repairTrack, writeDurable, type RecordingFs } from './wavFile';

/**
 * Call recordings on disk, one folder per call:
 *
 *   <root>/calls/<id>/meta.json, <track>.wav (customer, agent, supervisor), timeline.jsonl,
 *                     comments.jsonl, end.json (absent: the app stopped before the call ended)
 *   <root>/coaching/<id>/supervisor.wav + a copy of meta.json, when meta.coachingStorage is
 *                     'separate' (kept on its own retention, even after the call folder is gone)
 *
 * Each chunk is appended to every track, the WAV headers' sizes updated in place and the files
 * fsynced before the promise resolves, so a crash loses at most the chunk being written and every
 * file plays as it is (readers trust the file size over the header; `recover` fixes headers).
 * Nothing here throws for an I/O problem: a failure is a one-line reason, and after a failed write
 * the recording stops (what is on disk stays playable) with that same reason for later chunks.
 */

/** Why a call failed; `RecordingResult`-compatible (the HTTP endpoint maps it to a status). */
export type FailureKind = 'invalid' | 'not-found' | 'conflict' | 'no-space' | 'io';
export type StoreFailure = { ok: false; reason: string; kind: FailureKind };
export type StoreResult = { ok: true } | StoreFailure;

/** Missing chunks filled with silence at most; a chunk further ahead is refused. */
export const maxGapChunks = 600;

export interface RecordingStoreOptions {
  /** File operations (tests inject faults); default node:fs/promises. */
  fs?: RecordingFs;
  /** Recordings kept despite retention (legal hold from the policy). */
  legalHold?: (meta: RecordingMeta) => boolean;
  now?: () => Date;
  /** A recording was finished and is complete on disk (the org upload sends it now). */
  onEnded?: (id: string) => void;
}

export interface RecoverReport {
  /** Track files whose header or torn last frame was fixed. */
  repaired: string[];
  problems: string[];
}

interface Live {
  meta: RecordingMeta;
  paths: string[];
  /** Sample bytes in each track (after the header). */
  dataBytes: number[];
  /** null: opened from disk by a later process; set at its first chunk. */
  nextSeq: number | null;
  failed: StoreFailure | null;
  ended: boolean;
}

const ok: StoreResult = { ok: true };
const fail = (kind: FailureKind, reason: string): StoreFailure => ({ ok: false, kind, reason });
const ioFail = (what: string, e: unknown, path: string): StoreFailure => fail(isNoSpace(e) ? 'no-space' : 'io', `${what}: ${fsReason(e, path)}`);
const issues = (e: z.ZodError) => e.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
const code = (e: unknown) => (e as NodeJS.ErrnoException)?.code;
const trackSchema = z.enum(trackNames);
const storedCommentSchema = commentSchema.extend({ createdAt: z.iso.datetime({ offset: true }) });
const dayMs = 86_400_000;

export class RecordingStore {
  private readonly fs: RecordingFs;
  private readonly live = new Map<string, Live>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private recovering: Promise<void> = Promise.resolve();

  constructor(
    readonly root: string,
    private readonly opts: RecordingStoreOptions = {},
  ) {
    this.fs = opts.fs ?? nodeFs;
  }

  async start(input: unknown): Promise<StoreResult> {
    const parsed = recordingMetaSchema.safeParse(input);
    if (!parsed.success) return fail('invalid', `Recording not started: ${issues(parsed.error)}`);
    const meta = parsed.data;
    const dir = this.callDir(meta.id);
    await this.recovering;
    return this.serial(meta.id, async () => {
      const duplicate = fail('conflict', `Recording not started: a recording with id ${meta.id} already exists`);
      if (this.live.has(meta.id)) return duplicate;
      const made: string[] = [];
      try {
        await this.fs.mkdir(join(this.root, 'calls'), { recursive: true });
        await this.fs.mkdir(dir); // EEXIST: the id is taken (atomic claim)
        made.push(dir);
        const metaJson = `${JSON.stringify(meta, null, 2)}\n`;
        if (meta.coachingStorage === 'separate') {
          await this.fs.mkdir(join(this.root, 'coaching'), { recursive: true });
          await this.fs.mkdir(this.coachingDir(meta.id));
          made.push(this.coachingDir(meta.id));
          await writeDurable(this.fs, join(this.coachingDir(meta.id), 'meta.json'), metaJson);
        }
        await writeDurable(this.fs, join(dir, 'meta.json'), metaJson);
        const paths = meta.tracks.map((t) => this.trackPath(meta, t));
        for (const p of paths) await createFile(this.fs, p, wavHeader(meta.sampleRate, 0));
        for (const d of made) await fsyncDir(this.fs, d);
        await fsyncDir(this.fs, join(this.root, 'calls'));
        if (made.length > 1) await fsyncDir(this.fs, join(this.root, 'coaching'));
        this.live.set(meta.id, { meta, paths, dataBytes: paths.map(() => 0), nextSeq: 0, failed: null, ended: false });
        return ok;
      } catch (e) {
        for (const d of made) await this.fs.rm(d, { recursive: true, force: true }).catch(() => undefined);
        return code(e) === 'EEXIST' ? duplicate : ioFail('Recording not started', e, dir);
      }
    });
  }

  async append(id: string, input: unknown): Promise<StoreResult> {
    const bad = checkId(id, 'Recording chunk refused');
    if (bad) return bad;
    const parsed = chunkSchema.safeParse(input);
    if (!parsed.success) return fail('invalid', `Recording chunk refused: ${issues(parsed.error)}`);
    const { seq, frames, pcm } = parsed.data;
    return this.serial(id, async () => {
      const rec = await this.open(id);
      if (!('meta' in rec)) return rec;
      if (rec.failed) return rec.failed;
      if (rec.ended) return fail('conflict', `Recording chunk refused: recording ${id} has ended`);
      const n = rec.meta.tracks.length;
      if (pcm.length !== frames * 2 * n) {
        return fail('invalid', `Recording chunk refused: ${pcm.length} bytes of PCM, expected ${frames * 2 * n} (${frames} frames × ${n} tracks × 2 bytes)`);
      }
      if (rec.nextSeq === null) {
        const resumed = await this.resume(rec, frames);
        if (resumed) return resumed;
      }
      const next = rec.nextSeq!;
      if (seq < next) return ok; // already written (a retried POST)
      const gap = seq - next;
      if (gap > maxGapChunks) {
        return fail('invalid', `Recording chunk refused: chunk ${seq} is ${gap} chunks past the next expected (${next}); at most ${maxGapChunks} missing chunks are filled with silence`);
      }
      const before = [...rec.dataBytes];
      for (let i = 0; i < n; i++) {
        const data = pcm.subarray(i * frames * 2, (i + 1) * frames * 2);
        try {
          await appendSamples(this.fs, rec.paths[i], rec.meta.sampleRate, rec.dataBytes[i], gap * frames * 2, data);
          rec.dataBytes[i] += gap * frames * 2 + data.length;
        } catch (e) {
          rec.failed = ioFail('Recording stopped', e, rec.paths[i]);
          // Best effort: every track back to where this chunk began (still aligned, still playable).
          for (let j = 0; j <= i; j++) await repairTrack(this.fs, rec.paths[j], rec.meta.sampleRate, before[j]).catch(() => undefined);
          rec.dataBytes = before;
          return rec.failed;
        }
      }
      rec.nextSeq = seq + 1;
      return ok;
    });
  }

  async event(id: string, input: unknown): Promise<StoreResult> {
    const bad = checkId(id, 'Timeline event not saved');
    if (bad) return bad;
    const parsed = timelineEventSchema.safeParse(input);
    if (!parsed.success) return fail('invalid', `Timeline event not saved: ${issues(parsed.error)}`);
    return this.appendJson(id, 'timeline.jsonl', parsed.data, 'Timeline event not saved');
  }

  async comment(id: string, input: unknown): Promise<StoreResult> {
    const bad = checkId(id, 'Comment not saved');
    if (bad) return bad;
    const parsed = commentSchema.safeParse(input);
    if (!parsed.success) return fail('invalid', `Comment not saved: ${issues(parsed.error)}`);
    const comment: RecordingComment = { ...parsed.data, createdAt: this.now().toISOString() };
    return this.appendJson(id, 'comments.jsonl', comment, 'Comment not saved');
  }

  async end(id: string, input: unknown): Promise<StoreResult> {
    const bad = checkId(id, 'Recording end not saved');
    if (bad) return bad;
    const parsed = recordingEndSchema.safeParse(input);
    if (!parsed.success) return fail('invalid', `Recording end not saved: ${issues(parsed.error)}`);
    return this.serial(id, async () => {
      const rec = await this.open(id);
      if (!('meta' in rec)) return rec;
      if (rec.ended) return ok; // a retried POST: the first end stands
      const path = join(this.callDir(id), 'end.json');
      try {
        await writeDurable(this.fs, path, `${JSON.stringify({ endedAt: parsed.data.endedAt })}\n`);
      } catch (e) {
        return ioFail('Recording end not saved', e, path);
      }
      rec.ended = true;
      this.opts.onEnded?.(id);
      return ok;
    });
  }

  /** Every readable recording, newest first; a folder whose meta.json is damaged is left out. */
  async list(): Promise<RecordingSummary[]> {
    const out: RecordingSummary[] = [];
    for (const id of await this.ids('calls')) {
      const s = await this.summary(id).catch(() => null);
      if (s) out.push(s);
    }
    return out.sort((a, b) => Date.parse(b.meta.startedAt) - Date.parse(a.meta.startedAt));
  }

  async read(id: string): Promise<RecordingDetail | null> {
    if (checkId(id, '')) return null;
    try {
      const summary = await this.summary(id);
      if (!summary) return null;
      const timeline = await this.readLines(join(this.callDir(id), 'timeline.jsonl'), timelineEventSchema);
      const comments = await this.readLines(join(this.callDir(id), 'comments.jsonl'), storedCommentSchema);
      return { ...summary, timeline: timeline.items as TimelineEvent[], comments: comments.items as RecordingComment[], skippedLines: timeline.skipped + comments.skipped };
    } catch {
      return null;
    }
  }

  /** A track's WAV with its header set to the samples actually present (so a crashed one plays). */
  async trackFile(id: string, track: string): Promise<Uint8Array | null> {
    if (checkId(id, '') || !trackSchema.safeParse(track).success) return null;
    const meta = await this.readMeta(this.callDir(id));
    if (!meta || !meta.tracks.includes(track as TrackName)) return null;
    let bytes: Uint8Array;
    try {
      bytes = await this.fs.readFile(this.trackPath(meta, track as TrackName));
    } catch {
      return null;
    }
    const present = Math.max(0, bytes.length - wavHeaderBytes);
    const dataBytes = present - (present % 2);
    const out = new Uint8Array(wavHeaderBytes + dataBytes);
    out.set(wavHeader(meta.sampleRate, dataBytes), 0);
    out.set(bytes.subarray(wavHeaderBytes, wavHeaderBytes + dataBytes), wavHeaderBytes);
    return out;
  }

  /** At startup: every track's header set to its real size, a torn half-frame cut. */
  recover(): Promise<RecoverReport> {
    const run = this.repairAll();
    // A recording started meanwhile waits: the repair must not read or rewrite a file being made.
    this.recovering = run.then(() => undefined, () => undefined);
    return run;
  }

  private async repairAll(): Promise<RecoverReport> {
    const report: RecoverReport = { repaired: [], problems: [] };
    for (const id of await this.ids('calls')) {
      const rec = this.live.get(id);
      if (rec && !rec.ended) continue; // being written by this process
      const meta = await this.readMeta(this.callDir(id));
      if (!meta) {
        report.problems.push(`${this.callDir(id)}: meta.json is missing or damaged`);
        continue;
      }
      for (const t of meta.tracks) {
        const path = this.trackPath(meta, t);
        try {
          const { changed } = await repairTrack(this.fs, path, meta.sampleRate);
          if (changed) report.repaired.push(path);
        } catch (e) {
          if (code(e) === 'ENOENT' && t === 'supervisor' && meta.coachingStorage === 'separate') continue; // swept
          report.problems.push(fsReason(e, path));
        }
      }
    }
    return report;
  }

  /** Deletes recordings past their retention (never one under legal hold); returns their ids. */
  async sweep(now: Date): Promise<string[]> {
    const deleted = new Set<string>();
    const due = (meta: RecordingMeta, days: number) => days > 0 && now.getTime() - Date.parse(meta.startedAt) > days * dayMs;
    const pass = async (kind: 'calls' | 'coaching', days: (m: RecordingMeta) => number) => {
      for (const id of await this.ids(kind)) {
        const rec = this.live.get(id);
        if (rec && !rec.ended) continue;
        const dir = join(this.root, kind, id);
        const meta = (await this.readMeta(dir)) ?? (kind === 'coaching' ? await this.readMeta(this.callDir(id)) : null);
        if (!meta || !due(meta, days(meta)) || this.held(meta)) continue;
        try {
          await this.fs.rm(dir, { recursive: true, force: true });
          deleted.add(id);
          this.live.delete(id);
        } catch {
          // still there: tried again at the next sweep
        }
      }
    };
    await pass('calls', (m) => m.retentionDays);
    await pass('coaching', (m) => (m.coachingStorage === 'separate' ? m.coachingRetentionDays : 0));
    return [...deleted];
  }

  // ---

  private callDir(id: string): string {
    return join(this.root, 'calls', id);
  }

  private coachingDir(id: string): string {
    return join(this.root, 'coaching', id);
  }

  private trackPath(meta: RecordingMeta, track: TrackName): string {
    if (track === 'supervisor' && meta.coachingStorage === 'separate') return join(this.coachingDir(meta.id), 'supervisor.wav');
    return join(this.callDir(meta.id), `${track}.wav`);
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private held(meta: RecordingMeta): boolean {
    try {
      return this.opts.legalHold?.(meta) ?? false;
    } catch {
      return true; // unsure: keep it
    }
  }

  /** One operation at a time per recording, in call order. */
  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(id) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => this.queues.get(id) === tail && this.queues.delete(id));
    return run;
  }

  private async open(id: string): Promise<Live | StoreFailure> {
    const have = this.live.get(id);
    if (have) return have;
    const meta = await this.readMeta(this.callDir(id));
    if (!meta || meta.id !== id) return fail('not-found', `No recording ${id}`);
    const ended = await this.fs.stat(join(this.callDir(id), 'end.json')).then(() => true, () => false);
    const rec: Live = { meta, paths: meta.tracks.map((t) => this.trackPath(meta, t)), dataBytes: [], nextSeq: null, failed: null, ended };
    this.live.set(id, rec);
    return rec;
  }

  /**
   * Continues a recording started by an earlier process (e.g. the web server restarted mid-call):
   * every track cut to the whole chunks all of them hold, and the next seq derived from that.
   */
  private async resume(rec: Live, frames: number): Promise<StoreFailure | null> {
    let i = 0;
    try {
      const sizes: number[] = [];
      for (; i < rec.paths.length; i++) sizes.push((await repairTrack(this.fs, rec.paths[i], rec.meta.sampleRate)).dataBytes);
      rec.nextSeq = Math.floor(Math.min(...sizes) / 2 / frames);
      const keep = rec.nextSeq * frames * 2;
      for (i = 0; i < rec.paths.length; i++) await repairTrack(this.fs, rec.paths[i], rec.meta.sampleRate, keep);
      rec.dataBytes = rec.paths.map(() => keep);
      return null;
    } catch (e) {
      rec.failed = ioFail('Recording stopped', e, rec.paths[i] ?? this.callDir(rec.meta.id));
      return rec.failed;
    }
  }

  private async appendJson(id: string, file: string, value: unknown, what: string): Promise<StoreResult> {
    return this.serial(id, async () => {
      if (!this.live.has(id) && !(await this.readMeta(this.callDir(id)))) return fail('not-found', `${what}: no recording ${id}`);
      const path = join(this.callDir(id), file);
      try {
        await appendLine(this.fs, path, JSON.stringify(value));
        return ok;
      } catch (e) {
        return ioFail(what, e, path);
      }
    });
  }

  private async readMeta(dir: string): Promise<RecordingMeta | null> {
    try {
      const parsed = recordingMetaSchema.safeParse(JSON.parse(await this.fs.readFile(join(dir, 'meta.json'), 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private async ids(kind: 'calls' | 'coaching'): Promise<string[]> {
    try {
      return (await this.fs.readdir(join(this.root, kind))).filter((n) => recordingIdSchema.safeParse(n).success);
    } catch {
      return [];
    }
  }

  private async summary(id: string): Promise<RecordingSummary | null> {
    const meta = await this.readMeta(this.callDir(id));
    if (!meta || meta.id !== id) return null;
    const tracks: RecordingTrackInfo[] = [];
    for (const name of meta.tracks) {
      const size = await this.fs.stat(this.trackPath(meta, name)).then((s) => s.size, () => null);
      if (size === null) continue; // a separate coaching track already swept
      const frames = Math.max(0, Math.floor((size - wavHeaderBytes) / 2));
      tracks.push({ name, frames, durationMs: Math.round((frames * 1000) / meta.sampleRate), bytes: wavHeaderBytes + frames * 2 });
    }
    let endedAt: string | null = null;
    try {
      const end = recordingEndSchema.safeParse(JSON.parse(await this.fs.readFile(join(this.callDir(id), 'end.json'), 'utf8')));
      if (end.success) endedAt = end.data.endedAt;
    } catch {
      // absent or torn: the app stopped before the call ended
    }
    const durationMs = tracks.reduce((m, t) => Math.max(m, t.durationMs), 0);
    return { meta, endedAt, durationMs, tracks, legalHold: this.held(meta) };
  }

  private async readLines(path: string, schema: z.ZodType): Promise<{ items: unknown[]; skipped: number }> {
    let text: string;
    try {
      text = await this.fs.readFile(path, 'utf8');
    } catch {
      return { items: [], skipped: 0 };
    }
    const items: unknown[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const parsed = schema.safeParse(JSON.parse(line));
        if (parsed.success) items.push(parsed.data);
        else skipped++;
      } catch {
        skipped++;
      }
    }
    return { items, skipped };
  }
}

function checkId(id: unknown, what: string): StoreFailure | null {
  const parsed = recordingIdSchema.safeParse(id);
  return parsed.success ? null : fail('invalid', `${what}: bad recording id (${issues(parsed.error)})`);
}
