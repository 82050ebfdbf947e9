import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDialogInfo, callActivity, parseDialogInfo } from './dialogInfo';

// As Kamailio's pua_dialoginfo sends them (captured on this machine), and as Asterisk's
// res_pjsip_dialog_info_body_generator builds them (one dialog per extension, named after it).
const kamailio = (version: number, state: string) => `<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="full" entity="sip:1001@whisperline.test">
  <dialog id="padi-6b0f164a-51f-1" call-id="ghlsrthfrtj59biq5q3d" direction="recipient">
    <state>${state}</state>
    <remote><identity display="Customer &amp; Co">sip:2001@whisperline.test</identity><target uri="sip:qusht7pu@3rr5q3b69dcu.invalid;transport=ws;ob"/></remote>
    <local><identity>sip:1001@whisperline.test</identity><target uri="sip:1001@whisperline.test"/></local>
  </dialog>
</dialog-info>`;
const kamailioIdle = `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:1001@whisperline.test">
  <dialog id="615293b33c62dec073e05d9421e9f48b" direction="recipient"><state>terminated</state></dialog></dialog-info>`;
const asterisk = (version: number, state: string, remote = '') => `<?xml version="1.0" encoding="UTF-8"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="full" entity="sip:1001@127.0.0.1">
 <dialog id="1001"${remote ? ' direction="recipient"' : ''}><state>${state}</state>${remote ? `<remote><identity display="2001">sip:${remote}@127.0.0.1</identity><target uri="sip:${remote}@127.0.0.1"/></remote>` : ''}</dialog>
</dialog-info>`;

describe('dialog-info', () => {
  it('reads Kamailio’s per-call documents: direction, the other party, and the state as it moves', () => {
    const early = parseDialogInfo(kamailio(2, 'early'))!;
    expect(early).toMatchObject({ entity: 'sip:1001@whisperline.test', version: 2, full: true });
    expect(early.dialogs).toEqual([{ id: 'padi-6b0f164a-51f-1', callId: 'ghlsrthfrtj59biq5q3d', direction: 'recipient', state: 'early', remote: 'sip:2001@whisperline.test', remoteName: 'Customer & Co' }]);
    expect(callActivity(early.dialogs)).toEqual({ phase: 'ringing', direction: 'inbound', party: 'sip:2001@whisperline.test', partyName: 'Customer & Co', calls: 1 });
    expect(callActivity(parseDialogInfo(kamailio(4, 'confirmed'))!.dialogs)).toMatchObject({ phase: 'on-call', direction: 'inbound' });
    expect(callActivity(parseDialogInfo(kamailio(5, 'terminated'))!.dialogs)).toEqual({ phase: 'idle' });
    expect(callActivity(parseDialogInfo(kamailioIdle)!.dialogs)).toEqual({ phase: 'idle' });
  });

  it('reads Asterisk’s per-extension documents, which name the other party only while ringing', () => {
    expect(callActivity(parseDialogInfo(asterisk(3, 'early', '2001'))!.dialogs)).toMatchObject({ phase: 'ringing', direction: 'inbound', party: 'sip:2001@127.0.0.1' });
    expect(callActivity(parseDialogInfo(asterisk(4, 'confirmed'))!.dialogs)).toEqual({ phase: 'on-call', calls: 1 });
    expect(callActivity(parseDialogInfo(asterisk(5, 'terminated'))!.dialogs)).toEqual({ phase: 'idle' });
  });

  it('an answered call decides over one still ringing; an outbound one is dialing until answered', () => {
    const d = (id: string, state: 'early' | 'confirmed', direction: 'initiator' | 'recipient') => ({ id, state, direction });
    expect(callActivity([d('a', 'early', 'recipient'), d('b', 'confirmed', 'initiator')])).toMatchObject({ phase: 'on-call', direction: 'outbound', calls: 2 });
    expect(callActivity([d('a', 'early', 'initiator')])).toMatchObject({ phase: 'dialing', direction: 'outbound' });
  });

  it('ignores a repeated or older version, replaces on a full document, merges a partial one', () => {
    const k2 = applyDialogInfo(null, parseDialogInfo(kamailio(2, 'early'))!)!;
    expect(applyDialogInfo(k2, parseDialogInfo(kamailio(2, 'early'))!)).toBeNull();
    expect(applyDialogInfo(k2, parseDialogInfo(kamailio(1, 'confirmed'))!)).toBeNull();
    const k4 = applyDialogInfo(k2, parseDialogInfo(kamailio(4, 'confirmed'))!)!;
    expect(k4.dialogs[0].state).toBe('confirmed');
    const partial = parseDialogInfo(kamailio(5, 'terminated').replace('state="full"', 'state="partial"'))!;
    expect(applyDialogInfo(k4, partial)).toEqual({ version: 5, dialogs: [] });
  });

  it('refuses what is not a dialog-info document, and never throws', () => {
    for (const bad of ['', 'not xml', '<dialog-info/>', '<presence entity="sip:a@b"/>', '<!DOCTYPE x [<!ENTITY a "b">]><dialog-info version="1" entity="sip:a@b"/>', `<dialog-info version="1" entity="sip:a@b">${'<x>'.repeat(30000)}`]) {
      expect(parseDialogInfo(bad)).toBeNull();
    }
    // A dialog without a known state is skipped, not guessed.
    expect(parseDialogInfo('<dialog-info version="1" entity="sip:a@b"><dialog id="1"><state>ringing-ish</state></dialog></dialog-info>')!.dialogs).toEqual([]);
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const r = parseDialogInfo(`<dialog-info version="1" entity="sip:a@b"><dialog id="1">${s}</dialog></dialog-info>`);
        return r === null || Array.isArray(r.dialogs);
      }),
      { seed: 4235, numRuns: 100 },
    );
  }, 30_000);
});
