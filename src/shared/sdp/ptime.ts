/**
 * Asks the far end for shorter audio packets (`a=ptime`, RFC 4566) on the audio section of an SDP.
 * Chromium's Opus encoder follows the remote ptime: 10 ms frames halve the packetisation wait and
 * let the receiver's jitter buffer run shallower. The cost: twice the packets (≈ +16 kbit/s of
 * RTP/UDP/IP headers) and, with no FEC on a leg this short-lived, a lost packet is 10 ms of gap
 * instead of 20. An SDP that already states a ptime is left as it is (the PBX decided).
 */
export function withPtime(sdp: string, ms: number): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const audio = lines.findIndex((l) => l.startsWith('m=audio'));
  if (audio < 0) return sdp;
  let end = lines.findIndex((l, i) => i > audio && l.startsWith('m='));
  if (end < 0) end = lines.length;
  if (lines.slice(audio, end).some((l) => l.startsWith('a=ptime:'))) return sdp;
  // Before a trailing empty line (SDP ends with CRLF), else at the section's end.
  const at = end === lines.length && lines[end - 1] === '' ? end - 1 : end;
  lines.splice(at, 0, `a=ptime:${ms}`);
  return lines.join(eol);
}
