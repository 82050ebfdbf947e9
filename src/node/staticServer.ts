import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.wav': 'audio/wav' };

/** Dynamic JSON answers by path, e.g. the demo's first-run account at /provision.json. */
export type JsonRoutes = Record<string, (query: URLSearchParams) => unknown>;

/** Serves the built web renderer on 127.0.0.1 (a secure context, so getUserMedia works). */
/** Dynamic plain-text answers by path (undefined: not found). */
export type TextRoutes = Record<string, () => string | undefined>;

export async function serveStatic(root: string, opts: { port?: number; json?: JsonRoutes; text?: TextRoutes; handle?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean> } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    // Dynamic handlers first (the web build's recordings, src/node/recordingEndpoint.ts).
    if (opts.handle && (await opts.handle(req, res))) return;
    const url = new URL(req.url ?? '/', 'http://x');
    const route = opts.json?.[url.pathname];
    const answer = route?.(url.searchParams);
    if (answer !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(answer));
      return;
    }
    const text = opts.text?.[url.pathname]?.();
    if (text !== undefined) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(text);
      return;
    }
    const path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}
