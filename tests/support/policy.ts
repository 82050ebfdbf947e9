import type { Page } from 'playwright-core';
import { openSettings } from '../../src/node/appDriver';
import { examplePolicy } from '../../src/node/adminCli';
import { bytesToBase64 } from '../../src/shared/policy/canonical';
import { policySchema, type OrgPolicy } from '../../src/shared/policy/schema';
import { keyIdOf, signPolicy } from '../../src/shared/policy/signedPolicy';
import { makeStatementPayload, signStatement } from '../../src/shared/policy/statement';
import type { SupervisionMode } from '../../src/shared/supervision/modes';

// The example org policy (src/node/adminCli.ts), its people on `domain`, with the given public keys
// enrolled, signed by a fresh admin key: what IT would publish. 1101 leads Support (1001, 1002);
// 1201 is a trainer (listen, whisper anywhere); 1301 QA (listen); 1003 is in Sales, led by nobody.

export interface PublishedPolicy {
  policy: OrgPolicy;
  /** policy.signed.json */
  signedText: string;
  /** admin.pub */
  adminPub: string;
  /** The admin key's id, which the page's policy summary names. */
  keyId: string;
}

export async function makeOrgPolicy(
  domain: string,
  keys: Record<string, string | string[]>,
  tweak: (input: ReturnType<typeof examplePolicy>) => void = () => undefined,
  validFor = { pastMs: 3600_000, futureMs: 30 * 86400_000 },
): Promise<PublishedPolicy> {
  const admin = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const adminPub = bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', admin.publicKey)));
  const now = Date.now();
  const input = examplePolicy({ domain, issuedAt: new Date(now - validFor.pastMs).toISOString(), expiresAt: new Date(now + validFor.futureMs).toISOString() });
  tweak(input);
  for (const person of input.people) {
    const ext = person.id.split('@')[0];
    const mine = keys[ext] === undefined ? [] : ([] as string[]).concat(keys[ext]);
    person.supervisorKeys = mine.map((publicKey, i) => ({ publicKey, enrolledAt: new Date(now).toISOString(), label: `test key ${i + 1} of ${ext}` }));
  }
  const signed = await signPolicy(input, admin.privateKey, adminPub);
  return { policy: policySchema.parse(input), signedText: JSON.stringify(signed, null, 2), adminPub, keyId: await keyIdOf(adminPub) };
}

export async function newKeyPair(): Promise<{ pair: CryptoKeyPair; publicKey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { pair, publicKey: bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))) };
}

/** A statement as a supervisor's app would make it (override any field to forge one). */
export async function statementFrom(
  pair: CryptoKeyPair,
  o: { sup: string; agent: string; binding?: string; mode: SupervisionMode; now?: Date; lifetimeSeconds?: number; nonce?: string },
): Promise<string> {
  const payload = await makeStatementPayload({ sup: o.sup, agent: o.agent, binding: o.binding ?? '*', mode: o.mode, now: o.now ?? new Date(), lifetimeSeconds: o.lifetimeSeconds, nonce: o.nonce });
  return signStatement(payload, pair);
}

/** Opens Settings → Organisation on a page signed in as a supervisor and reads the key to enrol. */
export async function supervisorPublicKey(page: Page): Promise<string> {
  const key = page.getByTestId('supervisor-public-key');
  await openSettings(page, 'supervisor-public-key');
  const value = await key.inputValue();
  await page.keyboard.press('Escape');
  await page.getByTestId('settings').waitFor({ state: 'hidden' });
  return value;
}

/**
 * Has the page look at the published policy again (Settings → Organisation), until it is `state`
 * (and, given `keyId`, the policy signed by that admin key: one replaced while the page ran).
 */
export async function refreshPolicy(page: Page, state: 'active' | 'none' = 'active', keyId?: string): Promise<void> {
  await openSettings(page, 'org-policy');
  const status = page.getByTestId('org-policy');
  const current = async () => (await status.getAttribute('data-state').catch(() => null)) === state && (!keyId || ((await status.textContent().catch(() => '')) ?? '').includes(keyId));
  for (let i = 0; i < 40 && !(await current()); i++) {
    await page.getByTestId('org-policy-refresh').click();
    await page.waitForTimeout(250);
  }
  const wanted = page.locator(`[data-testid="org-policy"][data-state="${state}"]`);
  await (keyId ? wanted.filter({ hasText: keyId }) : wanted).waitFor({ timeout: 5000 });
  await page.keyboard.press('Escape');
  await page.getByTestId('settings').waitFor({ state: 'hidden' });
}

/** The site a scenario's pages are served from: publishing there is what IT does on the web server. */
export interface PolicySite {
  publish(p: PublishedPolicy | null): void;
}

/**
 * Enrols each supervisor page's own browser key (plus `extraKeys`, e.g. keys a test signs with
 * itself), publishes the signed policy on the scenario's site, and has every page pick it up.
 */
export async function enrolAndPublish(
  site: PolicySite,
  domain: string,
  supervisors: Record<string, Page>,
  extraKeys: Record<string, string[]> = {},
  otherPages: Page[] = [],
  tweak?: (input: ReturnType<typeof examplePolicy>) => void,
): Promise<PublishedPolicy> {
  const keys: Record<string, string[]> = { ...extraKeys };
  for (const [ext, page] of Object.entries(supervisors)) keys[ext] = [...(keys[ext] ?? []), await supervisorPublicKey(page)];
  const published = await makeOrgPolicy(domain, keys, tweak);
  site.publish(published);
  for (const page of [...Object.values(supervisors), ...otherPages]) await refreshPolicy(page, 'active', published.keyId);
  return published;
}
