import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditForwardConfig } from '../../shared/policy/schema';
import { checkLine, verifyChain } from './chain';
import type { AuditEntry, AuditEvent } from './entry';
import { AuditForwarding } from './forwarding';
import { AuditLog } from './log';
import { freePort } from './testing/fixtures';
import { parse5424, splitOctetCounted } from './testing/syslogParse';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasOpenssl) console.log('skipped: audit forwarding over HTTPS: openssl not installed (needed to make a test certificate)');

const ev = (i: number): AuditEvent => ({ actor: 'sip:sup@pbx.test', subject: 'sip:agent@pbx.test', call: `call-${i}`, action: 'join', mode: 'listen', result: 'ok' });
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

async function until(cond: () => boolean, what: string, ceilingMs = 20_000): Promise<void> {
  const end = Date.now() + ceilingMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A syslog receiver that reads each connection to its end, then closes (as rsyslog's imtcp does). */
interface SyslogReceiver {
  port: number;
  entries: AuditEntry[];
  appNames: string[];
  connections: number;
  seqs(): number[];
}

/** An HTTPS receiver answering 200 to each POST. */
interface HttpsReceiver {
  url: string;
  entries: AuditEntry[];
  posts: number;
  seqs(): number[];
}

const tcpServers: TcpServer[] = [];
const sockets: Socket[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of tcpServers.splice(0)) await new Promise((r) => s.close(r));
});

async function syslogReceiver(): Promise<SyslogReceiver> {
  const r: SyslogReceiver = { port: 0, entries: [], appNames: [], connections: 0, seqs: () => r.entries.map((e) => e.seq) };
  const server = createTcpServer({ allowHalfOpen: true }, (sock) => {
    sockets.push(sock);
    r.connections += 1;
    const chunks: Buffer[] = [];
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => {
      for (const m of splitOctetCounted(Buffer.concat(chunks)).messages) {
        const p = parse5424(m);
        const copy = checkLine(p.msg.replace(/^\ufeff/, ''));
        if (!copy.ok) throw new Error(`receiver: bad copy ${copy.detail}`);
        r.entries.push(copy.entry);
        r.appNames.push(p.appName);
      }
      sock.end();
    });
  });
  tcpServers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.port = (server.address() as AddressInfo).port;
  return r;
}

