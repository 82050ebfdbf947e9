import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderFreeswitchConfig, type SpiedLeg } from './freeswitchConfig';
import { canConnect, freeLoopbackPort, type SipServer } from './sipServer';
import { installPrefix } from './installPrefix';

/**
 * A real FreeSWITCH 1.10 (sofia: SIP over WebSocket for the apps, plain SIP over UDP for trunk-style
 * phones; media anchored through FreeSWITCH) on loopback, for tests and the demo, with the same
 * interface as the Kamailio and Asterisk launchers. Each instance renders its config into a fresh
 * temp dir (src/node/freeswitchConfig.ts), listens on its own ports and RTP range, and writes nothing
 * outside that dir. FreeSWITCH itself is not part of the repository: it is found at
 * WHISPERLINE_FREESWITCH or /opt/whisperline-freeswitch.
 */
export interface FreeswitchServerOptions {
  accounts: Record<string, string>;
  domain?: string;
  /** The WebSocket port the apps connect to; a free one when omitted. */
  port?: number;
  /** Codec preference, Asterisk-style names accepted (default opus,ulaw,alaw). */
  codecs?: string[];
  /** Log every SIP message (sofia sip-trace) into log(). Default true. */
  sipTrace?: boolean;
  /**
   * The one setting the README documents for app-mixed supervision on FreeSWITCH: the profile's
   * `proxy-info-content-types` naming the supervision protocol's content type. Default true.
   */
  supervisionHook?: boolean;
  /** Whose leg `*33<ext>` eavesdrops on (the app's freeswitch-eavesdrop "spied leg"). Default 'agent'. Ours only. */
  spiedLeg?: SpiedLeg;
  /**
   * Configured like a stock FreeSWITCH install (default false): the install's own vanilla config,
   * with only loopback addresses, this instance's ports, our accounts as users and the documented
   * supervision setting.
   */
  stock?: boolean;
}

export type FreeswitchInstall =
  | { found: true; prefix: string; binary: string; moduleDir: string; confDir: string }
  | { found: false; reason: string };

export const defaultFreeswitchPrefix = '/opt/whisperline-freeswitch';

/** Where FreeSWITCH is installed: WHISPERLINE_FREESWITCH (a prefix or the binary itself), else the default prefix. */
export function findFreeswitch(env: NodeJS.ProcessEnv = process.env): FreeswitchInstall {
  const { prefix, binary, where, hint } = installPrefix(env, 'WHISPERLINE_FREESWITCH', defaultFreeswitchPrefix, 'bin/freeswitch', 'FreeSWITCH');
  const moduleDir = join(prefix, 'lib/freeswitch/mod');
  const confDir = join(prefix, 'etc/freeswitch');
  if (!existsSync(binary)) return { found: false, reason: `no FreeSWITCH at ${where} ${hint}` };
  const missing = ['mod_sofia', 'mod_dptools', 'mod_dialplan_xml', 'mod_hash', 'mod_commands', 'mod_opus'].filter((m) => !existsSync(join(moduleDir, `${m}.so`)));
  if (missing.length) return { found: false, reason: `the FreeSWITCH at ${where} has no ${missing.join(', ')} in ${moduleDir} ${hint}` };
  if (!existsSync(join(confDir, 'vars.xml'))) return { found: false, reason: `the FreeSWITCH at ${where} has no vanilla config in ${confDir} ${hint}` };
  return { found: true, prefix, binary, moduleDir, confDir };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A random even RTP base per instance. Asterisk's launcher draws from 10000-32000 in blocks of 200;
 * FreeSWITCH's from 33000-60000 (Linux's ephemeral range, where FreeSWITCH's port allocator skips a
 * port it cannot bind), so the two never share a range.
 */
function rtpRange(): { rtpStart: number; rtpEnd: number } {
  const size = 200;
  const rtpStart = 33_000 + 2 * Math.floor((Math.random() * (60_000 - 33_000 - size)) / 2);
  return { rtpStart, rtpEnd: rtpStart + size - 1 };
}

