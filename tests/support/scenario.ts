import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { SipServer } from '../../src/node/sipServer';
import { startPbx, type PbxKind, type PbxOptions } from '../../src/node/pbx';
import { startRig, type Party, type Rig } from './browser';
import type { PolicySite } from './policy';

export interface Scenario<P extends string> {
  sip: SipServer;
  rig: Rig;
  party: Record<P, Party>;
  /** The server the pages come from: publish an org policy beside them (what IT does). */
  site: PolicySite;
}

/**
 * A test file's (or describe block's) world: its own SIP server (Kamailio by default, or Asterisk,
 * with `pbxOptions` such as Asterisk's codecs) on a free loopback port with these accounts, one Chromium, and a party (own browser context, own
 * tone microphone) per entry of `tones`. Torn down after.
 */
export function useScenario<P extends string>(
  accounts: Record<string, string>,
  tones: Record<P, number>,
  server: PbxKind = 'kamailio',
  pbxOptions: Omit<PbxOptions, 'accounts'> = {},
): Scenario<P> {
  const s = { party: {} } as Scenario<P>;
  s.site = { publish: (p) => s.rig.site.publish(p) };
  beforeAll(async () => {
    s.sip = await startPbx(server, { ...pbxOptions, accounts });
    s.rig = await startRig({ trustSpki: s.sip.tlsSpki });
    for (const name of Object.keys(tones) as P[]) s.party[name] = await s.rig.party(name, tones[name]);
  });
  if (server === 'asterisk') {
    // A failed test through Asterisk: say so when the app sent SDP without a single ICE candidate
    // (SIP.js stops waiting for ICE gathering after iceGatheringTimeout). Asterisk reads such an
    // offer (c=0.0.0.0, port 9) as hold and answers without ICE: no audio, or a BYE with 488.
    let logFrom = 0;
    beforeEach(() => {
      logFrom = s.sip?.log().length ?? 0;
    });
    afterEach((ctx) => {
      if (ctx.task.result?.state !== 'fail' || !s.sip) return;
      const bare = s.sip.log().slice(logFrom).match(/^m=audio 9 UDP\/TLS\/RTP\/SAVPF/gm)?.length ?? 0;
      if (bare) console.warn(`[asterisk] ${bare} SDP body(ies) from the app carried no ICE candidate (ICE gathering outlasted SIP.js's iceGatheringTimeout); Asterisk takes that as hold and answers without ICE.`);
    });
  }
  afterAll(async () => {
    // WHISPERLINE_PBX_LOGS=<dir>: keep each server's log (SIP trace included for Asterisk) for a look afterwards.
    const logDir = process.env.WHISPERLINE_PBX_LOGS;
    if (logDir && s.sip) {
      await mkdir(logDir, { recursive: true });
      await writeFile(join(logDir, `${server}-${Date.now()}.log`), s.sip.log());
    }
    await s.rig?.close();
    await s.sip?.stop();
  });
  return s;
}
