import { expect } from 'vitest';
import type { Party } from './browser';
import { hears } from './audioProbe';

export * from './appDriver';
export { hears, listen, mark, around } from './audioProbe';

/** A tone counts as heard above this median level; a silent channel measures far below it. */
export const heardDb = -40;
export const silentDb = -60;

export async function expectHears(party: Party, hz: number, timeout = 15_000): Promise<void> {
  await expect.poll(async () => (await hears(party, [hz]))[hz], { timeout, message: `${party.name} should hear ${hz} Hz` }).toBeGreaterThan(heardDb);
}

/** `below`: a G.711 call puts a tone's quantization products on a 200 Hz grid near −52 dBFS, so silence there is judged at −45. */
export async function expectSilent(party: Party, hz: number, timeout = 15_000, below = silentDb): Promise<void> {
  await expect.poll(async () => (await hears(party, [hz]))[hz], { timeout, message: `${party.name} should not hear ${hz} Hz` }).toBeLessThan(below);
}
