import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/**
 * A bare SIP user agent over UDP on loopback, for looking at exactly what a B2BUA sends and relays
 * (headers, bodies) without a browser in between. It registers with digest auth, places and answers
 * calls with a fixed G.711 offer (no media is sent) and sends in-dialog requests. Test use only.
 */
export interface SipMessage {
  start: string;
  headers: Array<[string, string]>;
  body: string;
  raw: string;
}

export function parseSip(raw: string): SipMessage {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const headers = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim(), l.slice(i + 1).trim()] as [string, string];
  });
  return { start: lines[0], headers, body: rest.join('\r\n\r\n'), raw };
}

export function header(m: SipMessage, name: string): string | undefined {
  const short: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', c: 'content-type', l: 'content-length' };
  return m.headers.find(([n]) => (short[n.toLowerCase()] ?? n.toLowerCase()) === name.toLowerCase())?.[1];
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const token = () => randomBytes(6).toString('hex');

interface Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  cseq: number;
}

export class BareUdpSip {
  readonly received: SipMessage[] = [];
  private socket: Socket;
  private port = 0;
  private waiters: Array<(m: SipMessage) => boolean> = [];
  private cseq = 1;
  dialog: Dialog | null = null;

  constructor(
    private user: string,
    private password: string,
    private domain: string,
    private serverPort: number,
  ) {
    this.socket = createSocket('udp4');
    this.socket.on('message', (buf) => {
      const m = parseSip(buf.toString());
      this.received.push(m);
      if (!m.start.startsWith('SIP/2.0')) this.onRequest(m);
      this.waiters = this.waiters.filter((w) => !w(m));
    });
  }

