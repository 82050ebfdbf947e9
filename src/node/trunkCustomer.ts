import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeTones, type ToneAnalysis } from '../shared/toneAnalysis';
import { freeUdpPort } from './rtpengine';
import { freeLoopbackPort, type SipServer } from './sipServer';

/**
 * A customer calling from the phone network, as a contact center's PBX sees one: a real SIP client
 * nobody here wrote (baresip) on plain SIP/UDP with plain RTP G.711 (PCMU/PCMA only: no ICE, no
 * DTLS, no Opus), registered to the server's `sipUdpPort`. Its microphone is a pure tone (baresip's
 * ausine), and what it hears is written to a WAV file (baresip's sndfile filter, the decoded
 * audio) that `heardLevels` measures like the app's capture tap. It is driven over baresip's
 * ctrl_tcp socket (netstring JSON commands and events).
 */
export interface TrunkCustomerOptions {
  server: SipServer;
  /** The SIP account (extension) and its password on the server. */
  account: string;
  password: string;
  /** The microphone's tone, Hz. */
  tone: number;
  /** Codecs offered/accepted, in order (default PCMU, PCMA). */
  codecs?: Array<'PCMU' | 'PCMA'>;
}

export type TrunkCallState = 'idle' | 'incoming' | 'ringing' | 'established' | 'closed';
export type TrunkState = 'registered' | Exclude<TrunkCallState, 'idle'>;

export interface TrunkEvent {
  type: string;
  at: number;
  [key: string]: unknown;
}

export interface TrunkCustomer {
  readonly account: string;
  readonly tone: number;
  /** The current call's state, as baresip reported it. */
  callState(): TrunkCallState;
  dial(target: string): Promise<void>;
  answer(): Promise<void>;
  hangup(): Promise<void>;
  /** baresip's mute: the microphone sends silence (the call and its RTP go on). */
  mute(on: boolean): Promise<void>;
  /** Waits until registered, or until the current call is in `state` (15 s by default). */
  waitFor(state: TrunkState, timeoutMs?: number): Promise<void>;
  /**
   * Tone statistics of what the customer heard in the last `windowMs` of wall-clock time (≈32 ms
   * frames). Time in which no audio arrived at all (no RTP: a PBX holding the line) counts as silence.
   */
  heard(freqs: number[], windowMs?: number): Promise<ToneAnalysis>;
  /** Median level per frequency (dBFS) over the last `windowMs`: what is steadily heard. */
  heardLevels(freqs: number[], windowMs?: number): Promise<Record<number, number>>;
  /**
   * baresip's receive bit rate for the call's audio (bit/s over its last 3 s, payload only: 64000
   * for G.711 at 50 packets/s), from its status line; NaN before any. Packets counted here were
   * accepted for decoding (baresip drops RTP its own direction does not receive).
   */
  receivedBitrate(): number;
  /**
   * True once this call's decoded-audio recording was lost while the call goes on: baresip 1.0.0
   * drops its receive filters (sndfile's decode dump among them) when a re-INVITE sets the audio
   * to anything but sendrecv (a hold) and never sets them up again during that call (it only does
   * when the send filters are gone too; fixed upstream in baresip 2.0.0, commit 0669c841 "audio:
   * fix aufilt_setup update handling"). The customer still hears the call (its decoder and player
   * are restarted); only `heard` can no longer see it.
   */
  recordingLost(): boolean;
  /** Every event baresip reported, oldest first. */
  events(): TrunkEvent[];
  /** Everything baresip printed, and the control exchange. */
  log(): string;
  stop(): Promise<void>;
}

export type BaresipInstall = { found: true; binary: string; moduleDir: string } | { found: false; reason: string };

const requiredModules = ['g711.so', 'ausine.so', 'ctrl_tcp.so', 'sndfile.so', 'aubridge.so', 'account.so', 'menu.so'];