/** A loopback port free for both TCP and UDP (sofia binds its SIP port on both). */
async function freeSipPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freeLoopbackPort();
    const udpFree = await new Promise<boolean>((res) => {
      const s = createSocket('udp4');
      s.once('error', () => res(false));
      s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no loopback port free for both TCP and UDP');
}

export async function startFreeswitchServer(options: FreeswitchServerOptions): Promise<SipServer> {
  const install = findFreeswitch();
  if (!install.found) throw new Error(install.reason);
  const domain = options.domain ?? 'whisperline.test';
  const port = options.port ?? (await freeLoopbackPort());
  const sipUdpPort = await freeSipPort();
  const dir = await mkdtemp(join(tmpdir(), 'wl-fs-'));
  const sub = (name: string) => join(dir, name);
  let confDir: string;
  try {
    for (const name of ['log', 'db', 'run', 'temp', 'certs', 'storage', 'recordings', 'cache', 'sounds', 'scripts', 'grammar', 'htdocs']) await mkdir(sub(name));
    ({ confDir } = await renderFreeswitchConfig({
      dir,
      vanillaConfDir: install.confDir,
      moduleDir: install.moduleDir,
      accounts: options.accounts,
      domain,
      wsPort: port,
      sipUdpPort,
      externalPort: options.stock ? await freeSipPort() : 0,
      ...rtpRange(),
      codecs: options.codecs ?? ['opus', 'ulaw', 'alaw'],
      sipTrace: options.sipTrace ?? true,
      proxyInfo: options.supervisionHook ?? true,
      spiedLeg: options.spiedLeg ?? 'agent',
      stock: options.stock ?? false,
    }));
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const logFile = join(dir, 'log/freeswitch.log');
  const args = ['-nf', '-nc', '-nonat', '-nonatmap', '-nocal', '-conf', confDir, '-mod', install.moduleDir];
  for (const name of ['log', 'db', 'run', 'temp', 'certs', 'storage', 'recordings', 'cache', 'sounds', 'scripts', 'grammar', 'htdocs']) args.push(`-${name}`, sub(name));

  let output = '';
  let child: ChildProcess | null = null;
  let savedLog: string | null = null;
  const fileLog = () => {
    if (savedLog !== null) return savedLog;
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const log = () => `${fileLog()}${output ? `\n--- freeswitch stdout/stderr ---\n${output}` : ''}`;

  const launch = async () => {
    const proc = spawn(install.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    child = proc;
    const collect = (b: Buffer) => {
      output = (output + b.toString()).slice(-100_000);
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    let exitedEarly = false;
    proc.once('exit', () => (exitedEarly = true));
    const deadline = Date.now() + 30_000;
    const failed = (why: string) => new Error(`freeswitch ${why}:\n${log().slice(-6000)}`);
    // Ready: the WebSocket and the plain SIP port accept connections, and the core says so.
    const ready = async () => (await canConnect(port)) && (await canConnect(sipUdpPort)) && /FreeSWITCH Started|Switch Started|Max Sessions/i.test(fileLog());
    while (!exitedEarly && Date.now() < deadline && !(await ready())) await sleep(100);
    if (exitedEarly) throw failed('exited during start-up');
    if (!(await ready())) {
      await halt();
      throw failed(`did not become ready on ws://127.0.0.1:${port} within 30 s`);
    }
  };

  const halt = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    // SIGTERM: FreeSWITCH hangs up every channel and shuts down, as `freeswitch -stop` does.
    proc.kill('SIGTERM');
    const outcome = await Promise.race([exited.then(() => 'exited'), sleep(15_000).then(() => 'timeout')]);
    if (outcome === 'timeout') {
      proc.kill('SIGKILL');
      await exited;
    }
    // Wait until the ports are really free so a restart can bind them again.
    for (let i = 0; i < 300 && ((await canConnect(port)) || (await canConnect(sipUdpPort))); i++) await sleep(100);
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
    wsUrl: `ws://127.0.0.1:${port}`,
    tlsSpki: null,
    sipUdpPort,
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
