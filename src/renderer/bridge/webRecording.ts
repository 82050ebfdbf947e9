import type { WhisperlineBridge } from '../../shared/bridge';
import type { RecordingResult } from '../../shared/recording/types';

type RecordingBridge = Pick<
  WhisperlineBridge,
  'recordingStart' | 'recordingAppend' | 'recordingEvent' | 'recordingEnd' | 'listRecordings' | 'readRecording' | 'readRecordingTrack' | 'addRecordingComment'
>;

/**
 * The web build's recordings: a page cannot write files, so chunks go to the server that serves the
 * app (`recordings/` beside index.html; in the demo and the tests, src/node/recordingEndpoint.ts,
 * which writes them with the desktop's own store). A server without that endpoint answers 404:
 * then recording fails with a clear reason and the call goes on.
 */
export function createWebRecording(base = new URL('recordings/', globalThis.location?.href ?? 'http://127.0.0.1/')): RecordingBridge {
  const url = (path: string) => new URL(path, base).href;
  const answer = async (res: Response): Promise<RecordingResult> => {
    if (res.status === 404 && !(res.headers.get('content-type') ?? '').includes('json')) return { ok: false, reason: 'this server does not store recordings' };
    const body = (await res.json().catch(() => null)) as RecordingResult | null;
    if (body && typeof body === 'object' && 'ok' in body) return body;
    return { ok: false, reason: `the recording server answered ${res.status}` };
  };
  const post = async (path: string, body: BodyInit, type = 'application/json'): Promise<RecordingResult> => {
    try {
      return await answer(await fetch(url(path), { method: 'POST', body, headers: { 'content-type': type } }));
    } catch (e) {
      return { ok: false, reason: `the recording server cannot be reached (${(e as Error).message})` };
    }
  };
  const json = (v: unknown) => JSON.stringify(v);
  const id = encodeURIComponent;
  return {
    recordingStart: (meta) => post(`${id(meta.id)}/start`, json(meta)),
    async recordingAppend(rid, chunk) {
      // One retry: the server ignores a chunk it already has, so a repeat after a lost answer is safe.
      const send = () => post(`${id(rid)}/chunk?seq=${chunk.seq}&frames=${chunk.frames}`, chunk.pcm.slice().buffer, 'application/octet-stream');
      const first = await send();
      return first.ok || !first.reason.includes('cannot be reached') ? first : send();
    },
    recordingEvent: (rid, ev) => post(`${id(rid)}/event`, json(ev)),
    recordingEnd: (rid, end) => post(`${id(rid)}/end`, json(end)),
    addRecordingComment: (rid, c) => post(`${id(rid)}/comment`, json(c)),
    async listRecordings() {
      const res = await fetch(url('')).catch(() => null);
      return res?.ok ? res.json() : [];
    },
    async readRecording(rid) {
      const res = await fetch(url(id(rid))).catch(() => null);
      return res?.ok ? res.json() : null;
    },
    async readRecordingTrack(rid, track) {
      const res = await fetch(url(`${id(rid)}/${track}.wav`)).catch(() => null);
      return res?.ok ? new Uint8Array(await res.arrayBuffer()) : null;
    },
  };
}
