/**
 * Recordings sent to the org service (where the policy's `orgService.recordings` says), so QA can
 * review another desk's calls. A recording goes up once it has ended: its summary and timeline
 * first, then each track's WAV in pieces that fit a request. Pieces are keyed by their offset, so
 * one sent again after a lost answer is stored once; a recording is listed once every piece is in.
 */
import { z } from 'zod';
import { recordingIdSchema, recordingMetaSchema, timelineEventSchema, trackNames } from '../recording/types';

/** Raw bytes per piece: with base64 and the envelope, a request stays well under maxRequestBytes. */
export const recordingPieceBytes = 600 * 1024;
/** A track of a day-long call at 48 kHz is about 8 GB; anything beyond is not a recording. */
const maxTrackBytes = 2 ** 33;

export const recordingDetailUploadSchema = z
  .object({
    meta: recordingMetaSchema,
    endedAt: z.iso.datetime({ offset: true }),
    durationMs: z.number().int().min(0).max(7 * 24 * 3600_000),
    timeline: z.array(timelineEventSchema).max(20_000),
    /** Bytes of each track's complete WAV. */
    trackBytes: z.partialRecord(z.enum(trackNames), z.number().int().min(44).max(maxTrackBytes)),
  })
  .strict();
export type RecordingDetailUpload = z.infer<typeof recordingDetailUploadSchema>;

export const recordingUploadSchema = z.discriminatedUnion('part', [
  z.object({ part: z.literal('detail'), detail: recordingDetailUploadSchema }).strict(),
  z
    .object({
      part: z.literal('piece'),
      id: recordingIdSchema,
      track: z.enum(trackNames),
      offset: z.number().int().min(0).max(maxTrackBytes),
      /** Standard base64 of at most recordingPieceBytes. */
      data: z.string().max(Math.ceil(recordingPieceBytes / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/),
    })
    .strict(),
]);
export type RecordingUpload = z.infer<typeof recordingUploadSchema>;

export const recordingsQuerySchema = z
  .object({
    agent: z.string().trim().toLowerCase().max(200).optional(),
    callId: z.string().min(1).max(1024).optional(),
    limit: z.number().int().min(1).max(500).default(200),
  })
  .strict();
export type RecordingsQuery = z.input<typeof recordingsQuerySchema>;

export const recordingReadSchema = z.object({ id: recordingIdSchema, track: z.enum(trackNames).optional() }).strict();
export type RecordingRead = z.input<typeof recordingReadSchema>;
