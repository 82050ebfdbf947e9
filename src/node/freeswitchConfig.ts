import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * FreeSWITCH configuration for the test rig, rendered per instance (src/node/freeswitchServer.ts).
 * Ours: resources/freeswitch/freeswitch.xml with the accounts, ports and dialplan filled in.
 * Stock: the install's own vanilla configuration (etc/freeswitch, copied at run time, never part of
 * this repository) with only what it takes to run on loopback in a temp dir, our accounts as
 * directory users and the one setting the README documents for app-mixed supervision.
 */

/** The content type of Whisperline's supervision protocol, relayed in-dialog as INFO. */
export const supervisionContentType = 'application/vnd.whisperline.supervision+json';
/** The sofia profile setting the README documents: relay in-dialog INFO of this type to the bridged call. */
export const proxyInfoSetting = `<param name="proxy-info-content-types" value="${supervisionContentType}"/>`;

/** Whose call leg `*33<ext>` eavesdrops on: the extension's own leg, or the leg of the party it talks to. */
export type SpiedLeg = 'agent' | 'customer';

export interface FreeswitchRenderOptions {
  /** The temp dir the instance runs in (conf/, log/, db/ … below it). */
  dir: string;
  /** The install's own configuration directory (the stock variant copies it). */
  vanillaConfDir: string;
  /** The install's module directory (the stock variant loads only modules present there). */
  moduleDir: string;
  accounts: Record<string, string>;
  domain: string;
  wsPort: number;
  sipUdpPort: number;
  /** Only the stock variant has a second profile (vanilla's "external"); a port of its own. */
  externalPort: number;
  rtpStart: number;
  rtpEnd: number;
  codecs: string[];
  sipTrace: boolean;
  /** Relay the supervision protocol's INFO between bridged calls (the documented setting). */
  proxyInfo: boolean;
  spiedLeg: SpiedLeg;
  stock: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
const templatePath = join(here, '../../resources/freeswitch/freeswitch.xml');

/** Account names and passwords go into XML attributes and regular expressions: nothing with meaning there. */
export function fsValue(value: string): string {
  if (!/^[\w.@+-]+$/.test(value)) throw new Error(`Unsupported character in SIP test account value: ${value}`);
  return value;
}

/** An extension the dialplan routes: digits only, as the dialplan matches them. */
function extension(user: string): string {
  if (!/^\d{2,7}$/.test(fsValue(user))) throw new Error(`FreeSWITCH test accounts must be 2-7 digit extensions: ${user}`);
  return user;
}

const codecNames: Record<string, string> = { opus: 'OPUS', ulaw: 'PCMU', pcmu: 'PCMU', alaw: 'PCMA', pcma: 'PCMA', g722: 'G722' };

/** Asterisk-style codec names (opus, ulaw, alaw) or FreeSWITCH's own, as FreeSWITCH names them. */
export function fsCodecs(codecs: string[]): string {
  return codecs.map((c) => codecNames[c.toLowerCase()] ?? fsValue(c).toUpperCase()).join(',');
}

function usersXml(accounts: Record<string, string>): string {
  return Object.entries(accounts)
    .map(([user, pass]) =>
      [
        `<user id="${extension(user)}">`,
        `  <params><param name="password" value="${fsValue(pass)}"/></params>`,
        '  <variables>',
        `    <variable name="effective_caller_id_name" value="${user}"/>`,
        `    <variable name="effective_caller_id_number" value="${user}"/>`,
        '  </variables>',
        '</user>',
      ].join('\n'),
    )
    .join('\n');
}

/**
 * Our dialplan. A call to an extension bridges to that user (30 s); each call records both parties'
 * extensions in the spymap hash (the vanilla config's scheme) so `*33<ext>` can eavesdrop. Which
 * leg a key points to is `spiedLeg`: the extension's own leg (agent), or its partner's (customer).
 * A supervision request (X-Whisperline-Supervise) never overwrites the agent's entry.
 */
export function dialplanXml(accounts: Record<string, string>, domain: string, spiedLeg: SpiedLeg): string {
  const pattern = Object.keys(accounts).map(extension).join('|');
  const own = { caller: '${uuid}', callee: '${wl_b_uuid}' };
  const partner = { caller: '${wl_b_uuid}', callee: '${uuid}' };
  const spy = spiedLeg === 'agent' ? own : partner;
  const d = fsValue(domain);
  return `      <extension name="wl-eavesdrop">
        <condition field="destination_number" expression="^\\*33(${pattern})$">
          <action application="answer"/>
          <action application="set" data="eavesdrop_enable_dtmf=true"/>
          <action application="eavesdrop" data="\${hash(select/${d}-spymap/$1)}"/>
        </condition>
      </extension>
      <extension name="wl-call-setup" continue="true">
        <condition field="destination_number" expression="^(${pattern})$">
          <action application="set" data="wl_b_uuid=\${create_uuid()}"/>
        </condition>
      </extension>
      <extension name="wl-spymap" continue="true">
        <condition field="\${sip_h_X-Whisperline-Supervise}" expression="^$"/>
        <condition field="destination_number" expression="^(${pattern})$">
          <action application="hash" data="insert/${d}-spymap/\${caller_id_number}/${spy.caller}"/>
          <action application="hash" data="insert/${d}-spymap/$1/${spy.callee}"/>
        </condition>
      </extension>
      <extension name="wl-call">
        <condition field="destination_number" expression="^(${pattern})$">
          <action application="set" data="call_timeout=30"/>
          <action application="set" data="hangup_after_bridge=true"/>
          <action application="bridge" data="{origination_uuid=\${wl_b_uuid}}user/$1@${d}"/>
        </condition>
      </extension>`;
}

export async function renderFreeswitchConfig(o: FreeswitchRenderOptions): Promise<{ confDir: string }> {
  const confDir = join(o.dir, 'conf');
  if (o.stock) await renderStock(o, confDir);
  else {
    const template = await readFile(templatePath, 'utf8');
    const text = template
      .replaceAll('{{DIR}}', o.dir)
      .replaceAll('{{DOMAIN}}', fsValue(o.domain))
      .replaceAll('{{WS_PORT}}', String(o.wsPort))
      .replaceAll('{{SIP_UDP_PORT}}', String(o.sipUdpPort))
      .replaceAll('{{RTP_START}}', String(o.rtpStart))
      .replaceAll('{{RTP_END}}', String(o.rtpEnd))
      .replaceAll('{{CODECS}}', fsCodecs(o.codecs))
      .replaceAll('{{SIP_TRACE}}', o.sipTrace ? 'yes' : 'no')
      .replaceAll('{{PROXY_INFO}}', o.proxyInfo ? proxyInfoSetting : '<!-- (not set: this instance runs without the documented setting) -->')
      .replaceAll('{{DIALPLAN}}', dialplanXml(o.accounts, o.domain, o.spiedLeg))
      .replaceAll('{{USERS}}', usersXml(o.accounts));
    await rm(confDir, { recursive: true, force: true });
    await mkdir(confDir, { recursive: true });
    await writeFile(join(confDir, 'freeswitch.xml'), text);
  }
  return { confDir };
}

/** Replace `from` by `to` in a file of the copied vanilla config; the setting must be there. */
async function patch(file: string, edits: Array<[RegExp | string, string]>): Promise<void> {
  let text = await readFile(file, 'utf8');
  for (const [from, to] of edits) {
    const next = text.replace(from, to);
    if (next === text && !text.includes(to)) throw new Error(`the vanilla FreeSWITCH config changed: ${String(from)} not found in ${file}`);
    text = next;
  }
  await writeFile(file, text);
}

/** Modules the vanilla modules.conf.xml loads that this install has, minus those binding fixed ports (event socket 8021, verto 8081/8082). */
async function vanillaModules(file: string, moduleDir: string): Promise<void> {
  const present = new Set((await readdir(moduleDir).catch(() => [])).map((n) => n.replace(/\.so$/, '')));
  const text = await readFile(file, 'utf8');
  const out = text.replace(/^(\s*)<load module="(mod_\w+)"\/>/gm, (line, indent: string, mod: string) =>
    present.has(mod) && mod !== 'mod_event_socket' && mod !== 'mod_verto' ? line : `${indent}<!-- (not loaded here) ${mod} -->`,
  );
  await writeFile(file, out);
}

async function renderStock(o: FreeswitchRenderOptions, confDir: string): Promise<void> {
  await rm(confDir, { recursive: true, force: true });
  await cp(o.vanillaConfDir, confDir, { recursive: true });
  const d = fsValue(o.domain);
  // Loopback only: the addresses vanilla finds by itself and by STUN (stun.freeswitch.org), pinned.
  await patch(join(confDir, 'vars.xml'), [
    ['<include>', `<include>\n  <X-PRE-PROCESS cmd="set" data="local_ip_v4=127.0.0.1"/>`],
    ['data="domain=$${local_ip_v4}"', `data="domain=${d}"`],
    // Every install changes it (vanilla's dialplan holds each call 10 s while it is still 1234).
    ['data="default_password=1234"', `data="default_password=${randomBytes(9).toString('base64url')}"`],
    ['data="external_rtp_ip=stun:stun.freeswitch.org"', 'data="external_rtp_ip=127.0.0.1"'],
    ['data="external_sip_ip=stun:stun.freeswitch.org"', 'data="external_sip_ip=127.0.0.1"'],
    ['data="internal_sip_port=5060"', `data="internal_sip_port=${o.sipUdpPort}"`],
    ['data="external_sip_port=5080"', `data="external_sip_port=${o.externalPort}"`],
    ['data="internal_tls_port=5061"', `data="internal_tls_port=${o.externalPort + 1}"`],
    ['data="external_tls_port=5081"', `data="external_tls_port=${o.externalPort + 2}"`],
  ]);
  let vars = await readFile(join(confDir, 'vars.xml'), 'utf8');
  vars = vars.replaceAll('cmd="stun-set"', 'cmd="set"');
  await writeFile(join(confDir, 'vars.xml'), vars);
  // No IPv6 profiles, no provider gateway (example.com) in the directory, no multicast events.
  for (const f of ['sip_profiles/internal-ipv6.xml', 'sip_profiles/external-ipv6.xml', 'sip_profiles/external-ipv6', 'directory/default/example.com.xml'])
    await rm(join(confDir, f), { recursive: true, force: true });
  await vanillaModules(join(confDir, 'autoload_configs/modules.conf.xml'), o.moduleDir);
  await patch(join(confDir, 'autoload_configs/switch.conf.xml'), [
    [/<!--\s*<param name="rtp-start-port" value="\d+"\/>\s*-->/, `<param name="rtp-start-port" value="${o.rtpStart}"/>`],
    [/<!--\s*<param name="rtp-end-port" value="\d+"\/>\s*-->/, `<param name="rtp-end-port" value="${o.rtpEnd}"/>`],
  ]);
  // WebSocket as vanilla has it, on this instance's port (and on loopback); wss (fixed 7443) off.
  await patch(join(confDir, 'sip_profiles/internal.xml'), [
    ['<param name="ws-binding"  value=":5066"/>', `<param name="ws-binding"  value="127.0.0.1:${o.wsPort}"/>`],
    ['<param name="wss-binding" value=":7443"/>', '<!-- wss-binding: a fixed port, off in the test rig -->'],
    ['<param name="sip-trace" value="no"/>', `<param name="sip-trace" value="${o.sipTrace ? 'yes' : 'no'}"/>`],
    ...(o.proxyInfo ? ([['<param name="context" value="public"/>', `<param name="context" value="public"/>\n    ${proxyInfoSetting}`]] as Array<[string, string]>) : []),
  ]);
  // Our accounts as the directory's users (vanilla's 1000-1019 with password 1234 gone).
  const users = join(confDir, 'directory/default');
  for (const f of await readdir(users)) if (/^\d+\.xml$/.test(f)) await rm(join(users, f));
  for (const [user, pass] of Object.entries(o.accounts))
    await writeFile(
      join(users, `${extension(user)}.xml`),
      `<include>\n  <user id="${user}">\n    <params>\n      <param name="password" value="${fsValue(pass)}"/>\n    </params>\n    <variables>\n      <variable name="user_context" value="default"/>\n      <variable name="effective_caller_id_name" value="Extension ${user}"/>\n      <variable name="effective_caller_id_number" value="${user}"/>\n    </variables>\n  </user>\n</include>\n`,
    );
  // Vanilla's Local_Extension dials 1000-1019; an administrator adds the extensions in use.
  await patch(join(confDir, 'dialplan/default.xml'), [['expression="^(10[01][0-9])$"', `expression="^(10[01][0-9]|${Object.keys(o.accounts).join('|')})$"`]]);
}