/** Where baresip and the modules the customer needs are (WHISPERLINE_BARESIP names the binary). */
export function findBaresip(env: NodeJS.ProcessEnv = process.env): BaresipInstall {
  const binary = env.WHISPERLINE_BARESIP?.trim() || ['/usr/bin/baresip', '/usr/local/bin/baresip'].find((b) => existsSync(b));
  if (!binary || !existsSync(binary)) return { found: false, reason: 'baresip is not installed (apt-get install --no-install-recommends baresip-core)' };
  const moduleDir = ['/usr/lib/baresip/modules', '/usr/local/lib/baresip/modules', '/usr/lib/x86_64-linux-gnu/baresip/modules'].find((d) => existsSync(join(d, 'g711.so')));
  if (!moduleDir) return { found: false, reason: `baresip at ${binary} has no module directory with g711.so (apt-get install --no-install-recommends baresip-core)` };
  const missing = requiredModules.filter((m) => !existsSync(join(moduleDir, m)));
  if (missing.length) return { found: false, reason: `baresip's modules ${missing.join(', ')} are missing from ${moduleDir}` };
  return { found: true, binary, moduleDir };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 8 kHz G.711 heard in ≈32 ms frames (256 samples), like the app's ≈21 ms at 48 kHz. */
const frameMs = 32;

export async function startTrunkCustomer(options: TrunkCustomerOptions): Promise<TrunkCustomer> {
  const install = findBaresip();
  if (!install.found) throw new Error(install.reason);
  const { server, account, password, tone } = options;
  if (!server.sipUdpPort) throw new Error('this SIP server was started without a plain SIP/UDP port (sipUdpPort), which a trunk-style customer needs');
  if (!/^[\w.+-]+$/.test(account) || !/^[\w.@+-]+$/.test(password)) throw new Error(`unsupported character in the trunk customer's account ${account}`);
  const dir = await mkdtemp(join(tmpdir(), 'wl-baresip-'));
  const ctrlPort = await freeLoopbackPort();
  const sipPort = await freeUdpPort();
  const rtpBase = 40_000 + 2 * Math.floor(Math.random() * 4000);
  const codecs = (options.codecs ?? ['PCMU', 'PCMA']).join(',');
  const config = [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${sipPort}`,
    'net_interface 127.0.0.1',
    `rtp_ports ${rtpBase}-${rtpBase + 19}`,
    'rtp_timeout 0',
    // The microphone: a pure tone. What is heard is decoded, dumped to WAV (sndfile, snd_path) and
    // played into an audio bridge nobody reads (no sound card needed).
    `audio_source ausine,${Math.round(tone)}`,
    'audio_player aubridge,wl-nowhere',
    'audio_alert aubridge,wl-nowhere',
    'ausrc_srate 48000',
    'ausrc_channels 2',
    'audio_level no',
    `snd_path ${dir}`,
    'answermode manual',
    'call_max_calls 4',
    'sip_verify_server no',
    `module_path ${install.moduleDir}`,
    'module g711.so',
    'module ausine.so',
    'module aubridge.so',
    'module sndfile.so',
    'module_app account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'config'), config);
  const aor = `sip:${account}@${server.domain}`;
  const accountLine = `<${aor}>;auth_user=${account};auth_pass=${password};outbound="sip:127.0.0.1:${server.sipUdpPort};transport=udp";regint=300;audio_codecs=${codecs};answermode=manual;ptime=20\n`;
  await writeFile(join(dir, 'accounts'), accountLine);
  await writeFile(join(dir, 'contacts'), '');

  let registration = 'unknown' as 'unknown' | 'ok' | 'failed';
  /** Set by events as they arrive (read through this so the compiler does not narrow it). */
  const registrationNow = () => registration;
  let registrationReason = '';
  let output = '';
  // The receive bit rate (status line) and whether the decode dump survived the call's audio resets.
  let rxBitrate = NaN;
  let decodeDumps = 0;
  let dumpSinceUpdate = false;
  let recordingLost = false;
  let pendingLine = '';
  const watchAudio = (text: string) => {
    for (const m of text.matchAll(/audio=(\d+)\/(\d+) \(bit\/s\)/g)) rxBitrate = Number(m[2]);
    const lines = (pendingLine + text).split(/\r?\n|\r/);
    pendingLine = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes("stream: update 'audio'")) dumpSinceUpdate = false;
      else if (line.includes('sndfile: dumping decode audio')) {
        decodeDumps++;
        dumpSinceUpdate = true;
      } else if (line.includes('audio: player started')) {
        // A player restarted by an SDP update after the call's first dump: the receive filters
        // were set up again first (a new dump), or not at all (baresip 1.0.0 on a hold).
        if (decodeDumps > 0 && !dumpSinceUpdate) recordingLost = true;
      }
    }
  };
  const newCall = () => {
    rxBitrate = NaN;
    decodeDumps = 0;
    dumpSinceUpdate = false;
    recordingLost = false;
  };
  const record = (s: string) => {
    watchAudio(s);
    // Not baresip's status line ("[0:00:09] audio=64000/64000 (bit/s)"), printed many times a second.
    output = (output + s.replace(/\[\d+:\d\d:\d\d\] audio=\S+ \(bit\/s\)\s*/g, '')).slice(-300_000);
  };
  // baresip prints each registration's outcome ("2001@domain: {0/UDP/v4} 200 OK (server) [1 binding]",
  // or a refusal with its status): read too, since the first may come before the control socket is up.
  const watchRegistration = (text: string) => {
    for (const m of text.matchAll(/(?:\{\d+\/UDP\/v[46]\}|reg: \S+:)\s+(\d{3})\s+([^\n(]*)/g)) {
      const status = Number(m[1]);
      if (status >= 200 && status < 300) registration = 'ok';
      else if (status >= 300 && registration !== 'ok') {
        registration = 'failed';
        registrationReason = `${status} ${m[2].trim()}`;
      }
    }
  };
  const proc: ChildProcess = spawn(install.binary, ['-f', dir, ...(process.env.WHISPERLINE_BARESIP_TRACE ? ['-s'] : [])], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  proc.stdout!.on('data', (b: Buffer) => {
    record(b.toString());
    watchRegistration(b.toString());
  });
  proc.stderr!.on('data', (b: Buffer) => {
    record(b.toString());
    watchRegistration(b.toString());
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exited = true;
      record(`\n(baresip exited: ${signal ?? code})\n`);
      resolve();
    }),
  );
  proc.once('error', (e) => record(`\n(spawn failed: ${e.message})\n`));

  const events: TrunkEvent[] = [];
  let callState: TrunkCallState = 'idle';
  let muted = false;
  const pending = new Map<string, { resolve: (v: { ok: boolean; data: string }) => void }>();
  let tokenSeq = 0;
  let socket: Socket | null = null;
  let buffer = Buffer.alloc(0);

  const onMessage = (text: string) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text);
    } catch {
      record(`\n(ctrl_tcp: unreadable ${text.slice(0, 200)})\n`);
      return;
    }
    if (msg.response) {
      const waiter = pending.get(String(msg.token));
      pending.delete(String(msg.token));
      waiter?.resolve({ ok: msg.ok === true, data: String(msg.data ?? '') });
      return;
    }
    if (!msg.event) return;
    const type = String(msg.type);
    events.push({ ...msg, type, at: Date.now() });
    if (type === 'CALL_RTCP') return;
    record(`\n[event] ${type} ${String(msg.param ?? msg.peeruri ?? '')}\n`);
    switch (type) {
      case 'REGISTER_OK':
        registration = 'ok';
        break;
      case 'REGISTER_FAIL':
        registration = 'failed';
        registrationReason = String(msg.param ?? '');
        break;
      case 'CALL_INCOMING':
        newCall();
        callState = 'incoming';
        break;
      case 'CALL_OUTGOING':
      case 'CALL_RINGING':
      case 'CALL_PROGRESS':
        if (callState !== 'established') callState = 'ringing';
        break;
      case 'CALL_ESTABLISHED':
        callState = 'established';
        break;
      case 'CALL_CLOSED':
        callState = 'closed';
        muted = false;
        break;
    }
  };

  const onData = (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    // netstrings: <length>:<bytes>,
    for (;;) {
      const colon = buffer.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(buffer.subarray(0, colon).toString());
      if (!Number.isFinite(len)) {
        record(`\n(ctrl_tcp: bad netstring ${buffer.subarray(0, 40).toString()})\n`);
        buffer = Buffer.alloc(0);
        return;
      }
      if (buffer.length < colon + 1 + len + 1) return;
      const body = buffer.subarray(colon + 1, colon + 1 + len).toString();
      buffer = buffer.subarray(colon + 1 + len + 1);
      onMessage(body);
    }
  };

  const command = (name: string, params = ''): Promise<{ ok: boolean; data: string }> =>
    new Promise((resolve, reject) => {
      if (!socket || exited) return reject(new Error(`baresip is not running (${name} ${params}):\n${output.slice(-3000)}`));
      const token = `wl${++tokenSeq}`;
      const json = JSON.stringify({ command: name, params, token });
      if (name !== 'reginfo') record(`\n[command] ${name} ${params}\n`);
      const timer = setTimeout(() => {
        pending.delete(token);
        reject(new Error(`baresip did not answer "${name} ${params}" within 10 s:\n${output.slice(-3000)}`));
      }, 10_000);
      pending.set(token, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      });
      socket.write(`${Buffer.byteLength(json)}:${json},`);
    });

  const must = async (name: string, params = '') => {
    const r = await command(name, params);
    if (!r.ok) throw new Error(`baresip refused "${name} ${params}": ${r.data}\n${output.slice(-3000)}`);
    return r.data;
  };

  const stop = async () => {
    socket?.destroy();
    socket = null;
    clearInterval(poller);
    if (!exited) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };

  // The heard audio's growth against the wall clock, so a window of time maps to the samples that
  // arrived in it (no RTP at all, as when a PBX holds the line, is silence, not the last thing heard).
  // baresip opens a new dump file whenever it sets up the call's audio again (a re-INVITE may do
  // that), named after the second it did so: the one written last is what is being heard now, and
  // a file that is new (another inode) or shorter than before starts the history again.
  let wav: { path: string; ino: number; dataStart: number; rate: number; channels: number } | null = null;
  const growth: Array<{ at: number; bytes: number }> = [];
  const poll = async () => {
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('-dec.wav'));
    const files = (await Promise.all(names.map(async (n) => ({ path: join(dir, n), st: await stat(join(dir, n)).catch(() => null) })))).filter((f) => f.st);
    files.sort((a, b) => a.st!.mtimeMs - b.st!.mtimeMs || a.path.localeCompare(b.path));
    const newest = files.at(-1);
    if (!newest) return;
    const { ino, size } = newest.st!;
    const last = growth.at(-1);
    if (!wav || wav.path !== newest.path || wav.ino !== ino || (last && size - wav.dataStart < last.bytes)) {
      const header = await readWavHeader(newest.path);
      if (!header) return;
      wav = { path: newest.path, ino, ...header };
      growth.length = 0;
    }
    growth.push({ at: Date.now(), bytes: Math.max(0, size - wav.dataStart) });
    if (growth.length > 6000) growth.splice(0, 1000);
  };
  let polling = false;
  const poller = setInterval(() => {
    if (polling) return;
    polling = true;
    void poll().finally(() => (polling = false));
  }, 40);

  // Start-up: the control socket, then the registration.
  const deadline = Date.now() + 20_000;
  while (!socket && !exited && Date.now() < deadline) {
    socket = await new Promise<Socket | null>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: ctrlPort });
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(null));
    });
    if (!socket) await sleep(100);
  }
  if (!socket) {
    const why = exited ? 'exited during start-up' : `did not open its control socket on 127.0.0.1:${ctrlPort} within 20 s`;
    await stop();
    throw new Error(`baresip ${why}:\n${output.slice(-4000)}`);
  }
  socket.on('data', onData);
  socket.on('error', (e) => record(`\n(ctrl_tcp socket: ${e.message})\n`));
  // The first REGISTER may be answered before the control socket is up (no event then): ask.
  while (registrationNow() === 'unknown' && !exited && Date.now() < deadline) {
    const info = await command('reginfo').catch(() => ({ ok: false, data: '' }));
    info.data = info.data.replace(/\x1b\[[0-9;]*m/g, '');
    if (registrationNow() === 'unknown' && /\sERR\s/.test(info.data)) {
      registration = 'failed';
      registrationReason ||= 'the registrar refused it';
    }
    if (registrationNow() === 'unknown' && /\b200\b|\bOK\b/.test(info.data) && !/\bzombie\b/i.test(info.data)) registration = 'ok';
    if (registrationNow() === 'unknown') await sleep(200);
  }
  if (registrationNow() !== 'ok') {
    const why =
      registrationNow() === 'failed'
        ? `was refused by the server (${registrationReason || 'no reason given'}): check the account ${account} and its password`
        : exited
          ? 'exited before registering'
          : `got no answer from the server at udp 127.0.0.1:${server.sipUdpPort} within 20 s`;
    await stop();
    throw new Error(`baresip's registration as ${aor} ${why}:\n${output.slice(-4000)}`);
  }

  const readWindow = async (windowMs: number): Promise<{ samples: Float32Array; rate: number }> => {
    await poll();
    const w = wav as { path: string; ino: number; dataStart: number; rate: number; channels: number } | null;
    const rate = w?.rate ?? 8000;
    const expected = Math.round((windowMs / 1000) * rate);
    const out = new Float32Array(expected);
    if (!w || growth.length === 0) return { samples: out, rate };
    const now = growth[growth.length - 1];
    const from = now.at - windowMs;
    // The size of the data when the window opened: the last sample of growth at or before it.
    let startBytes = 0;
    for (let i = growth.length - 1; i >= 0; i--) {
      if (growth[i].at <= from) {
        startBytes = growth[i].bytes;
        break;
      }
    }
    const frameBytes = 2 * w.channels;
    startBytes -= startBytes % frameBytes;
    const endBytes = now.bytes - (now.bytes % frameBytes);
    const count = Math.min(expected, Math.max(0, (endBytes - startBytes) / frameBytes));
    const fh = await open(w.path, 'r');
    try {
      const buf = Buffer.alloc(count * frameBytes);
      await fh.read(buf, 0, buf.length, w.dataStart + endBytes - count * frameBytes);
      // Newest audio at the end of the window; what never arrived (expected − count) is silence before it.
      for (let i = 0; i < count; i++) out[expected - count + i] = buf.readInt16LE(i * frameBytes) / 32768;
    } finally {
      await fh.close();
    }
    return { samples: out, rate };
  };

  const heard = async (freqs: number[], windowMs = 300) => {
    const { samples, rate } = await readWindow(windowMs);
    const frame = Math.round((frameMs / 1000) * rate);
    return analyzeTones(samples, rate, freqs, frame);
  };

  return {
    account,
    tone,
    callState: () => callState,
    async dial(target) {
      newCall();
      callState = 'ringing';
      await must('dial', target);
    },
    async answer() {
      await must('accept');
    },
    async hangup() {
      await must('hangup');
    },
    async mute(on) {
      if (on === muted) return;
      // baresip's "mute" toggles the microphone of the current call.
      await must('mute');
      muted = on;
    },
    async waitFor(state, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      const reached = () => (state === 'registered' ? registration === 'ok' : callState === state);
      while (!reached()) {
        if (exited) throw new Error(`baresip exited while waiting for ${state}:\n${output.slice(-3000)}`);
        if (Date.now() > until) throw new Error(`the trunk customer ${account} did not reach "${state}" within ${timeoutMs} ms (now ${callState}); events: ${events.map((e) => e.type).join(' ')}\n${output.slice(-3000)}`);
        await sleep(50);
      }
    },
    heard,
    async heardLevels(freqs, windowMs = 300) {
      const a = await heard(freqs, windowMs);
      return Object.fromEntries(freqs.map((f) => [f, a.tones[f].median]));
    },
    receivedBitrate: () => rxBitrate,
    recordingLost: () => recordingLost,
    events: () => [...events],
    log: () => {
      const g = growth.at(-1);
      return `${output}\n(heard audio: ${wav ? `${wav.path} ino ${wav.ino}, ${g?.bytes ?? 0} bytes at ${g ? new Date(g.at).toISOString() : '-'}, ${growth.length} samples of growth` : 'no dump file yet'}${recordingLost ? '; the decode dump was dropped by a re-INVITE (baresip 1.0.0)' : ''}; receive bit rate ${rxBitrate})\n`;
    },
    stop,
  };
}

/** The format and where the samples start, from a WAV file's chunks (its sizes are not final while it is written). */
async function readWavHeader(path: string): Promise<{ dataStart: number; rate: number; channels: number } | null> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return null;
    let off = 12;
    let rate = 0;
    let channels = 0;
    let bits = 0;
    while (off + 8 <= bytesRead) {
      const id = buf.toString('ascii', off, off + 4);
      const size = buf.readUInt32LE(off + 4);
      if (id === 'fmt ') {
        channels = buf.readUInt16LE(off + 10);
        rate = buf.readUInt32LE(off + 12);
        bits = buf.readUInt16LE(off + 22);
      } else if (id === 'data') {
        if (bits !== 16 || !rate || !channels) return null;
        return { dataStart: off + 8, rate, channels };
      }
      off += 8 + size + (size % 2);
    }
    return null;
  } finally {
    await fh.close();
  }
}
