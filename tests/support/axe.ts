import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/** axe-core's serious and critical WCAG 2.1 A/AA findings on the page as it is now, one line each. */
export async function seriousFindings(page: Page): Promise<string[]> {
  // Colours are judged as the user sees them at rest, not halfway through a fade (a dialog
  // opening, a button turning enabled); the microphone meter moves all the time and is left out.
  const fading = () =>
    page.evaluate(
      () =>
        document.getAnimations().filter((a) => {
          const target = (a.effect as KeyframeEffect | null)?.target;
          return a instanceof CSSTransition && a.playState === 'running' && !target?.closest('.MuiLinearProgress-root');
        }).length,
    );
  await expect.poll(fading).toBe(0);
  // Evaluated through the DevTools protocol: the app's CSP (script-src 'self') refuses an inline script.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Finding[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}) at ${n.target.join(' ')} ${n.html.slice(0, 120)}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`));
}
