import { describe, expect, it } from 'vitest';
import { formatSuperviseHeader, parseSuperviseHeader, parseSupervisionInfo, routing, superviseHeader } from './modes';

describe('supervision modes', () => {
  it('never routes the supervisor to the customer outside barge', () => {
    expect(routing.listen.supervisorToCustomer).toBe(false);
    expect(routing.whisper.supervisorToCustomer).toBe(false);
    expect(routing.barge.supervisorToCustomer).toBe(true);
    expect(routing.listen.supervisorToAgentHeadset).toBe(false);
    expect(routing.listen.supervisorMicOpen).toBe(false);
  });

  it('round-trips the INVITE header and refuses malformed or hostile values', () => {
    const h = formatSuperviseHeader({ mode: 'whisper', callId: 'abc@host', statement: null });
    expect(h.startsWith(`${superviseHeader}: `)).toBe(true);
    expect(parseSuperviseHeader(h.slice(superviseHeader.length + 2))).toEqual({ mode: 'whisper', callId: 'abc@host', statement: null });
    expect(parseSuperviseHeader('mode=listen')).toEqual({ mode: 'listen', callId: null, statement: null });
    const stmt = `${'a'.repeat(200)}.${'b-_'.repeat(29)}.${'C9'.repeat(21)}`;
    expect(parseSuperviseHeader(formatSuperviseHeader({ mode: 'barge', callId: null, statement: stmt }).slice(superviseHeader.length + 2))).toEqual({ mode: 'barge', callId: null, statement: stmt });
    expect(parseSuperviseHeader('mode=listen;stmt=a.b.c;stmt=d.e.f')).toBeNull(); // which one would the PBX keep?
    expect(parseSuperviseHeader('mode=listen;mode=barge')).toBeNull();
    expect(parseSuperviseHeader('mode=listen;stmt=a b')).toBeNull();
    expect(parseSuperviseHeader(`mode=listen;stmt=${'a'.repeat(1100)}`)).toBeNull();
    expect(parseSuperviseHeader('mode=takeover')).toBeNull(); // takeover is only a change on an existing leg
    expect(parseSuperviseHeader('mode=listen;call=a b')).toBeNull();
    expect(parseSuperviseHeader('mode=listen=1')).toBeNull();
    expect(parseSuperviseHeader('x'.repeat(1100))).toBeNull();
  });

  it('parses mode-change and state bodies and refuses junk', () => {
    expect(parseSupervisionInfo('{"mode":"barge"}')).toEqual({ type: 'mode', mode: 'barge', by: 'supervisor' });
    expect(parseSupervisionInfo('{"mode":"listen","by":"agent"}')).toEqual({ type: 'mode', mode: 'listen', by: 'agent' });
    expect(parseSupervisionInfo('{"type":"state","mode":"whisper","by":"agent"}')).toEqual({ type: 'state', mode: 'whisper', by: 'agent' });
    expect(parseSupervisionInfo('{"type":"grant","mode":"barge"}')).toBeNull();
    expect(parseSupervisionInfo('{"mode":"shout"}')).toBeNull();
    expect(parseSupervisionInfo('not json')).toBeNull();
  });
});
