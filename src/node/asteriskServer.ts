import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort } from './rtpengine';
import { canConnect, freeLoopbackPort, type SipServer } from './sipServer';
import { installPrefix } from './installPrefix';

/**
 * A real Asterisk 22 (PJSIP over WebSocket, media anchored through Asterisk) on loopback, for tests
 * and the demo, with the same interface as the Kamailio launcher. Each instance renders our own
 * config (resources/asterisk/*.conf) into a fresh temp dir, listens on its own HTTP/WebSocket port
 * and RTP range, and writes nothing outside that dir. Asterisk itself is not part of the repository:
 * it is found at WHISPERLINE_ASTERISK or /opt/whisperline-asterisk.
 */
export interface AsteriskServerOptions {
  accounts: Record<string, string>;
  domain?: string;
  /** The HTTP server's port, which carries the WebSocket transport; a free one when omitted. */
  port?: number;
  /** Codec preference for every endpoint (default opus,ulaw,alaw: Opus is passed through untouched). */
  codecs?: string[];
  /** Log every SIP message (pjsip.conf debug=yes) into log(). Default true. */
  sipTrace?: boolean;
  /**
   * Open the WebSocket port only once Asterisk is fully booted (default true). A real Asterisk
   * accepts WebSockets for a moment (≈0.1–0.2 s) before it is fully booted and silently drops SIP
   * requests received on them; false keeps that behaviour (restart() then reproduces it).
   */
  webSocketAfterBoot?: boolean;
  /**
   * Render resources/asterisk/extensions_whisperline.conf, the app-mixed supervision hook that
   * extensions.conf includes when present. Default true; false runs the PBX without it.
   */
  supervisionHook?: boolean;
  /**
   * Configured like a stock Asterisk/FreePBX install rather than ours (default false): no
   * `from_domain` (From carries the PBX's own address), no P-Asserted-Identity, the default realm,
   * and users reach it by host name (`ws://localhost:…`), not the address it puts in From. The
   * app-mixed hook stays: it is the one setting the README documents.
   */
  stock?: boolean;
  /**
   * Also a plain SIP/UDP transport on 127.0.0.1 (a free port: `sipUdpPort`), as any PBX facing a
   * trunk or desk phones has. Implied by `plainRtpAccounts`.
   */
  sipUdp?: boolean;
  /**
   * Accounts that are plain SIP phones or trunk-style clients rather than WebRTC ones: on the UDP
   * transport, plain RTP G.711 (no ICE, no DTLS, no AVPF). Asterisk bridges their calls with the
   * WebRTC accounts itself.
   */
  plainRtpAccounts?: string[];
}

export type AsteriskInstall =
  | { found: true; prefix: string; binary: string; moduleDir: string; dataDir: string }
  | { found: false; reason: string };

export const defaultAsteriskPrefix = '/opt/whisperline-asterisk';

/** Where Asterisk is installed: WHISPERLINE_ASTERISK (a prefix or the binary itself), else the default prefix. */
export function findAsterisk(env: NodeJS.ProcessEnv = process.env): AsteriskInstall {
  const { prefix, binary, where, hint } = installPrefix(env, 'WHISPERLINE_ASTERISK', defaultAsteriskPrefix, 'sbin/asterisk', 'Asterisk');
  const moduleDir = join(prefix, 'lib/asterisk/modules');
  const dataDir = join(prefix, 'var/lib/asterisk');
  if (!existsSync(binary)) return { found: false, reason: `no Asterisk at ${where} ${hint}` };
  if (!existsSync(join(moduleDir, 'chan_pjsip.so')) || !existsSync(join(moduleDir, 'res_pjsip_transport_websocket.so')))
    return { found: false, reason: `the Asterisk at ${where} has no PJSIP WebSocket modules in ${moduleDir} ${hint}` };
  if (!existsSync(join(dataDir, 'documentation/core-en_US.xml')))
    return { found: false, reason: `the Asterisk at ${where} has no ${join(dataDir, 'documentation')} (it will not start without it) ${hint}` };
  return { found: true, prefix, binary, moduleDir, dataDir };
}

const here = dirname(fileURLToPath(import.meta.url));
const templateDir = join(here, '../../resources/asterisk');

/** Account names and passwords go into config files: keep them to characters with no meaning there. */
function confValue(value: string): string {
  if (!/^[\w.@+-]+$/.test(value)) throw new Error(`Unsupported character in SIP test account value: ${value}`);
  return value;
}

function pjsipAccounts(accounts: Record<string, string>, plainRtp: string[] = []): string {
  return Object.entries(accounts)
    .map(([user, pass]) => {
      const u = confValue(user);
      return [
        `[${u}](${plainRtp.includes(user) ? 'wl-endpoint-rtp' : 'wl-endpoint'})`,
        `auth = ${u}`,
        `aors = ${u}`,
        `callerid = ${u} <${u}>`,
        '',
        `[${u}](wl-auth)`,
        `username = ${u}`,
        `password = ${confValue(pass)}`,
        '',
        `[${u}](wl-aor)`,
        '',
      ].join('\n');
    })
    .join('\n');
}

