// What a failed test through a PBX prints of the PBX's own log (tests only).

/** Requests of a call and its supervision; presence and registration traffic would crowd them out. */
const callMethods = /^(?:INVITE|ACK|BYE|CANCEL|INFO|REFER|MESSAGE|UPDATE|PRACK)$/;

/**
 * A PBX log's last events, one line each: each traced SIP message of a call (time, direction, peer,
 * first line, CSeq), hang-ups, bridges, warnings and errors.
 */
export function pbxGist(log: string, last = 30): string {
  const out: string[] = [];
  let message: { peer: string; first: string } | null = null;
  for (const raw of log.split(/\r?\n/)) {
    const line = raw.trim();
    // FreeSWITCH: "recv 485 bytes from ws/[127.0.0.1]:51564 at 15:12:18.784490:"; Asterisk: "<--- Received SIP request (485 bytes) from WS:127.0.0.1:51564 --->".
    const transfer = /\b(recv|send) \d+ bytes (?:from|to) (\S+)(?: at (\S+):)?|(Received|Transmitting) SIP \w+ \(\d+ bytes\) (?:from|to) (\S+)/.exec(line);
    if (transfer) {
      message = transfer[1] ? { peer: `${transfer[3] ?? ''} ${transfer[1] === 'recv' ? '<' : '>'} ${transfer[2]}`, first: '' } : { peer: `${transfer[4] === 'Received' ? '<' : '>'} ${transfer[5]}`, first: '' };
      continue;
    }
    if (message && !message.first && /^(?:[A-Z]+ sips?:\S+ SIP\/2\.0|SIP\/2\.0 \d{3}\b)/.test(line)) {
      message.first = line;
      continue;
    }
    const cseq = message?.first ? /^CSeq:\s*(\d+)\s+(\S+)/i.exec(line) : null;
    if (message && cseq) {
      if (callMethods.test(cseq[2])) out.push(`${message.peer} ${message.first} [${cseq[1]} ${cseq[2]}]`);
      message = null;
      continue;
    }
    if (/\[(?:ERR|WARNING|CRIT)\]|ERROR\[|WARNING\[|\bHangup |EXECUTE .*\bbridge\(/.test(line) && !/\[DEBUG\]|deprecated|Thread \d+ Started/.test(line)) {
      // FreeSWITCH's "<uuid> <date> <time> <cpu>% [LEVEL] …": the time and the rest.
      out.push(line.replace(/^[0-9a-f-]{36} \d{4}-\d\d-\d\d (\S+) [\d.]+% /, '$1 ').slice(0, 180));
    }
  }
  return out.slice(-last).join('\n') || '(nothing)';
}
