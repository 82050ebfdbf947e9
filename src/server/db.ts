/**
 * The org service's database: PostgreSQL (what a contact center runs) or PGlite (PostgreSQL compiled
 * to WebAssembly, in this process, files in one folder) for the demo and a one-machine install. Both
 * speak the same SQL, so everything above this module is written once. Counts and sums are cast in
 * SQL (::int, ::float8) so both drivers hand back plain numbers.
 */
import pg from 'pg';

export interface SqlRunner {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface SqlDb extends SqlRunner {
  readonly kind: 'postgres' | 'pglite';
  /** Where it is, for status lines (no password). */
  readonly description: string;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<R>(fn: (tx: SqlRunner) => Promise<R>): Promise<R>;
  /** Several statements at once (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** `postgres://…` or `postgresql://…`: PostgreSQL; anything else: a PGlite data folder. */
export async function openDatabase(target: string): Promise<SqlDb> {
  return /^postgres(ql)?:\/\//i.test(target) ? openPostgres(target) : openPglite(target);
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unreadable address)';
  }
}

export async function openPostgres(url: string): Promise<SqlDb> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle client losing its server (PostgreSQL restarted) must not crash the service: the next query reconnects.
  pool.on('error', (e) => console.warn(`[org] database connection lost: ${e.message}`));
  const description = `PostgreSQL ${redactUrl(url)}`;
  try {
    await pool.query('select 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot reach ${description}: ${(e as Error).message}`);
  }
  const run = async <T>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) => (await client.query(sql, params as unknown[])).rows as T[];
  return {
    kind: 'postgres',
    description,
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({ query: (sql, params) => run(client, sql, params) });
        await client.query('commit');
        return result;
      } catch (e) {
        await client.query('rollback').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    exec: async (sql) => void (await pool.query(sql)),
    close: () => pool.end(),
  };
}

export async function openPglite(dataDir: string): Promise<SqlDb> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dataDir === ':memory:' ? undefined : dataDir);
  const run = async <T>(q: { query: typeof db.query }, sql: string, params?: unknown[]) => (await q.query<T>(sql, params)).rows;
  return {
    kind: 'pglite',
    description: dataDir === ':memory:' ? 'embedded database (in memory)' : `embedded database in ${dataDir}`,
    query: (sql, params) => run(db, sql, params),
    transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params) => run(tx, sql, params) })),
    exec: async (sql) => void (await db.exec(sql)),
    close: () => db.close(),
  };
}
