/**
 * What a call recording is, as the renderer hands it to the host and the player reads it back.
 * Pure: validated with zod on the host side (IPC in main, HTTP in the web build's server).
 *
 * A recording is one folder per call with one mono 16-bit PCM WAV per party (customer, agent,
 * supervisor), all sharing one clock: chunk `seq` covers frames [seq·frames, (seq+1)·frames) of
 * every track, so the tracks are aligned by construction. Chunks arrive about once a second and
 * are written (and fsynced) as they come, so a crash loses at most the last chunk or two.
 */
import { z } from 'zod';

export const trackNames = ['customer', 'agent', 'supervisor'] as const;
export type TrackName = (typeof trackNames)[number];

/** Folder name of one recording; made by the renderer (random), checked so it can never escape the recordings folder. */
export const recordingIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'letters, digits, _ and - (8 to 64)');

export const recordingMetaSchema = z.strictObject({
  id: recordingIdSchema,
  /** The customer call's SIP Call-ID. */
  callId: z.string().min(1).max(1024),
  /** The agent's identity, user@domain. */
  agent: z.string().min(1).max(200),
  /** The customer's number or URI as shown to the agent. */
  remote: z.string().max(200),
  direction: z.enum(['inbound', 'outbound']),
  startedAt: z.iso.datetime({ offset: true }),
  sampleRate: z.number().int().min(8000).max(48000),
  /** Tracks written, in the order their PCM sits in each chunk. */
  tracks: z.array(z.enum(trackNames)).min(1).max(3).refine((t) => new Set(t).size === t.length, 'a track is listed twice'),
  /** Where the supervisor track is kept: in the call's folder, or apart (its own folder, own retention). */
  coachingStorage: z.enum(['with-call', 'separate']),
  /** Days to keep (from the signed policy at the time of the call); 0: until deleted by hand. */
  retentionDays: z.number().int().min(0).max(3650),
  /** Days to keep the supervisor track when it is kept apart; 0: until deleted by hand. */
  coachingRetentionDays: z.number().int().min(0).max(3650),
  /** Agent was shown "this call is recorded". */
  agentNotified: z.boolean(),
});
export type RecordingMeta = z.infer<typeof recordingMetaSchema>;

export const timelineKinds = [
  'recording-started',
  'supervisor-joined',
  'mode-changed',
  'supervisor-left',
  'prompt',
  'talk-back-on',
  'talk-back-off',
  'takeover',
  'recording-paused',
  'recording-resumed',
  'held',
  'resumed',
  'transferred',
  'recording-error',
  'ended',
] as const;
export type TimelineKind = (typeof timelineKinds)[number];

export const timelineEventSchema = z.strictObject({
  /** Milliseconds from the recording's first frame, on the same audio clock as the tracks. */
  atMs: z.number().int().min(0).max(7 * 24 * 3600 * 1000),
  kind: z.enum(timelineKinds),
  /** E.g. the mode ("whisper"), who joined, a prompt's text. */
  detail: z.string().max(500).optional(),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

/** One chunk: `frames` frames of every track in `meta.tracks` order, each as 16-bit little-endian PCM. */
export const maxChunkFrames = 48_000 * 5;
export const chunkSchema = z.strictObject({
  seq: z.number().int().min(0).max(10_000_000),
  frames: z.number().int().min(1).max(maxChunkFrames),
  pcm: z.instanceof(Uint8Array),
});
export type RecordingChunk = z.infer<typeof chunkSchema>;

export const recordingEndSchema = z.strictObject({
  endedAt: z.iso.datetime({ offset: true }),
});

export const commentSchema = z.strictObject({
  atMs: z.number().int().min(0).max(7 * 24 * 3600 * 1000),
  author: z.string().min(1).max(200),
  text: z.string().trim().min(1).max(2000),
});
export type RecordingComment = z.infer<typeof commentSchema> & { createdAt: string };

/** Never throws across the bridge: a failure says why, once, and the call goes on. */
export type RecordingResult = { ok: true } | { ok: false; reason: string };

export interface RecordingTrackInfo {
  name: TrackName;
  /** Frames actually on disk (from the file's size, not a promise in its header). */
  frames: number;
  durationMs: number;
  bytes: number;
}

export interface RecordingSummary {
  meta: RecordingMeta;
  /** Absent when the app stopped before the call ended (a crash): the tracks hold what was written. */
  endedAt: string | null;
  durationMs: number;
  tracks: RecordingTrackInfo[];
  /** The track files are kept despite retention (legal hold from the policy). */
  legalHold: boolean;
}

export interface RecordingDetail extends RecordingSummary {
  timeline: TimelineEvent[];
  comments: RecordingComment[];
  /** Lines that could not be read (a torn last line after a crash): skipped, counted. */
  skippedLines: number;
}
