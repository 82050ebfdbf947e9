// The newcomer's demo: a real Kamailio on loopback, a demo customer (headless Chromium running the
// web build) who keeps calling extension 1001, and the agent view signed in as 1001.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { freeLoopbackPort } from '../src/node/sipServer';
import { findAsterisk } from '../src/node/asteriskServer';
import { startPbx, type PbxKind } from '../src/node/pbx';
import { serveStatic } from '../src/node/staticServer';
import { recordingRoutes } from '../src/node/recordingEndpoint';
import { orgProxyRoutes } from '../src/node/orgProxy';
import { RecordingStore } from '../src/main/recording/recordingStore';
import { createInterface } from 'node:readline';
import { makeDemoOrg } from './demoPolicy';
import { callCard, dial, waitRegistered, wrapUp } from '../src/node/appDriver';

const argv = process.argv.slice(2);
const args = new Set(argv);
/** `--pbx asterisk` runs the demo on a local Asterisk (found as the tests find it); Kamailio by default. */
const pbxArg = argv.includes('--pbx') ? argv[argv.indexOf('--pbx') + 1] : 'kamailio';
/** `--tls`: SIP over wss:// (Kamailio with a throwaway certificate that the demo's browsers trust by its key). */
const tls = args.has('--tls');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const accounts = { '1001': 'demo-agent', '1101': 'demo-supervisor', '2001': 'demo-customer' };
const root = process.cwd();

async function portOr(preferred: number): Promise<number> {
  const probe = await import('node:net');
  return new Promise((resolve) => {
    const srv = probe.createServer();
    srv.once('error', () => void freeLoopbackPort().then(resolve));
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolve(preferred)));
  });
}

