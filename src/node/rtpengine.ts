import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real rtpengine (Sipwise's media relay) on loopback, in userspace (no kernel table), for the
 * Kamailio launcher's `rtpengine` option: it bridges WebRTC (ICE, DTLS-SRTP, AVPF) and plain RTP.
 * Its control socket (the "ng" protocol, bencode over UDP) and its RTP ports are all on 127.0.0.1,
 * in a port range of its own, so several can run side by side. The system's config file
 * (/etc/rtpengine/rtpengine.conf) is never read.
 */
export interface RtpEngine {
  /** The ng control socket: Kamailio's rtpengine module `rtpengine_sock` is `udp:127.0.0.1:<ngPort>`. */
  readonly ngPort: number;
  readonly portMin: number;
  readonly portMax: number;
  /** Everything rtpengine printed. */
  log(): string;
  stop(): Promise<void>;
}

export const rtpengineBinaries = ['/usr/bin/rtpengine', '/usr/sbin/rtpengine', '/usr/local/bin/rtpengine'];

export type RtpEngineInstall = { found: true; binary: string } | { found: false; reason: string };

/** Where rtpengine is (WHISPERLINE_RTPENGINE, else Debian's rtpengine-daemon package). */
export function findRtpEngine(env: NodeJS.ProcessEnv = process.env): RtpEngineInstall {
  const given = env.WHISPERLINE_RTPENGINE?.trim();
  if (given) return existsSync(given) ? { found: true, binary: given } : { found: false, reason: `WHISPERLINE_RTPENGINE=${given} does not exist` };
  const binary = rtpengineBinaries.find((b) => existsSync(b));
  return binary ? { found: true, binary } : { found: false, reason: 'rtpengine is not installed (apt-get install --no-install-recommends rtpengine-daemon)' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A UDP port nobody holds on 127.0.0.1 right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One ng "ping" (bencoded dictionary with a cookie): true when rtpengine answers "pong". */
export function pingRtpEngine(ngPort: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const cookie = `wl${Math.random().toString(36).slice(2, 10)}`;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.on('message', (m) => done(m.toString().startsWith(cookie) && m.toString().includes('pong')));
    s.on('error', () => done(false));
    s.send(`${cookie} d7:command4:pinge`, ngPort, '127.0.0.1');
  });
}

/**
 * A random even RTP range per instance in 20000–29999: below Linux's ephemeral ports (32768+) and
 * the system rtpengine's default range (30000–40000). A port Asterisk's random range already holds
 * is skipped by rtpengine.
 */
function rtpRange(): { portMin: number; portMax: number } {
  const size = 200;
  const portMin = 20_000 + 2 * Math.floor((Math.random() * (10_000 - size)) / 2);
  return { portMin, portMax: portMin + size - 1 };
}

export async function startRtpEngine(options: { logLevel?: number } = {}): Promise<RtpEngine> {
  const install = findRtpEngine();
  if (!install.found) throw new Error(install.reason);
  const dir = await mkdtemp(join(tmpdir(), 'wl-rtpengine-'));
  const ngPort = await freeUdpPort();
  const { portMin, portMax } = rtpRange();
  const args = [
    '--config-file=none',
    '--table=-1',
    '--foreground',
    '--log-stderr',
    '--no-log-timestamps',
    `--log-level=${options.logLevel ?? (Number(process.env.WHISPERLINE_RTPENGINE_LOG_LEVEL) || 6)}`,
    '--interface=127.0.0.1',
    `--listen-ng=127.0.0.1:${ngPort}`,
    `--port-min=${portMin}`,
    `--port-max=${portMax}`,
    `--pidfile=${join(dir, 'rtpengine.pid')}`,
    '--num-threads=2',
    // Towards a browser that offered a=setup:actpass, rtpengine picks its DTLS role when it sees the
    // offer; without this it picked active while the answer (DTLS=passive) told the browser
    // rtpengine was passive: both waited for the other's hello, ICE connected, DTLS never did.
    '--dtls-passive',
    '--delete-delay=0',
    // An idle call (held, or the far side gone) is kept as long as a real one would be.
    '--timeout=600',
    '--silent-timeout=3600',
  ];
  let output = '';
  const proc: ChildProcess = spawn(install.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  const collect = (b: Buffer) => {
    output = (output + b.toString()).slice(-300_000);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  proc.once('error', (e) => {
    output += `\n(spawn failed: ${e.message})`;
  });

  const stop = async () => {
    if (!exited) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  while (!exited && Date.now() < deadline) {
    if (await pingRtpEngine(ngPort)) return { ngPort, portMin, portMax, log: () => output, stop };
    await sleep(100);
  }
  const why = exited ? 'exited during start-up' : `did not answer a ping on udp 127.0.0.1:${ngPort} within 15 s`;
  await stop();
  throw new Error(`rtpengine ${why}:\n${output.slice(-4000)}`);
}
