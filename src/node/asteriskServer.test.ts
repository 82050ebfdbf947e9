import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderAsteriskConfig } from './asteriskServer';

// The rig's two Asterisk variants differ only in how the PBX presents a caller: ours names the SIP
// domain in From (from_domain) and sends P-Asserted-Identity; a stock install does neither.
const dir = mkdtempSync(join(tmpdir(), 'wl-ast-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const render = (stock: boolean) =>
  renderAsteriskConfig({
    dir,
    install: { found: true, prefix: '/opt/x', binary: '/opt/x/sbin/asterisk', moduleDir: '/opt/x/lib/asterisk/modules', dataDir: '/opt/x/var/lib/asterisk' },
    accounts: { '1001': 'pw' },
    domain: 'whisperline.test',
    httpPort: 8088,
    rtpStart: 10000,
    rtpEnd: 10199,
    codecs: ['opus', 'ulaw'],
    sipTrace: false,
    supervisionHook: true,
    httpEnabled: true,
    stock,
  });
const settings = (text: string) => text.split('\n').filter((l) => /^\s*[a-z_]+\s*=/.test(l)).map((l) => l.replace(/\s+/g, ' ').trim());

describe('the Asterisk rig’s config', () => {
  it('shipped: From names the SIP domain, PAI is sent, the realm is ours', async () => {
    const pjsip = settings((await render(false)).files['pjsip.conf']);
    expect(pjsip).toEqual(expect.arrayContaining(['from_domain = whisperline.test', 'send_pai = yes', 'realm = whisperline.test', 'default_realm = whisperline.test']));
  });

  it('stock: none of that, and still the documented supervision hook', async () => {
    const { files } = await render(true);
    const pjsip = settings(files['pjsip.conf']);
    for (const key of ['from_domain', 'send_pai', 'trust_id_outbound', 'realm', 'default_realm', 'endpoint_identifier_order']) expect(pjsip.filter((l) => l.startsWith(`${key} =`))).toEqual([]);
    expect(pjsip).toContain('webrtc = yes');
    expect(files['extensions_whisperline.conf']).toMatch(/\[whisperline-supervision\]/);
  });
});
