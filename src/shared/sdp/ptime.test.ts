import { describe, expect, it } from 'vitest';
import { withPtime } from './ptime';

const offer = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1', ''].join('\r\n');

describe('withPtime', () => {
  it('asks for 10 ms packets in the audio section, keeping CRLF and the final line break', () => {
    const out = withPtime(offer, 10);
    expect(out.split('\r\n')).toContain('a=ptime:10');
    expect(out.endsWith('a=ptime:10\r\n')).toBe(true);
  });

  it('puts it in the audio section, not in a later video section', () => {
    const av = offer + ['m=video 9 UDP/TLS/RTP/SAVPF 96', 'a=rtpmap:96 VP8/90000', ''].join('\r\n');
    const lines = withPtime(av, 10).split('\r\n');
    expect(lines.indexOf('a=ptime:10')).toBeLessThan(lines.indexOf('m=video 9 UDP/TLS/RTP/SAVPF 96'));
  });

  it('leaves an SDP alone that already has a ptime or has no audio', () => {
    const stated = offer.replace('a=fmtp', 'a=ptime:20\r\na=fmtp');
    expect(withPtime(stated, 10)).toBe(stated);
    expect(withPtime('v=0\r\nm=video 9 RTP/AVP 96\r\n', 10)).toBe('v=0\r\nm=video 9 RTP/AVP 96\r\n');
  });
});