let cert = '';
let key = '';
async function httpsReceiver(): Promise<HttpsReceiver> {
  const r: HttpsReceiver = { url: '', entries: [], posts: 0, seqs: () => r.entries.map((e) => e.seq) };
  const server: HttpsServer = createHttpsServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      r.posts += 1;
      r.entries.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { entries: AuditEntry[] }).entries);
      res.end('ok');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/audit/ingest`;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  });
  return r;
}

beforeAll(async () => {
  if (!hasOpenssl) return;
  const dir = await mkdtemp(join(tmpdir(), 'wl-audit-fwd-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=whisperline audit forwarding test', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  cert = await readFile(join(dir, 'cert.pem'), 'utf8');
  key = await readFile(join(dir, 'key.pem'), 'utf8');
}, 60_000);

/** A profile folder as the app has it: `<userData>/audit/audit.log`, cursors next to it. */
async function profile() {
  const userData = await mkdtemp(join(tmpdir(), 'wl-audit-fwd-'));
  const stateDir = join(userData, 'audit');
  const logPath = join(stateDir, 'audit.log');
  const lines: string[] = [];
  const open = () => {
    const log = new AuditLog(logPath);
    const fwd = new AuditForwarding({ log, stateDir, report: (l) => lines.push(l), forwarder: { pollMs: 50, backoff: { baseMs: 10, capMs: 100 } }, restartMs: 100 });
    cleanups.push(async () => {
      await fwd.close();
      await log.close();
    });
    return { log, fwd };
  };
  return { stateDir, logPath, lines, open };
}

async function append(log: AuditLog, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) await log.append(ev(i));
}

const syslogAt = (r: SyslogReceiver, extra: object = {}): NonNullable<AuditForwardConfig['syslog']> => ({ host: '127.0.0.1', port: r.port, ...extra });

describe('audit forwarding from the org policy', () => {
  it('delivers appended entries to the syslog destination the policy names, as the log holds them', async () => {
    const { logPath, lines, open } = await profile();
    const { log, fwd } = open();
    const syslog = await syslogReceiver();
    await fwd.update({ syslog: syslogAt(syslog, { appName: 'wl-desk' }) });
    await append(log, 1, 3);
    await until(() => syslog.entries.length >= 3, 'three entries at the syslog receiver');
    expect(syslog.seqs()).toEqual([1, 2, 3]);
    expect(syslog.appNames).toEqual(['wl-desk', 'wl-desk', 'wl-desk']);
    // The receiver's copies are the log's entries, byte for byte (same chain).
    expect(verifyChain((await readFile(logPath, 'utf8')).split('\n'))).toMatchObject({ ok: true, entries: syslog.entries });
    await until(() => fwd.statusLines()[0]?.endsWith('forwarded up to entry 3') === true, 'the status line');
    expect(fwd.statusLines()).toEqual([`Audit forwarding to syslog tcp://127.0.0.1:${syslog.port}: forwarded up to entry 3`]);
    expect(lines.filter((l) => /started/.test(l))).toHaveLength(1);
  });

  it.skipIf(!hasOpenssl)('a policy that adds HTTPS starts it from the first entry, leaves syslog running, and removing syslog stops it', async () => {
    const { lines, open } = await profile();
    const { log, fwd } = open();
    const syslog = await syslogReceiver();
    const https = await httpsReceiver();
    await fwd.update({ syslog: syslogAt(syslog) });
    await append(log, 1, 3);
    await until(() => syslog.entries.length >= 3, 'syslog to catch up');

    // The watcher hands over a fresh policy object: equal syslog settings must not restart it.
    await fwd.update({ syslog: syslogAt(syslog), https: { url: https.url, ca: cert } });
    await until(() => https.entries.length >= 3, 'HTTPS to receive the log so far');
    expect(https.seqs()).toEqual([1, 2, 3]);
    await append(log, 4, 4);
    await until(() => https.entries.length >= 4 && syslog.entries.length >= 4, 'entry 4 at both');
    expect(syslog.seqs()).toEqual([1, 2, 3, 4]);
    expect(https.seqs()).toEqual([1, 2, 3, 4]);
    expect(lines.filter((l) => /syslog.*started/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /https.*started/.test(l))).toHaveLength(1);

    await fwd.update({ https: { url: https.url, ca: cert } });
    expect(lines.filter((l) => /syslog.*stopped at entry 4/.test(l))).toHaveLength(1);
    const connections = syslog.connections;
    await append(log, 5, 6);
    await until(() => https.entries.length >= 6, 'HTTPS to receive entries 5 and 6');
    await new Promise((r) => setTimeout(r, 300)); // several poll periods: a leftover forwarder would have sent by now
    expect(syslog.seqs()).toEqual([1, 2, 3, 4]);
    expect(syslog.connections).toBe(connections);
    expect(https.seqs()).toEqual(range(1, 6));
    expect(fwd.statusLines()).toEqual([expect.stringMatching(/^Audit forwarding to https https:\/\/127\.0\.0\.1:\d+\/audit\/ingest: forwarded up to entry 6$/)]);

    await fwd.update(undefined);
    expect(fwd.statusLines()).toEqual([]);
  });

  it.skipIf(!hasOpenssl)('after a restart (new log object, new forwarding, same folder) sends only what is new, to each destination', async () => {
    const { open } = await profile();
    const syslog = await syslogReceiver();
    const https = await httpsReceiver();
    const policy = { syslog: syslogAt(syslog), https: { url: https.url, ca: cert } };
    const first = open();
    await first.fwd.update(policy);
    await append(first.log, 1, 3);
    await until(() => syslog.entries.length >= 3 && https.entries.length >= 3, 'both to catch up');
    await first.fwd.close();
    await append(first.log, 4, 5); // recorded while nothing forwards (the app quitting)
    await first.log.close();

    const second = open();
    await second.fwd.update(structuredClone(policy));
    await append(second.log, 6, 6);
    await until(() => syslog.entries.length >= 6 && https.entries.length >= 6, 'both to receive entries 4 to 6');
    await new Promise((r) => setTimeout(r, 300));
    expect(syslog.seqs()).toEqual(range(1, 6));
    expect(https.seqs()).toEqual(range(1, 6));
  });

  it('a new syslog receiver gets the whole log; settings that do not move the destination keep its place', async () => {
    const { lines, open } = await profile();
    const { log, fwd } = open();
    const a = await syslogReceiver();
    const b = await syslogReceiver();
    await fwd.update({ syslog: syslogAt(a) });
    await append(log, 1, 2);
    await until(() => a.entries.length >= 2, 'receiver A');

    await fwd.update({ syslog: syslogAt(a, { appName: 'renamed' }) });
    await append(log, 3, 3);
    await until(() => a.entries.length >= 3, 'entry 3 at A');
    expect(a.seqs()).toEqual([1, 2, 3]);
    expect(a.appNames).toEqual(['whisperline', 'whisperline', 'renamed']);

    await fwd.update({ syslog: syslogAt(b) });
    await until(() => b.entries.length >= 3, 'receiver B');
    expect(b.seqs()).toEqual([1, 2, 3]);
    // Back to A: it resumes after entry 3.
    await fwd.update({ syslog: syslogAt(a) });
    await append(log, 4, 4);
    await until(() => a.entries.length >= 4, 'entry 4 at A');
    await new Promise((r) => setTimeout(r, 300));
    expect(a.seqs()).toEqual([1, 2, 3, 4]);
    expect(lines.filter((l) => /started/.test(l))).toHaveLength(4);
  });

  it('never throws into the caller: an unreachable receiver is a status line and is retried until it answers', async () => {
    const { lines, open } = await profile();
    const { log, fwd } = open();
    const port = await freePort();
    await expect(fwd.update({ syslog: { host: '127.0.0.1', port } })).resolves.toBeUndefined();
    await append(log, 1, 2);
    await until(() => (fwd.statuses()[0]?.failures ?? 0) >= 3, 'three failed attempts');
    expect(fwd.statusLines()[0]).toMatch(/^Audit forwarding to syslog tcp:\/\/127\.0\.0\.1:\d+: entries after 0 not delivered yet \(\d+ failed attempts, retrying\): .*connection refused/);
    // One line for the first failure, not one per attempt.
    expect(lines.filter((l) => /not delivered yet/.test(l))).toHaveLength(1);

    const server = createTcpServer({ allowHalfOpen: true }, (sock) => {
      sockets.push(sock);
      sock.on('data', () => undefined);
      sock.on('end', () => sock.end());
    });
    tcpServers.push(server);
    await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
    // The recovery is reported once the cursor is saved, a moment after forwardedSeq moves.
    await until(() => /forwarded up to entry 2$/.test(lines.at(-1) ?? ''), 'a line saying delivery works again');
    expect(fwd.statuses()[0]).toMatchObject({ forwardedSeq: 2, failures: 0 });
  });

  it('starts again a forwarder that stopped on an error (a damaged cursor), once the problem is gone', async () => {
    const { stateDir, open } = await profile();
    const { log, fwd } = open();
    const syslog = await syslogReceiver();
    await fwd.update({ syslog: syslogAt(syslog) });
    await append(log, 1, 1);
    await until(() => syslog.entries.length >= 1, 'entry 1');
    await fwd.update(undefined);
    const [cursorName] = (await readdir(stateDir)).filter((n) => /^forward-syslog-[0-9a-f]{16}\.cursor\.json$/.test(n));
    expect(cursorName).toBeDefined();
    await writeFile(join(stateDir, cursorName), '{"seq":');

    await fwd.update({ syslog: syslogAt(syslog) });
    await until(() => /cursor .* is damaged/.test(fwd.statusLines()[0] ?? ''), 'the damaged-cursor status');
    await rm(join(stateDir, cursorName));
    // Deleting the cursor means "send the whole log again" (queue.ts): entry 1 arrives a second time.
    await append(log, 2, 2);
    await until(() => syslog.entries.length >= 3, 'forwarding to resume');
    expect(syslog.seqs()).toEqual([1, 1, 2]);
  });
});
