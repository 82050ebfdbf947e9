// Audit forwarding against a real syslog daemon: Debian's rsyslog, run as a child process with
// its own configuration (TCP input on a free loopback port, output to a temp file; no system
// sockets, no kernel log). Skipped, and said so, where rsyslogd is not installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLine, verifyChain } from './chain';
import type { AuditEntry } from './entry';
import { AuditLog } from './log';
import { AuditForwarder } from './queue';
import { SyslogTcpSender } from './syslog';
import { freePort, sampleEvents } from './testing/fixtures';
import { parseStructuredData } from './testing/syslogParse';

function findRsyslogd(): string | null {
  if (existsSync('/usr/sbin/rsyslogd')) return '/usr/sbin/rsyslogd';
  const r = spawnSync('sh', ['-c', 'command -v rsyslogd'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

const rsyslogd = findRsyslogd();
const suiteName = 'audit forwarding to a real rsyslog daemon (RFC 5424 over TCP, octet counting)';
if (!rsyslogd) console.log(`skipped: "${suiteName}": rsyslogd not installed`);

/** Polls `cond` every 100 ms; fails after `ceilingMs` (a busy machine is slow, not wrong). */
async function until<T>(cond: () => Promise<T | false> | T | false, what: string, ceilingMs = 30_000): Promise<T> {
  const end = Date.now() + ceilingMs;
  for (;;) {
    const v = await cond();
    if (v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ceilingMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}


const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
  });

/** One rsyslogd, started and stopped by the test. */
class Rsyslog {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private output = '';
  readonly conf: string;
  readonly outFile: string;

  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.conf = join(dir, 'rsyslog.conf');
    this.outFile = join(dir, 'received.log');
  }

  async start(): Promise<void> {
    await mkdir(join(this.dir, 'work'), { recursive: true });
    // Only imtcp is loaded: no imuxsock (/dev/log) and no imklog. Every field rsyslog parsed out of
    // the message goes to the file, separated by '|'.
    await writeFile(
      this.conf,
      [
        `global(workDirectory="${join(this.dir, 'work')}" net.enableDNS="off")`,
        'module(load="imtcp")',
        'template(name="fields" type="string" string="%pri%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%\\n")',
        'ruleset(name="audit") {',
        `  action(type="omfile" file="${this.outFile}" template="fields")`,
        '}',
        `input(type="imtcp" address="127.0.0.1" port="${this.port}" ruleset="audit")`,
        '',
      ].join('\n'),
    );
    const child = spawn(rsyslogd!, ['-n', '-f', this.conf, '-i', join(this.dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    this.exited = new Promise((r) => child.on('exit', () => r()));
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`rsyslogd exited (${child.exitCode}): ${this.output}`);
      return (await accepts(this.port)) || false;
    }, `rsyslogd to listen on 127.0.0.1:${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(killer);
    this.child = null;
  }

  /** What rsyslog wrote: one parsed record per line. */
  async received(): Promise<Array<{ pri: number; host: string; app: string; msgId: string; params: Record<string, string>; copy: string }>> {
    let text: string;
    try {
      text = await readFile(this.outFile, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((line) => {
        const f = line.split('|');
        const rest = f.slice(6).join('|');
        const { sd, end } = parseStructuredData(rest);
        expect(rest[end]).toBe('|');
        return { pri: Number(f[0]), host: f[2], app: f[3], msgId: f[5], params: sd[0]?.params ?? {}, copy: rest.slice(end + 1).replace(/^\ufeff/, '') };
      });
  }
}

describe.skipIf(!rsyslogd)(rsyslogd ? suiteName : `${suiteName} — skipped: rsyslogd not installed`, () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  }, 60_000);

  it('delivers every entry with its fields; holds entries while rsyslog is down (and across our restart); delivers them once it is back, no duplicates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wl-audit-rsyslog-'));
    const daemon = new Rsyslog(dir, await freePort());
    cleanup.push(() => daemon.stop());
    await daemon.start();

    const logPath = join(dir, 'audit.jsonl');
    const cursorPath = join(dir, 'syslog.cursor.json');
    const log = new AuditLog(logPath);
    cleanup.push(() => log.close());
    const sender = new SyslogTcpSender({ host: '127.0.0.1', port: daemon.port, hostname: 'desk-12', timeoutMs: 20_000 });
    const opts = { logPath, cursorPath, sender, log, pollMs: 200, backoff: { baseMs: 100, capMs: 1000 } };
    let fwd = new AuditForwarder(opts);
    cleanup.push(() => fwd.stop());
    fwd.start();

    // 1. Online: the sample entries arrive with every field intact.
    const written: AuditEntry[] = [];
    for (const e of sampleEvents) written.push(await log.append(e));
    await fwd.whenForwarded(written.length);
    const first = await until(async () => {
      const r = await daemon.received();
      return r.length >= written.length && r;
    }, `${written.length} messages in rsyslog's file`);
    expect(first).toHaveLength(written.length);
    first.forEach((m, i) => {
      const e = written[i];
      expect(m.params).toEqual(Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)])));
      expect(m).toMatchObject({ host: 'desk-12', app: 'whisperline', msgId: e.action, pri: 13 * 8 + (e.result === 'ok' ? 5 : 4) });
      const copy = checkLine(m.copy);
      expect(copy.ok && copy.entry).toEqual(e);
    });

    // 2. rsyslog goes down: new entries wait in the log; the forwarder keeps trying.
    await daemon.stop();
    for (let i = 0; i < 4; i++) written.push(await log.append({ ...sampleEvents[1], call: `offline-${i}` }));
    await until(() => fwd.status().failures >= 2 || false, 'two failed sends while rsyslog is down');
    expect(fwd.status()).toMatchObject({ forwardedSeq: 6 });
    expect(fwd.status().lastError).toMatch(/connection refused/);

    // ... and our side restarts while it is down (same log and cursor files).
    await fwd.stop();
    fwd = new AuditForwarder(opts);
    fwd.start();
    written.push(await log.append({ ...sampleEvents[3], call: 'offline-last' }));
    await until(() => fwd.status().failures >= 1 || false, 'a failed send after our restart');
    expect((await daemon.received()).length).toBe(6);

    // 3. rsyslog is back: everything held arrives, once, in order.
    await daemon.start();
    await fwd.whenForwarded(written.length);
    const all = await until(async () => {
      const r = await daemon.received();
      return r.length >= written.length && r;
    }, `${written.length} messages in rsyslog's file`);
    // Give a duplicate every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 500));
    const final = await daemon.received();
    expect(final.map((m) => Number(m.params.seq))).toEqual(written.map((e) => e.seq));
    expect(all.length).toBe(written.length);
    // The copies rsyslog holds are a complete, verifiable chain.
    expect(verifyChain([...final.map((m) => m.copy), ''])).toMatchObject({ ok: true, entries: written });
  }, 240_000);
});
