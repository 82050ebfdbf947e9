import { describe, expect, it } from 'vitest';
import { parseRecordingStatus } from './recordingStatus';

describe('recording status on the supervision leg', () => {
  it('reads each state, with the reason flattened to one bounded line', () => {
    expect(parseRecordingStatus('{"type":"recording","state":"recording"}')).toEqual({ type: 'recording', state: 'recording' });
    expect(parseRecordingStatus('{"type":"recording","state":"paused"}')).toEqual({ type: 'recording', state: 'paused' });
    const long = `disk\r\nfull${'x'.repeat(400)}`;
    const r = parseRecordingStatus(JSON.stringify({ type: 'recording', state: 'failed', reason: long }));
    expect(r?.state).toBe('failed');
    expect(r?.reason?.startsWith('disk full')).toBe(true);
    expect(r?.reason?.length).toBe(300);
  });

  it('is not confused with other supervision bodies, and refuses garbage', () => {
    for (const body of ['{"mode":"listen"}', '{"type":"coach","id":1,"text":"hi"}', '{"type":"recording","state":"deleted"}', 'not json', `{"type":"recording","state":"failed","reason":"${'y'.repeat(2000)}"}`]) {
      expect(parseRecordingStatus(body), body.slice(0, 40)).toBeNull();
    }
  });
});
