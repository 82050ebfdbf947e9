import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplePolicy } from '../../src/node/adminCli';
import { serveStatic } from '../../src/node/staticServer';
import { openSettings } from '../../src/node/appDriver';
import { bytesToBase64 } from '../../src/shared/policy/canonical';
import { signPolicy } from '../../src/shared/policy/signedPolicy';
import { startRig, type Rig } from '../support/browser';

// The web build takes its org policy from the server that hosts it (policy.signed.json + admin.pub
// beside the page), verified in the page like the desktop app verifies the managed one; a
// supervisor's own key is made in the browser and shown for IT to enrol.

let rig: Rig;
let site: { url: string; close(): Promise<void> };
const dir = mkdtempSync(join(tmpdir(), 'whisperline-org-'));

beforeAll(async () => {
  rig = await startRig();
  // A copy of the test run's web build, so publishing a policy here touches no other test.
  cpSync(process.env.WHISPERLINE_WEB_DIR!, dir, { recursive: true });
  site = await serveStatic(dir);
});
afterAll(async () => {
  await rig?.close();
  await site?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function becomeSupervisor(page: Page): Promise<void> {
  await openSettings(page);
  await page.getByTestId('settings-role').click();
  await page.getByRole('option', { name: 'A supervisor' }).click();
}

const policyState = (page: Page) => page.getByTestId('org-policy').getAttribute('data-state');

describe('org policy and supervisor key in the web build', () => {
  it('without a published policy, says supervision is off; a supervisor gets a key that stays', async () => {
    const { page } = await rig.party('supervisor', 1400, site.url);
    await openSettings(page);
    await expect.poll(() => policyState(page)).toBe('none');
    await expect(page.getByTestId('org-policy').textContent()).resolves.toMatch(/No org policy is published.*supervision is off/);
    await becomeSupervisor(page);
    const key = page.getByTestId('supervisor-public-key');
    await key.waitFor();
    const first = await key.inputValue();
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    await page.reload();
    await becomeSupervisor(page);
    await expect.poll(() => key.inputValue()).toBe(first);
  });

  it('shows a correctly signed policy that enrols this supervisor, and refuses it once a byte changes', async () => {
    const { page } = await rig.party('enrolled supervisor', 1400, site.url);
    await becomeSupervisor(page);
    const key = page.getByTestId('supervisor-public-key');
    await key.waitFor();
    const publicKey = await key.inputValue();

    const admin = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const adminPub = bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', admin.publicKey)));
    const now = Date.now();
    const policy = examplePolicy({ domain: 'whisperline.test', issuedAt: new Date(now - 3600_000).toISOString(), expiresAt: new Date(now + 30 * 86400_000).toISOString() });
    const sup = policy.people.find((p) => p.id === '1101@whisperline.test')!;
    sup.supervisorKeys = [{ publicKey, enrolledAt: new Date(now).toISOString(), label: 'test browser' }];
    const signed = JSON.stringify(await signPolicy(policy, admin.privateKey, adminPub), null, 2);
    writeFileSync(join(dir, 'admin.pub'), `${adminPub}\n`);
    writeFileSync(join(dir, 'policy.signed.json'), signed);
    try {
      await page.reload();
      await openSettings(page);
      await expect.poll(() => policyState(page)).toBe('active');
      await expect(page.getByTestId('org-policy').textContent()).resolves.toMatch(/Org policy of "Example Contact Center".*1 supervisor key enrolled/);

      // One byte changed by someone on the way: refused, and supervision is off (never "everything allowed").
      writeFileSync(join(dir, 'policy.signed.json'), signed.replace('"listen"', '"barge"'));
      await page.reload();
      await openSettings(page);
      await expect.poll(() => policyState(page)).toBe('none');
      await expect(page.getByTestId('org-policy').textContent()).resolves.toMatch(/refused: .*Supervision is off/);
    } finally {
      rmSync(join(dir, 'policy.signed.json'), { force: true });
      rmSync(join(dir, 'admin.pub'), { force: true });
    }
  });
});
