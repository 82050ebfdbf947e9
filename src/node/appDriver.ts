import type { Page } from 'playwright-core';

// Drives the app's UI the way an agent would: the demo's customer, the benchmarks and the end-to-end tests.

export interface AccountInput {
  server: string;
  domain: string;
  extension: string;
  password: string;
  displayName?: string;
  role?: 'agent' | 'supervisor';
  /** How supervision works on this PBX (Settings → "Supervision on this PBX"). */
  pbxProfile?: 'app-mixed' | 'asterisk-chanspy' | 'freeswitch-eavesdrop' | '3cx' | 'custom';
}

/**
 * Opens Settings and waits until `field` shows. The dialog may still be closing (a sign-in just
 * saved it): it counts as visible, then goes; so it is opened again until the field shows.
 */
export async function openSettings(page: Page, field = 'settings-server'): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (!(await page.getByTestId('settings').isVisible())) await page.getByTestId('open-settings').click();
    try {
      await page.getByTestId(field).waitFor({ timeout: 5000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

/** Fills the settings dialog as an agent would, and signs in. */
export async function signIn(page: Page, account: AccountInput): Promise<void> {
  await openSettings(page);
  await page.getByTestId('settings-server').fill(account.server);
  await page.getByTestId('settings-domain').fill(account.domain);
  await page.getByTestId('settings-extension').fill(account.extension);
  await page.getByTestId('settings-displayName').fill(account.displayName ?? `Ext ${account.extension}`);
  await page.getByTestId('settings-password').fill(account.password);
  if (account.pbxProfile) {
    await page.getByTestId('settings-pbx-profile').click();
    await page.getByTestId(`pbx-profile-${account.pbxProfile}`).click();
  }
  if (account.role) {
    await page.getByTestId('settings-role').click();
    await page.getByRole('option', { name: account.role === 'supervisor' ? 'A supervisor' : 'An agent' }).click();
  }
  await page.getByTestId('settings-save').click();
}

export async function registrationState(page: Page): Promise<string | null> {
  return page.getByTestId('registration').getAttribute('data-state');
}

export async function waitRegistered(page: Page, timeout = 20_000): Promise<void> {
  try {
    await page.locator('[data-testid="registration"][data-state="registered"]').waitFor({ timeout });
  } catch (e) {
    // Say where it got stuck (what the user sees), not only that it did.
    const state = await registrationState(page).catch(() => null);
    const message = await page.getByTestId('registration-message').textContent({ timeout: 1000 }).catch(() => null);
    throw new Error(`not registered within ${timeout} ms: state ${state ?? '?'}, message ${JSON.stringify(message)}`, { cause: e });
  }
}

export async function dial(page: Page, target: string): Promise<void> {
  await page.getByTestId('dial-input').fill(target);
  await page.getByTestId('dial').click();
}

export function callCard(page: Page, state?: string) {
  return page.locator(`[data-testid="call"]${state ? `[data-state="${state}"]` : ''}`);
}

export async function waitCallState(page: Page, state: string, timeout = 20_000): Promise<void> {
  await callCard(page, state).first().waitFor({ timeout });
}

/** Completes the wrap-up form that follows every answered call. */
export async function wrapUp(page: Page, opts: { resolved?: boolean; note?: string } = {}): Promise<void> {
  const dialog = page.getByTestId('wrapup');
  await dialog.waitFor();
  await page.getByTestId(opts.resolved === false ? 'wrapup-resolved-no' : 'wrapup-resolved-yes').check();
  if (opts.note) await page.getByTestId('wrapup-note').fill(opts.note);
  await page.getByTestId('wrapup-save').click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Leaves a party idle whatever a failed test left behind: no calls, no open wrap-up. */
export async function resetParty(page: Page): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const n = await callCard(page).count();
    if (n === 0) break;
    const buttons = page.locator('[data-testid="call"] [data-testid="hangup"], [data-testid="call"] [data-testid="decline"]');
    await buttons.first().click({ timeout: 2000 }).catch(() => undefined);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="call"]').length < n, n, { timeout: 5000 }).catch(() => undefined);
  }
  const wrap = page.getByTestId('wrapup');
  for (let i = 0; i < 3 && (await wrap.isVisible()); i++) {
    await page.getByTestId('wrapup-save').click().catch(() => undefined);
    await wrap.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
  }
}
