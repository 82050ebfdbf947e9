import { afterAll, beforeAll } from 'vitest';
import { startSipServer, type SipServer } from '../../src/node/sipServer';
import { startRig, type Party, type Rig } from './browser';

export interface Scenario<P extends string> {
  sip: SipServer;
  rig: Rig;
  party: Record<P, Party>;
}

/**
 * A test file's world: its own Kamailio on a free loopback port with these accounts, one Chromium,
 * and a party (own browser context, own tone microphone) per entry of `tones`. Torn down after.
 */
export function useScenario<P extends string>(accounts: Record<string, string>, tones: Record<P, number>): Scenario<P> {
  const s = { party: {} } as Scenario<P>;
  beforeAll(async () => {
    s.sip = await startSipServer({ accounts });
    s.rig = await startRig();
    for (const name of Object.keys(tones) as P[]) s.party[name] = await s.rig.party(name, tones[name]);
  });
  afterAll(async () => {
    await s.rig?.close();
    await s.sip?.stop();
  });
  return s;
}