function build(): void {
  console.log('[demo] Building the app…');
  for (const cmd of [['vite', 'build', '--config', 'vite.web.config.ts', '--logLevel', 'warn'], ['electron-vite', 'build', '--logLevel', 'warn']]) {
    const r = spawnSync('npx', cmd, { stdio: 'inherit', cwd: root });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

function electronBinary(): string | null {
  const pathFile = join(root, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

/** The customer's "voice": spoken words if espeak-ng is here, else Chromium's built-in beep. */
function customerVoice(): string | null {
  const wav = join(tmpdir(), 'whisperline-demo-customer.wav');
  if (existsSync(wav)) return wav;
  const text = 'Hello, this is the Whisperline demo customer. I have a question about my order. It has not arrived yet, can you help me please?';
  const r = spawnSync('espeak-ng', ['-s', '150', '-w', wav, text], { stdio: 'ignore' });
  return r.status === 0 ? wav : null;
}

let stopping = false;

/** How soon the customer tries again after the agent was not reachable (signed out, not ready, wrap-up). */
const retryMs = 3_000;

/**
 * Calls the agent, talks for a while, hangs up, wraps up, and does it again. A call that is refused
 * (agent not signed in yet, not ready, in wrap-up) is retried every few seconds, so the agent's phone
 * rings within seconds of signing in and of finishing each wrap-up.
 */
async function runCustomer(page: Page): Promise<void> {
  await waitRegistered(page, 30_000);
  while (!stopping) {
    try {
      await dial(page, '1001');
      await callCard(page).first().waitFor({ timeout: 5_000 }).catch(() => undefined);
      const outcome = await Promise.race([
        callCard(page, 'active').first().waitFor({ timeout: 30_000 }).then(() => 'answered' as const),
        callCard(page).first().waitFor({ state: 'detached', timeout: 30_000 }).then(() => 'refused' as const),
      ]).catch(() => 'unanswered' as const);
      if (outcome === 'answered') {
        console.log('[demo] The customer is talking to the agent.');
        await callCard(page).first().waitFor({ state: 'detached', timeout: 45_000 }).catch(async () => {
          await page.getByTestId('hangup').first().click();
        });
        await wrapUp(page).catch(() => undefined);
      } else if ((await callCard(page).count()) > 0) {
        await page.getByTestId('hangup').first().click();
      }
    } catch (e) {
      if (stopping) return;
      console.warn(`[demo] customer: ${(e as Error).message.split('\n')[0]}`);
    }
    await page.waitForTimeout(retryMs).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  build();
  const sipPort = await portOr(5066);
  if (pbxArg !== 'kamailio' && pbxArg !== 'asterisk') {
    console.error(`[demo] --pbx takes kamailio or asterisk, not "${pbxArg}".`);
    process.exit(2);
  }
  const pbx: PbxKind = pbxArg;
  if (pbx === 'asterisk') {
    const install = findAsterisk();
    if (!install.found) {
      console.error(`[demo] Cannot run on Asterisk: ${install.reason}. Asterisk is not packaged for Debian 12; see README → "PBX compatibility" for building one or pointing WHISPERLINE_ASTERISK at yours.`);
      process.exit(1);
    }
  }
  if (tls && pbx !== 'kamailio') {
    console.error('[demo] --tls runs on the demo Kamailio only (for Asterisk, README → "For IT" says how to enable wss://).');
    process.exit(1);
  }
  const sip = await startPbx(pbx, { accounts, port: sipPort, tls });
  const trustFlags = sip.tlsSpki ? [`--ignore-certificate-errors-spki-list=${sip.tlsSpki}`] : [];
  if (sip.tlsSpki) console.log(`[demo] wss:// with a certificate made for this run: a Chromium you open yourself needs ${trustFlags[0]}`);
  console.log(`[demo] SIP server (${pbx === 'asterisk' ? 'Asterisk' : 'Kamailio'}) on ${sip.wsUrl}, domain ${sip.domain}`);
  const account = (ext: keyof typeof accounts, role: 'agent' | 'supervisor' = 'agent') => ({
    account: { server: sip.wsUrl, domain: sip.domain, extension: ext, authUser: '', displayName: ext === '2001' ? 'Demo Customer' : ext === '1101' ? 'Demo Supervisor' : 'Demo Agent' },
    password: accounts[ext],
    role,
  });
  // Team reports: the org service as its own process on its embedded store (README → Org service),
  // reading the same signed policy the desks get; the page reaches it at /org/ on its own server.
  const orgPort = await portOr(8470);
  const orgDir = join(root, '.tmp', 'demo-org');
  mkdirSync(orgDir, { recursive: true });
  const orgFiles = { policy: join(orgDir, 'policy.signed.json'), adminKey: join(orgDir, 'admin.pub') };
  // Who may supervise whom comes from a signed org policy published beside the page (README → For IT).
  const org = await makeDemoOrg(sip.domain, { orgServiceUrl: `http://127.0.0.1:${orgPort}`, files: orgFiles });
  const orgProc = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', '--policy', orgFiles.policy, '--admin-key', orgFiles.adminKey, '--db', join(root, '.tmp', 'demo-org-data'), '--port', String(orgPort)], { stdio: 'inherit', cwd: root });
  orgProc.on('exit', (code) => !stopping && console.warn(`[demo] The org service stopped (exit ${code}); reports are unavailable until the demo is started again.`));
  // The web build's recordings are stored by the server that serves it (README → Recording).
  const recordingsDir = join(root, '.tmp', 'demo-recordings');
  const recordings = new RecordingStore(recordingsDir);
  await recordings.recover();
  console.log(`[demo] Call recordings: ${recordingsDir}`);
  const orgRoutes = orgProxyRoutes(() => `http://127.0.0.1:${orgPort}`);
  const web = await serveStatic(join(root, 'out/web'), {
    port: await portOr(5173),
    handle: async (req, res) => (await orgRoutes(req, res)) || recordingRoutes(recordings)(req, res),
    json: {
      '/provision.json': (q) => (q.get('as') === 'customer' ? account('2001') : q.get('as') === 'supervisor' ? account('1101', 'supervisor') : account('1001')),
      '/policy.signed.json': () => org.signed(),
    },
    text: { '/admin.pub': () => `${org.adminPub}\n` },
  });
  // Enrolment, as IT would do it: a desk's key (Settings → Organisation) pasted here, after its extension.
  createInterface({ input: process.stdin }).on('line', (line) => {
    const m = /^\s*(?:(1001|1101)\s+)?(\S+)\s*$/.exec(line);
    if (!m) return;
    const ext = m[1] ?? '1101';
    void org.enrol(m[2], ext).then((ok) =>
      console.log(
        ok
          ? `[demo] Enrolled that key for ${ext === '1001' ? 'agent 1001' : 'supervisor 1101'} and signed the policy again: click "Check the policy again" in Settings → Organisation.`
          : '[demo] That is not a public key (expected 44 characters of base64 from Settings → Organisation, after 1001 or 1101).',
      ),
    );
  });

  const voice = customerVoice();
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', ...(voice ? [`--use-file-for-fake-audio-capture=${voice}`] : []),
      '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
      ...trustFlags,
    ],
  });
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(`${web.url}?as=customer`);
  void runCustomer(customer).catch((e: Error) => stopping || console.warn(`[demo] customer stopped: ${e.message}`));
  console.log('[demo] Demo customer (ext 2001) is up and will call extension 1001.');

  let agentProc: ChildProcess | null = null;
  const electron = electronBinary();
  const display = !!process.env.DISPLAY || process.platform === 'darwin' || process.platform === 'win32';
  if (electron && display && !args.has('--web')) {
    const profile = join(homedir(), '.whisperline-demo');
    mkdirSync(profile, { recursive: true });
    const provision = join(profile, 'provision.json');
    writeFileSync(provision, JSON.stringify(account('1001')));
    agentProc = spawn(electron, [join(root, 'out/main/index.js'), ...trustFlags], { stdio: 'inherit', env: { ...process.env, WHISPERLINE_PROVISION: provision, WHISPERLINE_USER_DATA: profile } });
    console.log('[demo] Opened the Whisperline desktop app as agent 1001.');
  } else if (display && existsSync(chromiumPath)) {
    agentProc = spawn(chromiumPath, [`--app=${web.url}`, `--user-data-dir=${join(tmpdir(), 'whisperline-demo-agent')}`, '--no-first-run', '--disable-background-networking', ...trustFlags], { stdio: 'ignore' });
    console.log(`[demo] No Electron binary here: opened the web build in Chromium (${web.url}).`);
  } else {
    console.log(`[demo] No display here: open ${web.url} in a browser on this machine (agent 1001).`);
  }
  console.log(`[demo] Agent: ${web.url}   Other demo logins: ${web.url}?as=supervisor (ext 1101), ${web.url}?as=customer (ext 2001)`);
  console.log('[demo] To supervise: open the supervisor login, copy your key from Settings → Organisation, paste it here after "1101 " and press Enter.');
  console.log('[demo] For team reports: paste the agent window\'s key the same way after "1001 "; its calls then reach the org service, and the supervisor\'s Reports button shows them.');
  console.log('[demo] Press Ctrl+C to stop.');

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\n[demo] Stopping…');
    agentProc?.kill();
    orgProc.kill('SIGTERM');
    await sip.stop(); // first, so no SIP server is ever left behind
    await browser.close().catch(() => undefined);
    await web.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  agentProc?.on('exit', () => void stop());
}

void main();
