import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentStateXml, parseAgentState, type AgentState } from './agentState';

const state: AgentState = {
  agent: '1001@whisperline.test',
  signedIn: true,
  availability: 'wrap-up',
  hand: { reason: 'Customer wants a <refund> & "now"', since: '2026-12-01T10:00:00.000Z' },
  supervision: { by: '1101@whisperline.test', mode: 'whisper' },
  callSince: '2026-12-01T09:58:00.000Z',
  at: '2026-12-01T10:00:01.000Z',
};

describe('agent state as PIDF', () => {
  it('round-trips everything the board needs, hostile text included', () => {
    const xml = agentStateXml(state);
    expect(xml).toContain('<dm:note>Wrap-up</dm:note>');
    expect(xml).toContain('<basic>open</basic>');
    const { agent: _agent, ...rest } = state;
    expect(parseAgentState(xml)).toEqual({ signedIn: true, entity: 'sip:1001@whisperline.test', state: rest });
    const down = parseAgentState(agentStateXml({ ...state, signedIn: false, availability: 'ready', hand: null, supervision: null, callSince: null }))!;
    expect(down.state).toMatchObject({ signedIn: false, availability: 'ready', hand: null, supervision: null, callSince: null });
  });

  it('a document from a PBX (device state only) says signed in or not, and no availability', () => {
    // As Asterisk's pidf body generator builds it from the hint's device state.
    const asterisk = `<?xml version="1.0" encoding="UTF-8"?><presence entity="sip:1001@127.0.0.1" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:pp="urn:ietf:params:xml:ns:pidf:person" xmlns:es="urn:ietf:params:xml:ns:pidf:rpid:status:rpid-status" xmlns:ep="urn:ietf:params:xml:ns:pidf:rpid:rpid-person"><pp:person><status/></pp:person><note>On the phone</note><tuple id="1001"><status><basic>open</basic></status><contact priority="1">sip:1001@127.0.0.1</contact></tuple></presence>`;
    expect(parseAgentState(asterisk)).toEqual({ signedIn: true, entity: 'sip:1001@127.0.0.1', state: null });
    expect(parseAgentState(asterisk.replace('<basic>open', '<basic>closed'))!.signedIn).toBe(false);
  });

  it('refuses what is not PIDF, drops unknown modes and bad times, and never throws', () => {
    expect(parseAgentState('')).toBeNull();
    expect(parseAgentState('<dialog-info entity="x"/>')).toBeNull();
    const odd = agentStateXml(state).replace('mode="whisper"', 'mode="takeover-everything"').replace('callSince="2026-12-01T09:58:00.000Z"', 'callSince="yesterday"');
    expect(parseAgentState(odd)!.state).toMatchObject({ supervision: null, callSince: null });
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('ready', 'not-ready', 'wrap-up'), (reason, availability) => {
        const xml = agentStateXml({ ...state, availability: availability as AgentState['availability'], hand: { reason, since: state.at } });
        const back = parseAgentState(xml);
        // What was typed comes back as typed, but for control characters and runs of white space.
        const typed = reason.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 140);
        return back?.state?.availability === availability && back.state.hand?.reason === typed;
      }),
      { seed: 3863, numRuns: 100 },
    );
  }, 30_000);
});
