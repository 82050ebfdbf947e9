import { expect } from 'vitest';
import type { Party } from './browser';

export * from './appDriver';

/** Tone levels (dBFS) in what this party's headset plays, the loudest of a few short windows. */
export async function hears(party: Party, freqs: number[], windows = 6): Promise<Record<number, number>> {
  const best: Record<number, number> = Object.fromEntries(freqs.map((f) => [f, -Infinity]));
  for (let i = 0; i < windows; i++) {
    const { tones } = await party.page.evaluate(
      (f) => (window as unknown as { whisperlineDiagnostics: { headsetLevels(f: number[]): { tones: Record<number, number> } } }).whisperlineDiagnostics.headsetLevels(f),
      freqs,
    );
    for (const f of freqs) best[f] = Math.max(best[f], tones[f] ?? -Infinity);
    await party.page.waitForTimeout(100);
  }
  return best;
}

/** A tone counts as heard above this level; a silent channel measures far below it. */
export const heardDb = -40;
export const silentDb = -60;

export async function expectHears(party: Party, hz: number, timeout = 8000): Promise<void> {
  await expect.poll(async () => (await hears(party, [hz], 2))[hz], { timeout, message: `${party.name} should hear ${hz} Hz` }).toBeGreaterThan(heardDb);
}

export async function expectSilent(party: Party, hz: number, timeout = 8000): Promise<void> {
  await expect.poll(async () => (await hears(party, [hz], 4))[hz], { timeout, message: `${party.name} should not hear ${hz} Hz` }).toBeLessThan(silentDb);
}
