import { request } from 'node:https';
import { hostname as osHostname } from 'node:os';
import type { AuditEntry } from './entry';
import type { AuditSender } from './syslog';
import { describeNetError } from './syslog';

/**
 * Audit entries to an HTTPS endpoint of the org's log pipeline, one POST per batch:
 *
 *   POST <url>   Content-Type: application/json
 *   {"source":"whisperline","host":"<hostname>","entries":[<entry>, ...]}
 *
 * Entries are the log's own objects (seq, at, actor, subject, call, action, mode, durationMs,
 * result, reason, prevHash, hash), so the receiver can re-verify the chain. Any 2xx answer means
 * the batch is delivered; anything else (or no answer in time) is a failure and the batch is sent
 * again later (at-least-once; `seq` and `hash` make repeats recognisable). The server's certificate
 * is always verified: against the system's CAs, or against `ca` (PEM) for an org's private CA.
 */

export interface HttpsForwarderOptions {
  /** https:// only. */
  url: string;
  /** PEM of the CA (or self-signed certificate) that signs the receiver's certificate. */
  ca?: string | Buffer;
  /** Extra headers, e.g. { Authorization: 'Bearer …' }. */
  headers?: Record<string, string>;
  /** Ceiling for one POST, connect to answer. Default 15 s. */
  timeoutMs?: number;
  /** `host` in the body; default the machine's host name. */
  hostname?: string;
}

export class HttpsJsonSender implements AuditSender {
  readonly description: string;
  private readonly url: URL;

  constructor(private readonly opts: HttpsForwarderOptions) {
    this.url = new URL(opts.url);
    if (this.url.protocol !== 'https:') throw new Error(`audit forwarding: ${opts.url} is not an https:// address`);
    // Never log credentials that may sit in the URL.
    this.description = `https ${this.url.origin}${this.url.pathname}`;
  }

  send(entries: readonly AuditEntry[]): Promise<void> {
    const body = Buffer.from(JSON.stringify({ source: 'whisperline', host: this.opts.hostname ?? osHostname(), entries }), 'utf8');
    const timeoutMs = this.opts.timeoutMs ?? 15_000;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve();
      };
      const req = request(this.url, {
        method: 'POST',
        ca: this.opts.ca,
        headers: {
          ...this.opts.headers,
          'Content-Type': 'application/json',
          'Content-Length': String(body.length),
        },
      });
      const timer = setTimeout(() => finish(new Error(`${this.description}: no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 2048) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) finish();
          else {
            const text = Buffer.concat(chunks).toString('utf8').slice(0, 200).replace(/\s+/g, ' ').trim();
            finish(new Error(`${this.description}: HTTP ${status}${text ? ` (${text})` : ''}`));
          }
        });
        res.on('error', (e) => finish(new Error(`${this.description}: ${e.message}`, { cause: e })));
      });
      req.on('error', (e: NodeJS.ErrnoException) => finish(new Error(`${this.description}: ${describeTlsError(e)}`, { cause: e })));
      req.end(body);
    });
  }
}

function describeTlsError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `the server's certificate is not trusted (${e.code}); give the CA that signs it`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the server's certificate is for another name (${e.message})`;
    case 'CERT_HAS_EXPIRED':
      return "the server's certificate has expired";
    default:
      return describeNetError(e);
  }
}
