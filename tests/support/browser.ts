import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicySite, PublishedPolicy } from './policy';
import { serveStatic } from '../../src/node/staticServer';
import { orgProxyRoutes } from '../../src/node/orgProxy';
import { recordingRoutes } from '../../src/node/recordingEndpoint';
import { RecordingStore } from '../../src/main/recording/recordingStore';
import { faultyFs } from './faultyFs';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const flags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  // Background pages must keep their audio and timers running like a focused window.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/**
 * Replaces a party's microphone with a pure tone, so what each other party hears can be told apart
 * by frequency. `window.__tone.gain` lets a test silence the speaker.
 */
function toneMicrophone(hz: number): void {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    if (!constraints?.audio) return original(constraints);
    const w = window as unknown as { __tone?: { ctx: AudioContext; gain: GainNode; dest: MediaStreamAudioDestinationNode } };
    if (!w.__tone) {
      const ctx = new AudioContext();
      const osc = ctx.createOscillator();
      osc.frequency.value = hz;
      const gain = ctx.createGain();
      gain.gain.value = 0.3;
      const dest = ctx.createMediaStreamDestination();
      osc.connect(gain).connect(dest);
      osc.start();
      w.__tone = { ctx, gain, dest };
    }
    return new MediaStream(w.__tone.dest.stream.getAudioTracks().map((t) => t.clone()));
  };
}

/** Keeps a list of the page's peer connections so tests and the bench can read WebRTC stats. */
function trackPeerConnections(): void {
  const Original = window.RTCPeerConnection;
  const list: RTCPeerConnection[] = [];
  (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = list;
  window.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      list.push(this);
    }
  } as typeof RTCPeerConnection;
}

export interface Party {
  name: string;
  toneHz: number;
  context: BrowserContext;
  page: Page;
  /** The first line of each SIP message the party's pages sent (>) or got (<), newest last: read when a test fails. */
  sipTrace: string[];
  /** The whole text of the last 100 SIP messages the party's pages sent: what anyone on the path sees (ws://). */
  wire: string[];
}

/** Keeps the start line (and Call-ID / CSeq) of every SIP message over the page's WebSockets, and what was sent whole. */
function traceSip(page: Page, trace: string[], wire: string[]): void {
  const t0 = Date.now();
  page.on('websocket', (ws) => {
    const keep = (dir: string) => (f: { payload: string | Buffer }) => {
      const text = typeof f.payload === 'string' ? f.payload : f.payload.toString();
      const [first] = text.split('\r\n', 1);
      if (!first?.trim()) return;
      const cseq = /^CSeq:\s*(.+)$/im.exec(text)?.[1] ?? '';
      const callId = /^(?:Call-ID|i):\s*(\S+)$/im.exec(text)?.[1]?.slice(0, 10) ?? '';
      trace.push(`${((Date.now() - t0) / 1000).toFixed(2)}s ${dir} ${first.slice(0, 80)} [${cseq}] ${callId}`);
      if (trace.length > 200) trace.splice(0, trace.length - 200);
      if (dir === '>') wire.push(text);
      if (wire.length > 100) wire.splice(0, wire.length - 100);
    };
    ws.on('framesent', keep('>'));
    ws.on('framereceived', keep('<'));
  });
}

export interface Rig {
  browser: Browser;
  appUrl: string;
  /**
   * A party with a tone microphone, on the app (or on `url`: the benchmark's bare reference page).
   * `deviceMicrophone`: the party keeps Chromium's own (fake) capture device instead, which plays
   * the rig's `fakeCaptureWav`: a capture path with no Web Audio in it, as a real microphone's.
   */
  party(name: string, toneHz: number, url?: string, options?: { deviceMicrophone?: boolean }): Promise<Party>;
  /** Where the app is served from: publish an org policy beside it (what IT does on the web server). */
  site: PolicySite;
  /** Where the web build's recordings land (the server's `recordings/` endpoint), and the store over it. */
  recordings: { dir: string; store: RecordingStore; failWrites(code: 'ENOSPC' | 'EACCES' | null): void };
  close(): Promise<void>;
}

/** The test run's own web build (tests/support/globalSetup.ts), else out/web (bench, demo). */
export const webBuildDir = (): string => process.env.WHISPERLINE_WEB_DIR ?? join(process.cwd(), 'out/web');

export interface RigOptions {
  /** Trust this one server key (base64 SHA-256 of its SPKI), as IT would deploy a PBX's certificate. */
  trustSpki?: string | null;
  /** What Chromium's fake capture device plays (a WAV), for parties with `deviceMicrophone`. */
  fakeCaptureWav?: string;
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath} (apt-get install chromium)`);
  // A copy of the web build per rig, so a policy published here touches no other test file.
  const siteDir = mkdtempSync(join(tmpdir(), 'whisperline-site-'));
  cpSync(webBuildDir(), siteDir, { recursive: true });
  const recordingsDir = mkdtempSync(join(tmpdir(), 'whisperline-recordings-'));
  // Writes can be made to fail as on a full disk, to test a recording that stops mid-call.
  const disk = faultyFs();
  const recordings = new RecordingStore(recordingsDir, { fs: disk.fs });
  // The org service is reached through the site, as IT proxies it (/org/ → the published policy's orgService.url).
  let orgServiceUrl: string | undefined;
  const orgRoutes = orgProxyRoutes(() => orgServiceUrl);
  const recordingHandler = recordingRoutes(recordings);
  const web = await serveStatic(siteDir, { handle: async (req, res) => (await orgRoutes(req, res)) || recordingHandler(req, res) });
  const args = [...flags];
  if (options.trustSpki) args.push(`--ignore-certificate-errors-spki-list=${options.trustSpki}`);
  if (options.fakeCaptureWav) args.push(`--use-file-for-fake-audio-capture=${options.fakeCaptureWav}`);
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    appUrl: web.url,
    recordings: { dir: recordingsDir, store: recordings, failWrites: disk.failWrites },
    async party(name, toneHz, url, partyOptions = {}) {
      // One context per party: its own storage, like a separate desktop.
      const context = await browser.newContext({ permissions: ['microphone'] });
      contexts.push(context);
      if (!partyOptions.deviceMicrophone) await context.addInitScript(toneMicrophone, toneHz);
      await context.addInitScript(trackPeerConnections);
      const sipTrace: string[] = [];
      const wire: string[] = [];
      context.on('page', (p) => traceSip(p, sipTrace, wire));
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`[${name}] page error:`, e.message));
      await page.goto(url ?? web.url);
      return { name, toneHz, context, page, sipTrace, wire };
    },
    site: {
      publish(p: PublishedPolicy | null) {
        for (const f of ['policy.signed.json', 'admin.pub']) rmSync(join(siteDir, f), { force: true });
        orgServiceUrl = p?.policy.orgService?.url;
        if (!p) return;
        writeFileSync(join(siteDir, 'admin.pub'), `${p.adminPub}\n`);
        writeFileSync(join(siteDir, 'policy.signed.json'), p.signedText);
      },
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await web.close();
      rmSync(siteDir, { recursive: true, force: true });
      if (!process.env.KEEP_RECORDINGS) rmSync(recordingsDir, { recursive: true, force: true });
      else console.log(`recordings kept in ${recordingsDir}`);
    },
  };
}
