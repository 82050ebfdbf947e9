import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain, entryLine } from './chain';
import type { AuditEntry } from './entry';
import { HttpsJsonSender } from './https';
import { chainOf } from './testing/fixtures';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasOpenssl) console.log('skipped: "HTTPS audit forwarder": openssl not installed (needed to make a test certificate)');

async function makeCert(dir: string, name: string, san: string): Promise<{ cert: string; key: string }> {
  const keyFile = join(dir, `${name}.key.pem`);
  const certFile = join(dir, `${name}.cert.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=whisperline audit test ${name}`, '-addext', `subjectAltName=${san}`, '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}

describe.skipIf(!hasOpenssl)('HTTPS audit forwarder', () => {
  let cert = '';
  let key = '';
  let otherCert: { cert: string; key: string };
  let server: Server;
  let url = '';
  const batches: Array<{ headers: Record<string, unknown>; body: { source: string; host: string; entries: AuditEntry[] } }> = [];
  let answer = 200;

  beforeAll(async () => {
    // Self-signed certificates made for this run: one for 127.0.0.1, one for another name.
    const dir = await mkdtemp(join(tmpdir(), 'wl-audit-tls-'));
    ({ cert, key } = await makeCert(dir, 'main', 'IP:127.0.0.1'));
    otherCert = await makeCert(dir, 'other', 'DNS:pipeline.example.test');
    server = createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (answer === 200) batches.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(answer, { 'Content-Type': 'text/plain' });
        res.end(answer === 200 ? 'ok' : 'pipeline is\n  busy');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/audit/ingest`;
  }, 60_000);

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('POSTs a batch as JSON to a server whose self-signed certificate is given as the CA', async () => {
    const entries = chainOf();
    await new HttpsJsonSender({ url, ca: cert, hostname: 'desk-12', headers: { Authorization: 'Bearer t0ken' } }).send(entries);
    const { headers, body } = batches.at(-1)!;
    expect(headers['content-type']).toBe('application/json');
    expect(headers.authorization).toBe('Bearer t0ken');
    expect(body).toEqual({ source: 'whisperline', host: 'desk-12', entries });
    // The receiver's copy verifies with the same chain rules.
    expect(verifyChain([...body.entries.map((e) => entryLine(e).trimEnd()), '']).ok).toBe(true);
  });

  it('refuses a server it cannot verify, and says so', async () => {
    await expect(new HttpsJsonSender({ url }).send(chainOf())).rejects.toThrow(/certificate is not trusted/);
    const other = createServer(otherCert, (_req, res) => res.end());
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const otherUrl = `https://127.0.0.1:${(other.address() as AddressInfo).port}/`;
      await expect(new HttpsJsonSender({ url: otherUrl, ca: otherCert.cert }).send(chainOf())).rejects.toThrow(/certificate is for another name/);
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    }
  });

  it('treats any answer but 2xx as not delivered, with the status and a bit of the body', async () => {
    answer = 503;
    try {
      await expect(new HttpsJsonSender({ url, ca: cert }).send(chainOf())).rejects.toThrow(/HTTP 503 \(pipeline is busy\)/);
    } finally {
      answer = 200;
    }
  });

  it('accepts only https:// addresses, and keeps credentials in the URL out of its description', () => {
    expect(() => new HttpsJsonSender({ url: 'http://127.0.0.1:1/x' })).toThrow(/not an https:\/\/ address/);
    expect(new HttpsJsonSender({ url: 'https://user:secret@127.0.0.1:1/in?key=secret' }).description).toBe('https https://127.0.0.1:1/in');
  });
});