function dialplanAccounts(accounts: Record<string, string>): string {
  return Object.keys(accounts)
    .map((user) => {
      const u = confValue(user);
      return [
        `exten => ${u},hint,PJSIP/${u}`,
        `exten => ${u},1,Gosub(wl-call,s,1(${u}))`,
        `exten => *222${u},1,Gosub(wl-spy,s,1(${u},qbdES))`,
        `exten => *223${u},1,Gosub(wl-spy,s,1(${u},qbdESw))`,
        `exten => *224${u},1,Gosub(wl-spy,s,1(${u},qbdESB))`,
      ].join('\n');
    })
    .join('\n');
}

/** This machine's IPv4 addresses other than loopback, each advertised as 127.0.0.1 instead (rtp.conf). */
function iceHostCandidates(): string {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
  return [...new Set(addresses)].map((a) => `${a} => 127.0.0.1`).join('\n');
}

export interface RenderedAsteriskConfig {
  /** file name -> contents, for every resources/asterisk/*.conf */
  files: Record<string, string>;
}

export async function renderAsteriskConfig(opts: {
  dir: string;
  install: Extract<AsteriskInstall, { found: true }>;
  accounts: Record<string, string>;
  domain: string;
  httpPort: number;
  rtpStart: number;
  rtpEnd: number;
  codecs: string[];
  sipTrace: boolean;
  supervisionHook: boolean;
  httpEnabled: boolean;
  stock?: boolean;
  /** The plain SIP/UDP transport's port, if any, and the accounts on plain RTP. */
  udpPort?: number;
  plainRtpAccounts?: string[];
}): Promise<RenderedAsteriskConfig> {
  const files: Record<string, string> = {};
  const names = (await readdir(templateDir)).filter((n) => n.endsWith('.conf') && (opts.supervisionHook || n !== 'extensions_whisperline.conf'));
  for (const name of names) {
    const template = await readFile(join(templateDir, name), 'utf8');
    const accounts = name === 'pjsip.conf' ? pjsipAccounts(opts.accounts, opts.plainRtpAccounts) : name.startsWith('extensions') ? dialplanAccounts(opts.accounts) : '';
    files[name] = template
      .replaceAll('{{DIR}}', opts.dir)
      .replaceAll('{{PREFIX}}', opts.install.prefix)
      .replaceAll('{{MODULE_DIR}}', opts.install.moduleDir)
      .replaceAll('{{SBIN_DIR}}', dirname(opts.install.binary))
      .replaceAll('{{HTTP_PORT}}', String(opts.httpPort))
      .replaceAll('{{RTP_START}}', String(opts.rtpStart))
      .replaceAll('{{RTP_END}}', String(opts.rtpEnd))
      .replaceAll('{{DOMAIN}}', confValue(opts.domain))
      .replaceAll('{{CODECS}}', opts.codecs.map(confValue).join(','))
      .replaceAll('{{ICE_HOST_CANDIDATES}}', iceHostCandidates())
      .replaceAll('{{SIP_TRACE}}', opts.sipTrace ? 'yes' : 'no')
      .replaceAll('{{HTTP_ENABLED}}', opts.httpEnabled ? 'yes' : 'no')
      // Our own settings; a stock install has the line commented out (Asterisk's default applies).
      .replaceAll('{{SHIPPED}}', opts.stock ? ';(stock install: not set) ' : '')
      .replaceAll('{{UDP_TRANSPORT}}', opts.udpPort ? `[transport-udp]\ntype = transport\nprotocol = udp\nbind = 127.0.0.1:${opts.udpPort}\n` : '')
      .replaceAll('{{ACCOUNTS}}', accounts);
  }
  return { files };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A random even RTP base per instance, below Linux's ephemeral port range (32768+). */
function rtpRange(): { rtpStart: number; rtpEnd: number } {
  const size = 200;
  const rtpStart = 10_000 + 2 * Math.floor((Math.random() * (32_000 - 10_000 - size)) / 2);
  return { rtpStart, rtpEnd: rtpStart + size - 1 };
}

export async function startAsteriskServer(options: AsteriskServerOptions): Promise<SipServer> {
  const install = findAsterisk();
  if (!install.found) throw new Error(install.reason);
  const domain = options.domain ?? 'whisperline.test';
  const port = options.port ?? (await freeLoopbackPort());
  const dir = await mkdtemp(join(tmpdir(), 'wl-ast-'));
  const conf = join(dir, 'asterisk.conf');
  const logFile = join(dir, 'log/asterisk.log');
  const gateWebSocket = options.webSocketAfterBoot ?? true;
  let renderHttp: (enabled: boolean) => Promise<void> = async () => undefined;
  const plainRtpAccounts = options.plainRtpAccounts ?? [];
  for (const a of plainRtpAccounts) if (!(a in options.accounts)) throw new Error(`plainRtpAccounts names ${a}, which is not an account`);
  const udpPort = options.sipUdp || plainRtpAccounts.length ? await freeUdpPort() : undefined;
  try {
    for (const sub of ['varlib', 'db', 'keys', 'data', 'agi', 'spool', 'run', 'log', 'cache']) await mkdir(join(dir, sub));
    for (const sub of ['documentation', 'sounds']) {
      if (existsSync(join(install.dataDir, sub))) await symlink(join(install.dataDir, sub), join(dir, 'data', sub));
    }
    const rtp = rtpRange();
    const render = (httpEnabled: boolean) =>
      renderAsteriskConfig({
        dir,
        install,
        accounts: options.accounts,
        domain,
        httpPort: port,
        ...rtp,
        codecs: options.codecs ?? ['opus', 'ulaw', 'alaw'],
        sipTrace: options.sipTrace ?? true,
        supervisionHook: options.supervisionHook ?? true,
        httpEnabled,
        stock: options.stock ?? false,
        udpPort,
        plainRtpAccounts,
      });
    renderHttp = async (enabled) => writeFile(join(dir, 'http.conf'), (await render(enabled)).files['http.conf']);
    const { files } = await render(!gateWebSocket);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  let output = '';
  let child: ChildProcess | null = null;
  const env = process.env;

  /** Runs a CLI command on the running Asterisk (remote console over its control socket in the temp dir). */
  const cli = (command: string, timeoutMs = 10_000) =>
    new Promise<{ ok: boolean; out: string }>((resolve) => {
      execFile(install.binary, ['-C', conf, '-n', '-rx', command], { env, timeout: timeoutMs }, (err, stdout, stderr) =>
        resolve({ ok: !err, out: `${stdout}${stderr}` }),
      );
    });

  let savedLog: string | null = null;
  const fileLog = () => {
    if (savedLog !== null) return savedLog;
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const log = () => `${fileLog()}${output ? `\n--- asterisk stdout/stderr ---\n${output}` : ''}`;

  const launch = async () => {
    if (gateWebSocket) await renderHttp(false);
    const proc = spawn(install.binary, ['-C', conf, '-f', '-n'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    child = proc;
    const collect = (b: Buffer) => {
      output = (output + b.toString()).slice(-100_000);
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    let exitedEarly = false;
    proc.once('exit', () => (exitedEarly = true));
    const deadline = Date.now() + 30_000;
    const failed = (why: string) => new Error(`asterisk ${why}:\n${log().slice(-6000)}`);
    // 1. fully booted (every module loaded), and PJSIP knows every account
    let booted = false;
    while (!booted && !exitedEarly && Date.now() < deadline) {
      const r = await cli('core waitfullybooted', Math.max(1000, deadline - Date.now()));
      if (r.ok && /fully booted/i.test(r.out)) {
        const eps = await cli('pjsip show endpoints');
        booted = Object.keys(options.accounts).every((u) => new RegExp(`Endpoint:\\s+${u}\\b`).test(eps.out));
      }
      if (!booted) await sleep(200);
    }
    if (exitedEarly) throw failed('exited during start-up');
    // 2. only then open the WebSocket port (see webSocketAfterBoot)
    if (booted && gateWebSocket) {
      await renderHttp(true);
      await cli('module reload http');
    }
    // 3. the WebSocket port accepts connections
    while (booted && !exitedEarly && !(await canConnect(port)) && Date.now() < deadline) await sleep(100);
    if (exitedEarly) throw failed('exited during start-up');
    if (!booted || !(await canConnect(port))) {
      await halt();
      throw failed(`did not become ready on ws://127.0.0.1:${port}/ws within 30 s`);
    }
  };

  const halt = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    // "core stop now": hang up every channel and shut down at once, as an administrator would.
    void cli('core stop now', 15_000);
    const outcome = await Promise.race([exited.then(() => 'exited'), sleep(15_000).then(() => 'timeout')]);
    if (outcome === 'timeout') {
      proc.kill('SIGTERM');
      const t = await Promise.race([exited.then(() => 'exited'), sleep(5_000).then(() => 'timeout')]);
      if (t === 'timeout') proc.kill('SIGKILL');
      await exited;
    }
    // Wait until the port is really free so a restart can bind it again.
    for (let i = 0; i < 300 && (await canConnect(port)); i++) await sleep(100);
  };

  try {
    await launch();
  } catch (e) {
    await halt();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    domain,
    wsUrl: `ws://${options.stock ? 'localhost' : '127.0.0.1'}:${port}/ws`,
    tlsSpki: null,
    sipUdpPort: udpPort,
    log,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      savedLog = fileLog();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
