import fc from 'fast-check';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLine, sealEntry, verifyChain } from './chain';
import { normalizeEvent } from './entry';
import { escapeSdParamValue, formatSyslogMessage, frameOctetCounted, headerField, SyslogTcpSender } from './syslog';
import { chainOf, freePort } from './testing/fixtures';
import { parse5424, parseStructuredData, splitOctetCounted } from './testing/syslogParse';

const fmt = { hostname: 'desk-12', procId: '4242' };

describe('syslog RFC 5424 format', () => {
  it('writes header, structured data with every field, and the canonical entry as MSG', () => {
    const [e] = chainOf();
    expect(formatSyslogMessage(e, fmt)).toBe(
      `<109>1 2026-03-01T09:00:00.000Z desk-12 whisperline 4242 join [whisperline@32473 seq="1" at="2026-03-01T09:00:00.000Z" ` +
        `actor="sip:sup@pbx.test" subject="sip:agent1@pbx.test" call="a84b4c76e66710@pc33" action="join" mode="listen" result="ok" ` +
        `prevHash="${e.prevHash}" hash="${e.hash}"] \ufeff${checkLineText(e)}`,
    );
  });

  it('a refusal is a warning; facility and SD-ID can be set; bad ones are refused', () => {
    const refusal = chainOf()[4];
    const p = parse5424(formatSyslogMessage(refusal, { ...fmt, facility: 10, sdId: 'audit@99999' }));
    expect(p.pri).toBe(10 * 8 + 4);
    expect(p.msgId).toBe('refusal');
    expect(p.sd[0].id).toBe('audit@99999');
    expect(() => formatSyslogMessage(refusal, { facility: 24 })).toThrow(/facility/);
    expect(() => formatSyslogMessage(refusal, { sdId: 'bad id' })).toThrow(/SD-ID/);
    expect(headerField('my host ü', 255)).toBe('myhost');
    expect(headerField('', 48)).toBe('-');
  });

  it('escapes ", \\ and ] in SD-PARAM values (and nothing else)', () => {
    expect(escapeSdParamValue('a"b\\c]d[e=f')).toBe('a\\"b\\\\c\\]d[e=f');
  });

  it('octet-counting frames count bytes, not characters', () => {
    expect(frameOctetCounted('é😀').toString('utf8')).toBe('6 é😀');
  });

  it('shortens MSG, never the structured data, when a message would be too long', () => {
    const e = chainOf()[5];
    const fullBytes = Buffer.byteLength(formatSyslogMessage(e, fmt));
    const short = parse5424(formatSyslogMessage(e, { ...fmt, maxMessageBytes: fullBytes - 1 }));
    expect(short.msg).toMatch(/^\ufeffsip:Zoë@pbx.test takeover .*full entry in structured data/);
    expect(short.sd[0].params.reason).toBe(e.reason);
    const bare = parse5424(formatSyslogMessage(e, { ...fmt, maxMessageBytes: 100 }) + ' ');
    expect(bare.msg).toBe('');
    expect(bare.sd[0].params.hash).toBe(e.hash);
  });

  it('property: every field comes back exactly from the structured data and the MSG copy', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ maxLength: 120 }), (a, b) => {
        const e = sealEntry(null, normalizeEvent({ actor: a, subject: `${b}]"\\`, call: b, action: 'refusal', result: 'refused', reason: a + b }));
        const p = parse5424(formatSyslogMessage(e, fmt));
        expect(p.sd[0].params).toEqual(Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)])));
        const copy = checkLine(p.msg.replace(/^\ufeff/, ''));
        expect(copy.ok && copy.entry).toEqual(e);
      }),
      { seed: 5424, numRuns: 200 },
    );
    expect(parseStructuredData('-').sd).toEqual([]);
  }, 60_000);
});

function checkLineText(e: ReturnType<typeof chainOf>[number]): string {
  return JSON.stringify(Object.fromEntries(Object.entries(e).sort(([x], [y]) => (x < y ? -1 : 1))));
}

describe('syslog TCP sender', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  /** A loopback receiver; `behave` decides what it does with a connection. */
  async function receiver(behave: (sock: Socket, received: Buffer[]) => void): Promise<{ port: number; received: Buffer[] }> {
    const received: Buffer[] = [];
    const server = createServer({ allowHalfOpen: true }, (sock) => {
      sockets.push(sock);
      behave(sock, received);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, received };
  }

  /** Reads to the end, then closes: what rsyslog does when a sender half-closes. */
  const wellBehaved = (sock: Socket, received: Buffer[]) => {
    const chunks: Buffer[] = [];
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => {
      received.push(Buffer.concat(chunks));
      sock.end();
    });
  };

  it('sends a batch as octet-counted RFC 5424 messages and resolves once the receiver has read it all', async () => {
    const { port, received } = await receiver(wellBehaved);
    const entries = chainOf();
    await new SyslogTcpSender({ host: '127.0.0.1', port, ...fmt }).send(entries);
    expect(received).toHaveLength(1);
    const { messages, rest } = splitOctetCounted(received[0]);
    expect(rest).toHaveLength(0);
    const copies = messages.map((m) => parse5424(m).msg.replace(/^\ufeff/, ''));
    expect(verifyChain([...copies, ''])).toMatchObject({ ok: true, entries });
  });

  it('rejects, in words, when nobody listens, when the receiver drops the connection, and when it never confirms', async () => {
    const entries = chainOf().slice(0, 2);
    const dead = new SyslogTcpSender({ host: '127.0.0.1', port: await freePort() });
    await expect(dead.send(entries)).rejects.toThrow(/connection refused/);

    const rude = await receiver((sock) => sock.resetAndDestroy());
    await expect(new SyslogTcpSender({ host: '127.0.0.1', port: rude.port }).send(entries)).rejects.toThrow(/syslog tcp:\/\/127.0.0.1:\d+: the receiver reset/);

    const silent = await receiver((sock) => sock.on('data', () => undefined));
    await expect(new SyslogTcpSender({ host: '127.0.0.1', port: silent.port, timeoutMs: 300 }).send(entries)).rejects.toThrow(/no confirmation within 300 ms/);
  });
});

