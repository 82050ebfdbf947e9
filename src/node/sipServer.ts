import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { access, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRtpEngine, freeUdpPort, type RtpEngine } from './rtpengine';

/**
 * A real Kamailio (registrar + proxy, SIP over WebSocket) on a loopback port, for tests and the
 * demo. Each instance gets its own port and config directory, so several can run at once.
 */
export interface SipServerOptions {
  accounts: Record<string, string>;
  domain?: string;
  port?: number;
  debugLevel?: number;
  /** SIP over secure WebSocket (wss://) with a throwaway self-signed certificate, instead of ws://. */
  tls?: boolean;
  /**
   * Also listen on plain SIP/UDP (127.0.0.1, a free port: `sipUdpPort`) for trunk-style clients
   * sending plain RTP G.711, and bridge the media of calls between them and WebSocket (WebRTC)
   * clients through a real rtpengine started beside Kamailio (src/node/rtpengine.ts). Calls between
   * two WebSocket clients stay peer to peer. Default false: Kamailio exactly as without it.
   */
  rtpengine?: boolean;
}

export interface SipServer {
  readonly port: number;
  readonly domain: string;
  readonly wsUrl: string;
  /**
   * With `tls`: base64 SHA-256 of the certificate's public key, for Chromium's
   * --ignore-certificate-errors-spki-list (trusts this one key, not every certificate).
   */
  readonly tlsSpki: string | null;
  /**
   * Plain SIP over UDP on 127.0.0.1 (a trunk-style client such as baresip sends plain RTP G.711),
   * where the server has been started with it; undefined otherwise.
   */
  readonly sipUdpPort?: number;
  /** Everything Kamailio printed, for test failure messages. */
  log(): string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const templatePath = join(here, '../../resources/kamailio/kamailio.cfg.tpl');
const moduleDirs = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules'];

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function kamailioString(value: string): string {
  if (!/^[\w.@+-]*$/.test(value)) throw new Error(`Unsupported character in SIP test account value: ${value}`);
  return value;
}

type RenderOptions = Required<Omit<SipServerOptions, 'port' | 'tls' | 'rtpengine'>> & {
  port: number;
  puaPort: number;
  dbDir: string;
  tlsConfig?: string;
  /** Plain SIP/UDP port and rtpengine's ng control port (the `rtpengine` option). */
  media?: { udpPort: number; ngPort: number };
};

export async function renderConfig(opts: RenderOptions): Promise<string> {
  const template = await readFile(templatePath, 'utf8');
  const accounts = Object.entries(opts.accounts)
    .map(([user, pass]) => `\t$sht(accounts=>${kamailioString(user)}) = "${kamailioString(pass)}";`)
    .join('\n');
  const listen = opts.tlsConfig ? `enable_tls=yes\nlisten=tls:127.0.0.1:${opts.port}` : `listen=tcp:127.0.0.1:${opts.port}`;
  const tlsModule = opts.tlsConfig ? `loadmodule "tls.so"\nmodparam("tls", "config", "${opts.tlsConfig}")` : '';
  return template
    .replace('{{SIP_LISTEN}}', listen)
    .replace('{{TLS_MODULE}}', tlsModule)
    .replace('{{DEFINES}}', opts.media ? '#!define WITH_RTPENGINE' : '')
    .replaceAll('{{UDP_PORT}}', String(opts.media?.udpPort ?? 0))
    .replaceAll('{{RTPENGINE_NG_PORT}}', String(opts.media?.ngPort ?? 0))
    .replaceAll('{{PORT}}', String(opts.port))
    .replaceAll('{{PUA_PORT}}', String(opts.puaPort))
    .replaceAll('{{DBDIR}}', opts.dbDir)
    .replaceAll('{{DOMAIN}}', kamailioString(opts.domain))
    .replaceAll('{{DEBUG_LEVEL}}', String(opts.debugLevel))
    .replace('{{ACCOUNTS}}', accounts);
}

export async function startSipServer(options: SipServerOptions): Promise<SipServer> {
  const domain = options.domain ?? 'whisperline.test';
  const port = options.port ?? (await freeLoopbackPort());
  const dir = await mkdtemp(join(tmpdir(), 'whisperline-kamailio-'));
  const cfg = join(dir, 'kamailio.cfg');
  const dbDir = await presenceTables(dir);
  const puaPort = await freeLoopbackPort();
  const moduleDir = await findModuleDir();
  const tls = options.tls ? await selfSignedTls(dir, moduleDir) : null;
  let rtpengine: RtpEngine | null = null;
  let media: { udpPort: number; ngPort: number } | undefined;
  if (options.rtpengine) {
    await access(join(moduleDir, 'rtpengine.so')).catch(() => {
      throw new Error(`Kamailio's rtpengine module (rtpengine.so) is missing from ${moduleDir}; it ships in the kamailio package.`);
    });
    rtpengine = await startRtpEngine().catch(async (e) => {
      await rm(dir, { recursive: true, force: true });
      throw e;
    });
    media = { udpPort: await freeUdpPort(), ngPort: rtpengine.ngPort };
  }
  await writeFile(cfg, await renderConfig({ accounts: options.accounts, domain, port, puaPort, dbDir, debugLevel: options.debugLevel ?? 1, tlsConfig: tls?.config, media }));
  let output = '';
  let child: ChildProcess | null = null;

  const launch = async () => {
    const proc = spawn('kamailio', ['-f', cfg, '-DD', '-E', '-Y', dir, '-L', moduleDir, '-m', '64', '-M', '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const collect = (b: Buffer) => {
      output = (output + b.toString()).slice(-200_000);
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const done = await Promise.race([exited.then(() => 'exited' as const), new Promise((r) => setTimeout(r, 50)).then(() => 'waiting' as const)]);
      if (done === 'exited') throw new Error(`kamailio exited during start-up:\n${output.slice(-4000)}`);
      if (await canConnect(port)) return;
    }
    proc.kill('SIGKILL');
    throw new Error(`kamailio did not listen on 127.0.0.1:${port} within 30 s:\n${output.slice(-4000)}`);
  };

  const halt = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    // Wait until the port is really free so a restart can bind it again.
    for (let i = 0; i < 100 && (await canConnect(port)); i++) await new Promise((r) => setTimeout(r, 50));
  };

  try {
    await launch();
  } catch (e) {
    await rtpengine?.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    domain,
    wsUrl: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    tlsSpki: tls?.spki ?? null,
    sipUdpPort: media?.udpPort,
    log: () => (rtpengine ? `${output}\n--- rtpengine ---\n${rtpengine.log()}` : output),
    async restart() {
      await halt();
      // Kamailio's pua module dumps its table at shutdown and reloads it at start; under load the
      // dump can hold a row its own loader refuses ("null value not allowed"), and then it will not
      // start. A restarted PBX loses that state anyway: the next dialogs publish it again.
      await copyFile(join(dbTextSchemaDir, 'pua'), join(dbDir, 'pua'));
      await launch();
    },
    async stop() {
      await halt();
      await rtpengine?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Kamailio's own db_text tables for presence, copied beside the config (read at start only). */
const dbTextSchemaDir = '/usr/share/kamailio/dbtext/kamailio';
const presenceTableNames = ['version', 'presentity', 'active_watchers', 'watchers', 'xcap', 'pua'];

async function presenceTables(dir: string): Promise<string> {
  const db = join(dir, 'db');
  await mkdir(db);
  try {
    for (const t of presenceTableNames) await copyFile(join(dbTextSchemaDir, t), join(db, t));
  } catch (e) {
    throw new Error(`Kamailio's db_text tables are missing (${(e as Error).message}); reinstall the kamailio package.`);
  }
  return db;
}

async function findModuleDir(): Promise<string> {
  const { access } = await import('node:fs/promises');
  for (const d of moduleDirs) {
    try {
      await access(join(d, 'websocket.so'));
      return d;
    } catch {
      // try the next architecture's path
    }
  }
  throw new Error('Kamailio with the websocket module is not installed (apt-get install kamailio kamailio-websocket-modules).');
}

/** A key and certificate for 127.0.0.1 made for this run only, and Kamailio's tls module config for them. */
async function selfSignedTls(dir: string, moduleDir: string): Promise<{ config: string; spki: string }> {
  const { access } = await import('node:fs/promises');
  await access(join(moduleDir, 'tls.so')).catch(() => {
    throw new Error('Kamailio\'s tls module is not installed (apt-get install kamailio-tls-modules).');
  });
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert];
  args.push('-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  await new Promise<void>((resolve, reject) =>
    execFile('openssl', args, (e, _out, err) => (e ? reject(new Error(`openssl could not make a test certificate: ${err || e.message}`)) : resolve())),
  );
  const config = join(dir, 'tls.cfg');
  const profile = `method = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\nprivate_key = ${key}\ncertificate = ${cert}\n`;
  await writeFile(config, `[server:default]\n${profile}\n[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\n`);
  const publicKey = new X509Certificate(await readFile(cert)).publicKey.export({ type: 'spki', format: 'der' });
  return { config, spki: createHash('sha256').update(publicKey).digest('base64') };
}
