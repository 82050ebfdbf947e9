import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordingStore } from '../main/recording/recordingStore';
import { maxChunkFrames, recordingIdSchema, trackNames } from '../shared/recording/types';

// The web build's recordings: a page cannot write files, so the server that serves it stores them
// with the desktop's own RecordingStore. For the demo and the tests on loopback: no authentication
// (a deployment would put this behind the org's sign-in).

const maxJsonBytes = 64 * 1024;
const maxChunkBytes = maxChunkFrames * 2 * trackNames.length;

class TooLarge extends Error {}

async function body(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new TooLarge();
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > limit) throw new TooLarge();
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

function send(res: ServerResponse, status: number, value: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(type === 'application/json' ? JSON.stringify(value) : (value as Uint8Array));
}

type Result = { ok: true } | { ok: false; reason: string; kind?: string };
const statusOf = (r: Result) => (r.ok ? 200 : r.kind === 'no-space' ? 507 : r.kind === 'not-found' ? 404 : r.kind === 'conflict' ? 409 : r.kind === 'io' ? 500 : 400);

/** `/recordings/…` on the static server; false for any other path. */
export function recordingRoutes(store: RecordingStore): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/recordings\/(?:([^/]+)(?:\/([a-z]+(?:\.wav)?))?)?$/.exec(url.pathname);
    if (!m) return false;
    const [, rawId, action] = m;
    try {
      if (!rawId) {
        if (req.method !== 'GET') return send(res, 405, { ok: false, reason: 'GET only' }), true;
        send(res, 200, await store.list());
        return true;
      }
      const id = decodeURIComponent(rawId);
      if (!recordingIdSchema.safeParse(id).success) return send(res, 400, { ok: false, reason: 'not a recording id' }), true;
      if (req.method === 'GET') {
        if (!action) {
          const d = await store.read(id);
          send(res, d ? 200 : 404, d ?? { ok: false, reason: 'no such recording' });
        } else {
          const track = action.replace(/\.wav$/, '');
          const bytes = (trackNames as readonly string[]).includes(track) ? await store.trackFile(id, track) : null;
          if (bytes) send(res, 200, bytes, 'audio/wav');
          else send(res, 404, { ok: false, reason: 'no such track' });
        }
        return true;
      }
      if (req.method !== 'POST') return send(res, 405, { ok: false, reason: 'GET or POST' }), true;
      let r: Result;
      if (action === 'chunk') {
        const pcm = new Uint8Array(await body(req, maxChunkBytes));
        r = await store.append(id, { seq: Number(url.searchParams.get('seq')), frames: Number(url.searchParams.get('frames')), pcm });
      } else {
        let value: unknown;
        try {
          value = JSON.parse((await body(req, maxJsonBytes)).toString('utf8'));
        } catch (e) {
          if (e instanceof TooLarge) throw e;
          return send(res, 400, { ok: false, reason: `not valid JSON (${(e as Error).message})` }), true;
        }
        if (action === 'start') r = await store.start(value);
        else if (action === 'event') r = await store.event(id, value);
        else if (action === 'end') r = await store.end(id, value);
        else if (action === 'comment') r = await store.comment(id, value);
        else return send(res, 404, { ok: false, reason: 'unknown action' }), true;
      }
      send(res, statusOf(r), r.ok ? { ok: true } : { ok: false, reason: r.reason });
    } catch (e) {
      if (e instanceof TooLarge) send(res, 413, { ok: false, reason: 'too large' });
      else send(res, 500, { ok: false, reason: (e as Error).message });
    }
    return true;
  };
}
