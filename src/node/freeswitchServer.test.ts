import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dialplanXml, fsCodecs, proxyInfoSetting, renderFreeswitchConfig, type FreeswitchRenderOptions } from './freeswitchConfig';
import { findFreeswitch } from './freeswitchServer';

const dir = mkdtempSync(join(tmpdir(), 'wl-fs-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('findFreeswitch', () => {
  it('says where it looked and how to point elsewhere when nothing is there', () => {
    const r = findFreeswitch({ WHISPERLINE_FREESWITCH: join(dir, 'nowhere') });
    expect(r.found).toBe(false);
    if (!r.found) expect(r.reason).toMatch(/no FreeSWITCH at .*nowhere.*WHISPERLINE_FREESWITCH must name/);
  });

  it('names the missing modules of an install without sofia', () => {
    const prefix = join(dir, 'bare');
    mkdirSync(join(prefix, 'bin'), { recursive: true });
    writeFileSync(join(prefix, 'bin/freeswitch'), '');
    const r = findFreeswitch({ WHISPERLINE_FREESWITCH: join(prefix, 'bin/freeswitch') });
    expect(r.found).toBe(false);
    if (!r.found) expect(r.reason).toMatch(/has no mod_sofia, .*mod_opus in .*bare\/lib\/freeswitch\/mod/);
  });

  it('accepts a complete install, given as a prefix or as its binary', () => {
    const prefix = join(dir, 'full');
    mkdirSync(join(prefix, 'bin'), { recursive: true });
    mkdirSync(join(prefix, 'lib/freeswitch/mod'), { recursive: true });
    mkdirSync(join(prefix, 'etc/freeswitch'), { recursive: true });
    writeFileSync(join(prefix, 'bin/freeswitch'), '');
    writeFileSync(join(prefix, 'etc/freeswitch/vars.xml'), '');
    for (const m of ['mod_sofia', 'mod_dptools', 'mod_dialplan_xml', 'mod_hash', 'mod_commands', 'mod_opus']) writeFileSync(join(prefix, `lib/freeswitch/mod/${m}.so`), '');
    for (const given of [prefix, join(prefix, 'bin/freeswitch')]) expect(findFreeswitch({ WHISPERLINE_FREESWITCH: given })).toMatchObject({ found: true, prefix, binary: join(prefix, 'bin/freeswitch') });
  });
});

const base: FreeswitchRenderOptions = {
  dir,
  vanillaConfDir: '/nonexistent',
  moduleDir: '/nonexistent',
  accounts: { '1001': 'agent-pw', '2001': 'customer-pw' },
  domain: 'whisperline.test',
  wsPort: 5066,
  sipUdpPort: 5060,
  externalPort: 0,
  rtpStart: 40000,
  rtpEnd: 40199,
  codecs: ['opus', 'ulaw', 'alaw'],
  sipTrace: false,
  proxyInfo: true,
  spiedLeg: 'agent',
  stock: false,
};
const rendered = async (o: Partial<FreeswitchRenderOptions> = {}) => {
  const { confDir } = await renderFreeswitchConfig({ ...base, ...o });
  return readFileSync(join(confDir, 'freeswitch.xml'), 'utf8');
};

describe('the FreeSWITCH rig’s own config', () => {
  it('listens on loopback only, with this instance’s ports and RTP range, and no STUN', async () => {
    const xml = await rendered();
    expect(xml).toContain('<param name="ws-binding" value="127.0.0.1:5066"/>');
    expect(xml).toContain('<param name="sip-port" value="5060"/>');
    expect(xml).toContain('<param name="sip-ip" value="127.0.0.1"/>');
    expect(xml).toContain('<param name="rtp-start-port" value="40000"/>');
    expect(xml).not.toMatch(/stun:|stun-set|mod_event_socket|mod_verto|\{\{[A-Z_]+\}\}/);
  });

  it('has each account as a directory user with its password, and the codecs by FreeSWITCH’s names', async () => {
    const xml = await rendered();
    expect(xml).toMatch(/<user id="1001">\s*<params><param name="password" value="agent-pw"\/>/);
    expect(xml).toContain('<param name="inbound-codec-prefs" value="OPUS,PCMU,PCMA"/>');
    expect(fsCodecs(['ulaw', 'G722'])).toBe('PCMU,G722');
  });

  it('has the documented supervision setting, or not', async () => {
    expect(await rendered()).toContain(proxyInfoSetting);
    expect(await rendered({ proxyInfo: false })).not.toContain('proxy-info-content-types" value');
    expect(proxyInfoSetting).toBe('<param name="proxy-info-content-types" value="application/vnd.whisperline.supervision+json"/>');
  });

  it('eavesdrops on the agent’s own leg or on the customer’s, as set', () => {
    const agent = dialplanXml(base.accounts, base.domain, 'agent');
    expect(agent).toContain('insert/whisperline.test-spymap/${caller_id_number}/${uuid}');
    expect(agent).toContain('insert/whisperline.test-spymap/$1/${wl_b_uuid}');
    const customer = dialplanXml(base.accounts, base.domain, 'customer');
    expect(customer).toContain('insert/whisperline.test-spymap/${caller_id_number}/${wl_b_uuid}');
    expect(customer).toContain('insert/whisperline.test-spymap/$1/${uuid}');
    expect(agent).toContain('expression="^\\*33(1001|2001)$"');
    expect(agent).toContain('{origination_uuid=${wl_b_uuid}}user/$1@whisperline.test');
  });

  it('refuses account names and passwords with characters that mean something in XML or a dialplan', async () => {
    for (const accounts of [{ '1001': 'pw"/><x' }, { '10|01': 'pw' }, { '1001': 'a b' }, { alice: 'pw' }] as Array<Record<string, string>>)
      await expect(rendered({ accounts })).rejects.toThrow(/Unsupported character|2-7 digit extensions/);
    await expect(rendered({ domain: 'evil"domain' })).rejects.toThrow(/Unsupported character/);
  });
});

describe('the stock variant', () => {
  const install = findFreeswitch();
  it.skipIf(!install.found)('is the install’s vanilla config on loopback, with our users and only the documented setting added', async () => {
    if (!install.found) return;
    const { confDir } = await renderFreeswitchConfig({ ...base, stock: true, vanillaConfDir: install.confDir, moduleDir: install.moduleDir, externalPort: 5080 });
    const vars = readFileSync(join(confDir, 'vars.xml'), 'utf8');
    expect(vars).not.toMatch(/stun-set|=stun:/);
    expect(vars).toContain('data="domain=whisperline.test"');
    const internal = readFileSync(join(confDir, 'sip_profiles/internal.xml'), 'utf8');
    expect(internal).toContain('value="127.0.0.1:5066"');
    expect(internal).toContain(proxyInfoSetting);
    expect(readFileSync(join(confDir, 'directory/default/1001.xml'), 'utf8')).toContain('value="agent-pw"');
    expect(readFileSync(join(confDir, 'autoload_configs/modules.conf.xml'), 'utf8')).not.toMatch(/<load module="mod_(verto|event_socket)"/);
  });
  if (!install.found) console.log(`skipped: the stock FreeSWITCH config: ${install.reason}`);
});
