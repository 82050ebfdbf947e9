import { expect } from 'vitest';
import type { Party } from './browser';
import { hears, mediaReport } from './audioProbe';
import { pbxGist } from './pbxGist';

export * from '../../src/node/appDriver';
export { hears, listen, mark, around } from './audioProbe';

/** A tone counts as heard above this median level; a silent channel measures far below it. */
export const heardDb = -40;
export const silentDb = -60;

export async function expectHears(party: Party, hz: number, timeout = 15_000): Promise<void> {
  try {
    await expect.poll(async () => (await hears(party, [hz]))[hz], { timeout, message: `${party.name} should hear ${hz} Hz` }).toBeGreaterThan(heardDb);
  } catch (e) {
    // What the party's WebRTC stack saw: a path that never came up, or audio that came but was not played.
    console.log(`${party.name} did not hear ${hz} Hz; media: ${await mediaReport(party)}`);
    throw e;
  }
}

/** `below`: a G.711 call puts a tone's quantization products on a 200 Hz grid near −52 dBFS, so silence there is judged at −45. */
export async function expectSilent(party: Party, hz: number, timeout = 15_000, below = silentDb): Promise<void> {
  await expect.poll(async () => (await hears(party, [hz]))[hz], { timeout, message: `${party.name} should not hear ${hz} Hz` }).toBeLessThan(below);
}

/** What each party's app shows (calls, notices) and its last SIP messages: printed when a step fails. */
export async function describeParties(parties: Party[], lastSip = 40): Promise<string> {
  const parts = await Promise.all(
    parties.map(async (p) => {
      const calls = await p.page
        .locator('[data-testid="call"]')
        .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-state')} ${e.getAttribute('data-remote')}: ${(e.textContent ?? '').slice(0, 120)}`))
        .catch((e: Error) => [`(page unreadable: ${e.message})`]);
      const notices = await p.page.getByTestId('notice').allTextContents().catch(() => []);
      return [`--- ${p.name}: calls ${JSON.stringify(calls)}; notices ${JSON.stringify(notices)}`, ...p.sipTrace.slice(-lastSip)].join('\n');
    }),
  );
  return parts.join('\n');
}

/**
 * Runs a test's steps; if one fails, adds what every party saw (calls, notices, last SIP lines; the
 * PBX's last call events with `pbxLog`) to the error itself: a CI report may keep only the failures' summary.
 */
export async function explainedOnFailure(parties: Party[], steps: () => Promise<void>, pbxLog?: () => string): Promise<void> {
  try {
    await steps();
  } catch (e) {
    const seen = `What each party saw (last SIP lines):\n${await describeParties(parties, 20)}${pbxLog ? `\nWhat the PBX logged last:\n${pbxGist(pbxLog())}` : ''}`;
    if (e instanceof Error) e.message += `\n${seen}`;
    else console.log(`Step failed. ${seen}`);
    throw e;
  }
}
