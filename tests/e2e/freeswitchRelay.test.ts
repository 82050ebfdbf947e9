import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeswitchServer, type FreeswitchServerOptions } from '../../src/node/freeswitchServer';
import type { SipServer } from '../../src/node/sipServer';
import { BareUdpSip, header, type SipMessage } from '../support/bareUdpSip';
import { freeswitch } from '../support/servers';

// What FreeSWITCH carries between the two calls it bridges, seen on the wire by two bare SIP phones
// (plain SIP over UDP, no browser): the supervision header of an INVITE, X-FS-Support, and in-dialog
// INFO and MESSAGE with the supervision protocol's content type.

const accounts = { '1001': 'agent-pw', '1101': 'supervisor-pw' };
const contentType = 'application/vnd.whisperline.supervision+json';
const supervise = 'mode=listen;stmt=eyJ0ZXN0IjoidHJ1ZSJ9.c2ln';

if (!freeswitch.found) console.log(`skipped: what FreeSWITCH relays: ${freeswitch.reason}`);

function relaySuite(name: string, options: Omit<FreeswitchServerOptions, 'accounts'>, relays: boolean) {
  describe.skipIf(!freeswitch.found)(name, () => {
    let fs: SipServer;
    let agent: BareUdpSip;
    let supervisor: BareUdpSip;
    let agentInvite: SipMessage;
    let okToSupervisor: SipMessage;
    beforeAll(async () => {
      fs = await startFreeswitchServer({ accounts, ...options });
      agent = new BareUdpSip('1001', accounts['1001'], fs.domain, fs.sipUdpPort!);
      supervisor = new BareUdpSip('1101', accounts['1101'], fs.domain, fs.sipUdpPort!);
      await agent.open();
      await supervisor.open();
      await agent.register();
      await supervisor.register();
      const invited = agent.next((m) => m.start.startsWith('INVITE '));
      okToSupervisor = await supervisor.invite('1001', [`X-Whisperline-Supervise: ${supervise}`]);
      agentInvite = await invited;
    }, 60_000);
    afterAll(async () => {
      agent?.close();
      supervisor?.close();
      await fs?.stop();
    });

    it('passes the supervision header on to the agent’s INVITE, and says which X-FS-Support it sends', () => {
      expect(okToSupervisor.start).toBe('SIP/2.0 200 OK');
      expect(header(agentInvite, 'X-Whisperline-Supervise')).toBe(supervise);
      console.log(`${name}: INVITE to the agent: X-FS-Support: ${header(agentInvite, 'X-FS-Support') ?? '(none)'}; 200 OK to a caller without X-FS-Support: ${header(okToSupervisor, 'X-FS-Support') ?? '(none)'}`);
      expect(header(agentInvite, 'X-FS-Support')).toBe('update_display,send_info');
      expect(header(okToSupervisor, 'X-FS-Support')).toBeUndefined();
    });

    it(`${relays ? 'relays' : 'does not relay'} an in-dialog INFO of the supervision type, both ways`, async () => {
      const toAgent = JSON.stringify({ type: 'mode', mode: 'whisper', stmt: 'a.b' });
      const since = agent.received.length;
      const r = await supervisor.inDialog('INFO', [`Content-Type: ${contentType}`], toAgent);
      expect(r.start).toBe('SIP/2.0 200 OK');
      const isInfo = (callId: string) => (m: SipMessage) => m.start.startsWith('INFO ') && header(m, 'call-id') === callId;
      if (!relays) {
        await expect(agent.next(isInfo(agent.dialog!.callId), 3000, since)).rejects.toThrow(/no matching/);
        return;
      }
      const got = await agent.next(isInfo(agent.dialog!.callId), 10_000, since);
      expect(header(got, 'content-type')).toBe(contentType);
      expect(got.body).toBe(toAgent);
      const back = JSON.stringify({ type: 'state', mode: 'whisper', call: 'x' });
      const since2 = supervisor.received.length;
      await agent.inDialog('INFO', [`Content-Type: ${contentType}`], back);
      const got2 = await supervisor.next(isInfo(supervisor.dialog!.callId), 10_000, since2);
      expect(header(got2, 'content-type')).toBe(contentType);
      expect(got2.body).toBe(back);
    });

    it('does not relay an in-dialog MESSAGE in the dialog (what arrives instead is printed)', async () => {
      const since = agent.received.length;
      const r = await supervisor.inDialog('MESSAGE', [`Content-Type: ${contentType}`], '{"type":"mode","mode":"barge"}');
      const arrived = await agent.next((m) => m.start.startsWith('MESSAGE '), 3000, since).catch(() => null);
      console.log(`${name}: in-dialog MESSAGE from the supervisor answered ${r.start}; at the agent: ${arrived ? `${arrived.start}, Call-ID ${header(arrived, 'call-id') === agent.dialog!.callId ? 'of the call' : 'new (out of dialog)'}, Content-Type ${header(arrived, 'content-type')}, body ${JSON.stringify(arrived.body)}` : 'nothing'}`);
      if (arrived) expect(header(arrived, 'call-id')).not.toBe(agent.dialog!.callId);
    });
  });
}

relaySuite('FreeSWITCH (ours) with proxy-info-content-types', {}, true);
relaySuite('FreeSWITCH (stock) with proxy-info-content-types', { stock: true }, true);
relaySuite('FreeSWITCH (ours) without the setting', { supervisionHook: false }, false);
