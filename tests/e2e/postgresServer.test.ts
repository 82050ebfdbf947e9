import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgres, startPostgres, type PostgresServer } from '../../src/node/postgresServer';
import { canConnect } from '../../src/node/sipServer';

// The throwaway PostgreSQL the org service's tests and the benchmark run against: a fresh cluster on
// 127.0.0.1 only, rows that survive a crash of the server (SIGKILL) and its restart, and nothing left
// behind by stop(). As root (CI), the server runs as the postgres system user.

const postgres = findPostgres();
const title = 'a throwaway PostgreSQL on loopback';
if (!postgres.found) console.log(`skipped: "${title}": ${postgres.reason}`);

/** This machine's first IPv4 address that is not loopback, if it has one. */
const otherAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** How a TCP connect to host:port ends: 'connected', or the error code. */
function tcpConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 });
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('timeout', () => (socket.destroy(), resolve('timeout')));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

describe.skipIf(!postgres.found)(title, () => {
  let server: PostgresServer;

  beforeAll(async () => {
    const started = Date.now();
    server = await startPostgres();
    console.log(`PostgreSQL ${postgres.found ? postgres.version : '?'}: a fresh cluster (initdb + start + CREATE DATABASE) in ${Date.now() - started} ms at ${server.url}`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves its database on 127.0.0.1 only, fsync on; as root, the data directory is the postgres user\'s', async () => {
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/whisperline`);
    const settings = await withClient(server.url, async (c) => {
      const rows = (await c.query(`SELECT name, setting FROM pg_settings WHERE name IN ('listen_addresses', 'unix_socket_directories', 'fsync')`)).rows;
      return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
    });
    expect(settings).toEqual({ listen_addresses: '127.0.0.1', unix_socket_directories: '', fsync: 'on' });
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      expect(statSync(server.dataDir).uid).toBe(uid);
    }
  });

  it('creates a table, inserts and reads rows through pg', async () => {
    const rows = await withClient(server.url, async (c) => {
      await c.query('CREATE TABLE calls (id serial PRIMARY KEY, agent text NOT NULL, seconds int NOT NULL)');
      await c.query('INSERT INTO calls (agent, seconds) VALUES ($1, $2), ($3, $4)', ['1001', 42, '1002', 7]);
      return (await c.query('SELECT agent, seconds FROM calls ORDER BY id')).rows;
    });
    expect(rows).toEqual([
      { agent: '1001', seconds: 42 },
      { agent: '1002', seconds: 7 },
    ]);
  });

  it('keeps every committed row through a crash (SIGKILL) and a restart, and none of an open transaction', async () => {
    const open = new pg.Client({ connectionString: server.url });
    open.on('error', () => {});
    await open.connect();
    await withClient(server.url, (c) => c.query(`INSERT INTO calls (agent, seconds) SELECT 'bulk', g FROM generate_series(1, 1000) g`));
    await open.query('BEGIN');
    await open.query(`INSERT INTO calls (agent, seconds) VALUES ('uncommitted', 1)`);

    await server.kill();
    expect(await canConnect(server.port)).toBe(false);
    expect(existsSync(server.dataDir)).toBe(true);
    await expect(open.query('SELECT 1')).rejects.toThrow();
    await open.end().catch(() => {});

    const started = Date.now();
    await server.restart();
    console.log(`PostgreSQL: restarted after SIGKILL (crash recovery) in ${Date.now() - started} ms`);
    const counts = await withClient(server.url, async (c) => (await c.query(`SELECT agent, count(*)::int AS n FROM calls GROUP BY agent ORDER BY agent`)).rows);
    expect(counts).toEqual([
      { agent: '1001', n: 1 },
      { agent: '1002', n: 1 },
      { agent: 'bulk', n: 1000 },
    ]);
  });

  it.skipIf(!otherAddress)(`is not reachable on this machine's other IPv4 address (${otherAddress ?? 'none'})`, async () => {
    expect(await tcpConnect('127.0.0.1', server.port)).toBe('connected');
    expect(await tcpConnect(otherAddress!, server.port)).not.toBe('connected');
  });
  if (!otherAddress) console.log(`skipped: "${title}: not reachable on a non-loopback address": this machine has no IPv4 address but loopback`);

  it('stop() shuts it down, closes the port and removes the data directory', async () => {
    const { port, dataDir } = server;
    await server.stop();
    expect(await canConnect(port)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    await expect(server.restart()).rejects.toThrow(/removed by stop\(\)/);
  });
});

it('explains a PostgreSQL that is not where WHISPERLINE_POSTGRES_BIN says', () => {
  const found = findPostgres({ WHISPERLINE_POSTGRES_BIN: '/nonexistent/postgres/bin' });
  expect(found).toEqual({ found: false, reason: expect.stringContaining('WHISPERLINE_POSTGRES_BIN=/nonexistent/postgres/bin has no initdb and postgres') });
});
