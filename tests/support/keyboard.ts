import type { Page } from 'playwright-core';

/** What has the keyboard focus now, for a failure message: tag, test id and text. */
export function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return 'nothing';
    return `<${el.tagName.toLowerCase()} data-testid="${el.dataset.testid ?? ''}">${(el.textContent ?? '').trim().slice(0, 40)}`;
  });
}

/**
 * Presses Tab (or Shift+Tab) until the element with this test id has the focus, as a keyboard user
 * moves through the page; fails if it is not reachable in `max` presses.
 */
export async function tabTo(page: Page, testId: string, { max = 80, backwards = false } = {}): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i <= max; i++) {
    const there = await page.evaluate((id) => document.activeElement?.matches(`[data-testid="${id}"]`) ?? false, testId);
    if (there) return;
    if (i < 12) seen.push(await focusedElement(page));
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached [data-testid="${testId}"] in ${max} presses; focus went ${seen.join(' → ')} …`);
}

/** Tab to it, then Enter: a keyboard user's click. */
export async function pressOn(page: Page, testId: string, key = 'Enter'): Promise<void> {
  await tabTo(page, testId);
  await page.keyboard.press(key);
}