  async open(): Promise<void> {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r()));
    this.port = this.socket.address().port;
  }

  close(): void {
    this.socket.close();
  }

  private get contact() {
    return `<sip:${this.user}@127.0.0.1:${this.port}>`;
  }

  private send(text: string) {
    this.socket.send(text, this.serverPort, '127.0.0.1');
  }

  /** The next message matching `pred` (already received ones count if `since` is given). */
  next(pred: (m: SipMessage) => boolean, timeoutMs = 10_000, since?: number): Promise<SipMessage> {
    const old = since === undefined ? undefined : this.received.slice(since).find(pred);
    if (old) return Promise.resolve(old);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.user}: no matching SIP message within ${timeoutMs} ms; got:\n${this.received.map((m) => m.start).join('\n')}`)), timeoutMs);
      this.waiters.push((m) => {
        if (!pred(m)) return false;
        clearTimeout(timer);
        resolve(m);
        return true;
      });
    });
  }

  private build(method: string, uri: string, headers: string[], body = '', cseq = this.cseq++, branch = `z9hG4bK${token()}`): string {
    return [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};rport;branch=${branch}`,
      'Max-Forwards: 70',
      ...headers,
      `CSeq: ${cseq} ${method}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  }

  private authorization(m: SipMessage, method: string, uri: string): string {
    const challenge = header(m, 'www-authenticate') ?? header(m, 'proxy-authenticate') ?? '';
    const param = (k: string) => new RegExp(`${k}="?([^",]+)"?`).exec(challenge)?.[1] ?? '';
    const realm = param('realm');
    const nonce = param('nonce');
    const ha1 = md5(`${this.user}:${realm}:${this.password}`);
    const ha2 = md5(`${method}:${uri}`);
    const cnonce = token();
    const qop = /qop="?auth/.test(challenge);
    const response = qop ? md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    const name = m.start.startsWith('SIP/2.0 407') ? 'Proxy-Authorization' : 'Authorization';
    return `${name}: Digest username="${this.user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5${qop ? `, qop=auth, nc=00000001, cnonce="${cnonce}"` : ''}`;
  }

  /** Sends a request and waits for its final answer, answering one digest challenge. */
  async request(method: string, uri: string, headers: string[], body = ''): Promise<SipMessage> {
    const callIdHeader = headers.find((h) => /^Call-ID:/i.test(h));
    let cseq = this.cseq++;
    const isFinal = (m: SipMessage, c: number) => /^SIP\/2\.0 [2-6]/.test(m.start) && header(m, 'cseq') === `${c} ${method}` && (!callIdHeader || `Call-ID: ${header(m, 'call-id')}` === callIdHeader);
    let answer = this.next((m) => isFinal(m, cseq));
    const branch = `z9hG4bK${token()}`;
    this.send(this.build(method, uri, headers, body, cseq, branch));
    let r = await answer;
    if (/^SIP\/2\.0 40[17]/.test(r.start)) {
      if (method === 'INVITE') this.ack(r, uri, headers, cseq, branch);
      cseq = this.cseq++;
      answer = this.next((m) => isFinal(m, cseq));
      this.send(this.build(method, uri, [...headers, this.authorization(r, method, uri)], body, cseq));
      r = await answer;
    }
    return r;
  }

  /** The ACK of a non-2xx final answer: same branch as the INVITE (RFC 3261 17.1.1.3). */
  private ack(r: SipMessage, uri: string, headers: string[], cseq: number, branch: string) {
    const keep = headers.filter((h) => /^(From|Call-ID):/i.test(h));
    this.send(this.build('ACK', uri, [...keep, `To: ${header(r, 'to')}`], '', cseq, branch));
  }

  async register(): Promise<void> {
    const aor = `sip:${this.user}@${this.domain}`;
    const r = await this.request('REGISTER', `sip:${this.domain}`, [`From: <${aor}>;tag=${token()}`, `To: <${aor}>`, `Call-ID: ${token()}@wl`, `Contact: ${this.contact}`, 'Expires: 300']);
    if (!r.start.startsWith('SIP/2.0 200')) throw new Error(`${this.user} could not register: ${r.start}`);
  }

  private sdp(): string {
    const id = Date.now();
    return ['v=0', `o=- ${id} ${id} IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${this.port + 2} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');
  }

  /** Places a call to `ext` with extra headers; resolves with the final answer (and ACKs a 2xx). */
  async invite(ext: string, extra: string[] = []): Promise<SipMessage> {
    const uri = `sip:${ext}@${this.domain}`;
    const localTag = token();
    const callId = `${token()}@wl`;
    const headers = [`From: <sip:${this.user}@${this.domain}>;tag=${localTag}`, `To: <${uri}>`, `Call-ID: ${callId}`, `Contact: ${this.contact}`, 'Content-Type: application/sdp', ...extra];
    const r = await this.request('INVITE', uri, headers, this.sdp());
    if (r.start.startsWith('SIP/2.0 200')) {
      const remoteTag = /tag=([^;>\s]+)/.exec(header(r, 'to') ?? '')?.[1] ?? '';
      const target = /<([^>]+)>/.exec(header(r, 'contact') ?? '')?.[1] ?? uri;
      this.dialog = { callId, localTag, remoteTag, localUri: `sip:${this.user}@${this.domain}`, remoteUri: uri, remoteTarget: target, cseq: this.cseq };
      const c = /^(\d+)/.exec(header(r, 'cseq') ?? '')![1];
      this.send(this.build('ACK', target, [`From: <${this.dialog.localUri}>;tag=${localTag}`, `To: ${header(r, 'to')}`, `Call-ID: ${callId}`], '', Number(c)));
    }
    return r;
  }

  /** An in-dialog request on the current call; resolves with its final answer. */
  async inDialog(method: string, extra: string[], body = ''): Promise<SipMessage> {
    const d = this.dialog;
    if (!d) throw new Error(`${this.user}: no call`);
    return this.request(method, d.remoteTarget, [`From: <${d.localUri}>;tag=${d.localTag}`, `To: <${d.remoteUri}>;tag=${d.remoteTag}`, `Call-ID: ${d.callId}`, ...extra], body);
  }

  /** What to answer an incoming INVITE with; extra headers for the 200 OK. */
  answerInvites: { extra: string[] } | null = { extra: [] };

  private respond(m: SipMessage, status: string, extra: string[] = [], body = '') {
    const to = header(m, 'to')!;
    const lines = [
      `SIP/2.0 ${status}`,
      ...m.headers.filter(([n]) => /^(via|v)$/i.test(n)).map(([n, v]) => `${n}: ${v}`),
      `From: ${header(m, 'from')}`,
      `To: ${to}${/tag=/.test(to) ? '' : `;tag=${this.localTagFor(m)}`}`,
      `Call-ID: ${header(m, 'call-id')}`,
      `CSeq: ${header(m, 'cseq')}`,
      `Contact: ${this.contact}`,
      ...extra,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    this.send(lines.join('\r\n'));
  }

  private tags = new Map<string, string>();
  private localTagFor(m: SipMessage): string {
    const id = header(m, 'call-id')!;
    if (!this.tags.has(id)) this.tags.set(id, token());
    return this.tags.get(id)!;
  }

  private onRequest(m: SipMessage) {
    const method = m.start.split(' ')[0];
    if (method === 'ACK') return;
    if (method === 'INVITE' && this.answerInvites) {
      const fromTag = /tag=([^;>\s]+)/.exec(header(m, 'from') ?? '')?.[1] ?? '';
      const target = /<([^>]+)>/.exec(header(m, 'contact') ?? '')?.[1] ?? '';
      const local = this.localTagFor(m);
      this.dialog = { callId: header(m, 'call-id')!, localTag: local, remoteTag: fromTag, localUri: /<([^>]+)>/.exec(header(m, 'to') ?? '')?.[1] ?? '', remoteUri: /<([^>]+)>/.exec(header(m, 'from') ?? '')?.[1] ?? '', remoteTarget: target, cseq: 1 };
      this.respond(m, '200 OK', ['Content-Type: application/sdp', ...this.answerInvites.extra], this.sdp());
      return;
    }
    this.respond(m, '200 OK');
  }
}
