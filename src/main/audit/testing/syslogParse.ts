// Test helper (not part of the app): reads back what syslog.ts writes, independently of it.

/** Splits an RFC 6587 octet-counted stream into messages; returns the messages and any incomplete rest. */
export function splitOctetCounted(stream: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let pos = 0;
  while (pos < stream.length) {
    const sp = stream.indexOf(0x20, pos);
    if (sp < 0) break;
    const lenText = stream.subarray(pos, sp).toString('ascii');
    if (!/^[1-9]\d*$/.test(lenText)) throw new Error(`bad frame length "${lenText}" at byte ${pos}`);
    const len = Number(lenText);
    if (sp + 1 + len > stream.length) break;
    messages.push(stream.subarray(sp + 1, sp + 1 + len).toString('utf8'));
    pos = sp + 1 + len;
  }
  return { messages, rest: stream.subarray(pos) };
}

export interface Parsed5424 {
  pri: number;
  version: string;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sd: Array<{ id: string; params: Record<string, string> }>;
  msg: string;
}

/** RFC 5424 STRUCTURED-DATA from the start of `s`; returns the elements and where they end. */
export function parseStructuredData(s: string): { sd: Parsed5424['sd']; end: number } {
  const sd: Parsed5424['sd'] = [];
  if (s.startsWith('-')) return { sd, end: 1 };
  let i = 0;
  while (s[i] === '[') {
    i++;
    const idEnd = s.slice(i).search(/[ \]]/);
    const id = s.slice(i, i + idEnd);
    i += idEnd;
    const params: Record<string, string> = {};
    while (s[i] === ' ') {
      i++;
      const eq = s.indexOf('=', i);
      const name = s.slice(i, eq);
      if (s[eq + 1] !== '"') throw new Error(`expected '"' after ${name}=`);
      i = eq + 2;
      let value = '';
      while (s[i] !== '"') {
        if (i >= s.length) throw new Error('unterminated PARAM-VALUE');
        if (s[i] === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\' || s[i + 1] === ']')) {
          value += s[i + 1];
          i += 2;
        } else {
          if (s[i] === ']' || s[i] === '"') throw new Error(`unescaped ${s[i]} in PARAM-VALUE`);
          value += s[i++];
        }
      }
      i++;
      params[name] = value;
    }
    if (s[i] !== ']') throw new Error(`expected ']' at ${i}`);
    i++;
    sd.push({ id, params });
  }
  return { sd, end: i };
}

/** One RFC 5424 message. */
export function parse5424(message: string): Parsed5424 {
  const m = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(message);
  if (!m) throw new Error(`not an RFC 5424 header: ${message.slice(0, 80)}`);
  const rest = message.slice(m[0].length);
  const { sd, end } = parseStructuredData(rest);
  const msg = rest.slice(end).replace(/^ /, '');
  return { pri: Number(m[1]), version: m[2], timestamp: m[3], hostname: m[4], appName: m[5], procId: m[6], msgId: m[7], sd, msg };
}
