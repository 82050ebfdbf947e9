import { describe, expect, it } from 'vitest';
import { parseFollowMessage } from './follow';

describe('follow messages', () => {
  it('reads where the call moved and the supervisor app acknowledgement', () => {
    expect(parseFollowMessage('{"type":"moved","to":"1002"}')).toEqual({ type: 'moved', to: '1002' });
    expect(parseFollowMessage('{"type":"moved-ack"}')).toEqual({ type: 'moved-ack' });
  });

  it('refuses a target that is not an extension, other messages, and oversized bodies', () => {
    for (const body of ['{"type":"moved","to":"sip:1002@evil"}', '{"type":"moved","to":""}', '{"type":"mode","mode":"listen"}', 'not json', `{"type":"moved","to":"1002","x":"${'a'.repeat(600)}"}`]) {
      expect(parseFollowMessage(body), body.slice(0, 40)).toBeNull();
    }
  });
});
