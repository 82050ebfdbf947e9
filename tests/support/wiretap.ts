import { createServer, connect, type Socket } from 'node:net';

/**
 * An attacker's tap on the path between the apps and the SIP server: a TCP relay on loopback that
 * forwards every byte unchanged and keeps a copy of what crossed it, both ways.
 */
export interface Wiretap {
  /** Where the apps connect instead of the server (same scheme as the server's URL). */
  readonly url: string;
  /** Every byte that crossed, both directions, in order of arrival. */
  captured(): Buffer;
  close(): Promise<void>;
}

export async function startWiretap(serverUrl: string): Promise<Wiretap> {
  const target = new URL(serverUrl);
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (b: Buffer) => {
        chunks.push(Buffer.from(b));
        to.write(b);
      });
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `${target.protocol}//127.0.0.1:${port}${target.pathname === '/' ? '' : target.pathname}`,
    captured: () => Buffer.concat(chunks),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
