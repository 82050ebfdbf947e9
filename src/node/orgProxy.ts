import { request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * `/org/…` on the server that hosts the web build, passed on to the org service: the page's
 * Content-Security-Policy lets it connect to its own origin only, so the web build reaches the org
 * service here (IT does the same with a reverse-proxy location; README → Org service). `target`
 * says where the service is now (the policy's orgService.url); null answers 503.
 */
export function orgProxyRoutes(target: () => string | null | undefined): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = req.url ?? '/';
    if (!path.startsWith('/org/')) return false;
    const base = target();
    if (!base) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, code: 'unavailable', reason: 'No org service is configured on this server.' }));
      return true;
    }
    const url = new URL(path.slice('/org/'.length), base.endsWith('/') ? base : `${base}/`);
    await new Promise<void>((resolve) => {
      const upstream = request(url, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json', ...(req.headers['content-length'] ? { 'content-length': req.headers['content-length'] } : {}) } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json', 'cache-control': 'no-store' });
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', () => resolve());
      });
      upstream.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, code: 'unreachable', reason: `The org service behind this server cannot be reached (${e.message}).` }));
        resolve();
      });
      req.pipe(upstream);
    });
    return true;
  };
}
