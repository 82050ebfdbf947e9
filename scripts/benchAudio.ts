// Audio timing helpers for the benchmark: when a tone is first heard, one-way latency.
import type { Page } from 'playwright-core';

/** Wall-clock ms (Date.now) when the page's headset first carries `hz` above -40 dBFS. */
export function firstHeard(page: Page, hz: number, timeoutMs = 10_000, windowSamples = 4096): Promise<number> {
  return page.evaluate(
    async ({ hz, timeoutMs, windowSamples }) => {
      const diag = (window as unknown as { whisperlineDiagnostics: { headsetLevels(f: number[], w?: number): { tones: Record<number, number> } } }).whisperlineDiagnostics;
      const end = performance.now() + timeoutMs;
      while (performance.now() < end) {
        if (diag.headsetLevels([hz], windowSamples).tones[hz] > -40) return Date.now();
        await new Promise((r) => setTimeout(r, 2));
      }
      throw new Error(`${hz} Hz not heard within ${timeoutMs} ms`);
    },
    { hz, timeoutMs, windowSamples },
  );
}

/** Waits until the page's headset no longer carries `hz`. */
export async function untilSilent(page: Page, hz: number): Promise<void> {
  await page.waitForFunction(
    (hz) => (window as unknown as { whisperlineDiagnostics: { headsetLevels(f: number[], w?: number): { tones: Record<number, number> } } }).whisperlineDiagnostics.headsetLevels([hz], 1024).tones[hz] < -60,
    hz,
    { polling: 10, timeout: 10_000 },
  );
}

/** Switches a party's tone microphone on or off; resolves with the wall-clock time it happened. */
export function setTone(page: Page, on: boolean): Promise<number> {
  return page.evaluate((on) => {
    const tone = (window as unknown as { __tone: { ctx: AudioContext; gain: GainNode } }).__tone;
    tone.gain.gain.setValueAtTime(on ? 0.3 : 0, tone.ctx.currentTime);
    return Date.now();
  }, on);
}

/** One-way latency: tone switched on at the source page → first detected in the listener's headset (21 ms window). */
export async function oneWayLatency(source: Page, listener: Page, hz: number): Promise<number> {
  await setTone(source, false);
  await untilSilent(listener, hz);
  await new Promise((r) => setTimeout(r, 150));
  const heard = firstHeard(listener, hz, 5000, 1024);
  const on = await setTone(source, true);
  return (await heard) - on;
}

export const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, min: s[0], median: q(0.5), p90: q(0.9), p95: q(0.95), max: s[s.length - 1], mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length) };
};

/**
 * Clicks and returns the wall-clock time (Date.now scale) of the click event in the page: what the
 * user did, without Playwright's own actionability checks before it (tens of ms on a busy machine).
 */
export async function clickAt(page: Page, testId: string): Promise<number> {
  await page.evaluate(() => {
    const w = window as unknown as { __clickWatch?: boolean; __lastClickAt: number };
    if (!w.__clickWatch) {
      w.__clickWatch = true;
      document.addEventListener('click', (e) => (w.__lastClickAt = Date.now() - (performance.now() - e.timeStamp)), true);
    }
    w.__lastClickAt = 0;
  });
  await page.getByTestId(testId).click();
  return Math.round(await page.evaluate(() => (window as unknown as { __lastClickAt: number }).__lastClickAt));
}

/**
 * Joins agent 1001's call `samples` times: click Listen → the supervisor first hears `customerHz`
 * (the supervisor leaves between joins and stays on after the last). The first is the page's first join.
 */
export async function joinSamples(supervisor: Page, customerHz: number, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    await untilSilent(supervisor, customerHz);
    const heard = firstHeard(supervisor, customerHz, 10_000, 1024);
    await supervisor.getByTestId('supervise-target').fill('1001');
    const clicked = await clickAt(supervisor, 'supervise-listen');
    out.push((await heard) - clicked);
    await supervisor.locator('[data-testid="supervision"][data-state="active"]').waitFor();
    if (i < samples - 1) {
      await supervisor.getByTestId('leave').click();
      await supervisor.getByTestId('supervision').waitFor({ state: 'detached' });
    }
  }
  return out;
}

/** Click Whisper (from listen) → the agent first hears `supervisorHz`, `samples` times; ends in whisper. */
export async function switchSamples(supervisor: Page, agent: Page, supervisorHz: number, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    await untilSilent(agent, supervisorHz);
    const heard = firstHeard(agent, supervisorHz, 5000, 1024);
    const clicked = await clickAt(supervisor, 'mode-whisper');
    out.push((await heard) - clicked);
    await supervisor.locator('[data-testid="supervision"][data-mode="whisper"]').waitFor();
    if (i < samples - 1) {
      await supervisor.getByTestId('mode-listen').click();
      await supervisor.locator('[data-testid="supervision"][data-mode="listen"]').waitFor();
    }
  }
  return out;
}
