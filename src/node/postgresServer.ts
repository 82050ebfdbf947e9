import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { canConnect, freeLoopbackPort } from './sipServer';

/**
 * A throwaway PostgreSQL cluster on loopback, for tests, the benchmark and the IT docs: a fresh
 * data directory (initdb, trust authentication) under os.tmpdir(), a server listening on TCP
 * 127.0.0.1 only (no Unix socket), a free port of its own, so several can run at once. PostgreSQL
 * refuses to run as root: as root, initdb and the server run as the `postgres` system user (Debian's
 * postgresql package creates it), which owns the data directory.
 */
export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/<database>: trust on loopback, no password. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Fast shutdown, waits for the server to exit, removes the data directory. */
  stop(): Promise<void>;
  /** SIGKILL to the server and all its processes (a crash); the data directory is kept. */
  kill(): Promise<void>;
  /** Starts again on the same data directory and port (after kill(), or a running server is shut down first). */
  restart(): Promise<void>;
  /** The end of the server's log (postgres.log in the data directory), for failure messages. */
  logTail(): string;
}

export interface PostgresOptions {
  port?: number;
  /** Created once the server is ready (default whisperline). */
  database?: string;
  /** More `-c name=value` server settings. */
  settings?: Record<string, string>;
}

export type PostgresInstall = { found: true; binDir: string; version: number } | { found: false; reason: string };

const debianRoot = '/usr/lib/postgresql';
const superuser = 'postgres';
const hint = '(apt-get install postgresql, or set WHISPERLINE_POSTGRES_BIN to a bin directory with initdb and postgres)';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where PostgreSQL is: WHISPERLINE_POSTGRES_BIN (a bin directory), else the newest /usr/lib/postgresql/<n>/bin. */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PostgresInstall {
  const install = findBinaries(env);
  if (install.found && isRoot() && !systemUser()) return { found: false, reason: noUser };
  return install;
}

const noUser = `running as root, and there is no '${superuser}' system user to run PostgreSQL as (the postgresql package creates it)`;

function findBinaries(env: NodeJS.ProcessEnv): PostgresInstall {
  const given = env.WHISPERLINE_POSTGRES_BIN?.trim();
  if (given) {
    if (!hasServer(given)) return { found: false, reason: `WHISPERLINE_POSTGRES_BIN=${given} has no initdb and postgres` };
    try {
      const out = execFileSync(join(given, 'postgres'), ['--version'], { encoding: 'utf8' });
      const version = Number(/\(PostgreSQL\)\s+(\d+)/.exec(out)?.[1]);
      return version ? { found: true, binDir: given, version } : { found: false, reason: `${given}/postgres --version said: ${out.trim()}` };
    } catch (e) {
      return { found: false, reason: `${given}/postgres --version failed: ${(e as Error).message}` };
    }
  }
  const versions = existsSync(debianRoot) ? readdirSync(debianRoot).filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => b - a) : [];
  const version = versions.find((v) => hasServer(join(debianRoot, String(v), 'bin')));
  return version ? { found: true, binDir: join(debianRoot, String(version), 'bin'), version } : { found: false, reason: `PostgreSQL is not installed: no ${debianRoot}/<version>/bin with initdb and postgres ${hint}` };
}

const hasServer = (binDir: string) => existsSync(join(binDir, 'initdb')) && existsSync(join(binDir, 'postgres'));

const isRoot = () => process.getuid?.() === 0;

/** The postgres system user's uid and gid, or null. */
function systemUser(): { uid: number; gid: number } | null {
  const fields = attempt(() => execFileSync('getent', ['passwd', superuser], { encoding: 'utf8' }).split(':'));
  return fields ? { uid: Number(fields[2]), gid: Number(fields[3]) } : null;
}

/** Every server process group started here, and every data directory not removed yet: killed and removed when this process exits. */
const live = new Set<number>();
const leftDirs = new Set<string>();
let exitHooked = false;
function track(pid: number, dir: string): void {
  live.add(pid);
  leftDirs.add(dir);
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const pid of live) killGroup(pid);
    // A directory left in the temp dir is all that is lost if this fails.
    for (const dir of leftDirs) attempt(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  });
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** SIGKILL to the server's process group: the postmaster and every backend it started (it leads its group: detached). */
const killGroup = (pid: number) => attempt(() => process.kill(-pid, 'SIGKILL'));

/**
 * Runs a PostgreSQL binary as the postgres user when we are root. Through setpriv (util-linux) when
 * there is one: it also sets the parent-death signal, so a test runner killed without running its
 * exit handlers still takes its server with it. setpriv execs: the child's pid is the binary's.
 */
function command(binary: string, args: string[], opts: SpawnOptions): ChildProcess {
  const runAs = isRoot() ? systemUser() : null;
  if (isRoot() && !runAs) throw new Error(noUser);
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  if (!setpriv) return spawn(binary, args, { ...opts, ...(runAs ?? {}) });
  const user = runAs ? ['--reuid', String(runAs.uid), '--regid', String(runAs.gid), '--clear-groups'] : [];
  return spawn(setpriv, [...user, '--pdeathsig', 'KILL', '--', binary, ...args], opts);
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** One connection to the server, for a query; closed after it. */
async function query(port: number, database: string, sql: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: superuser, database, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

async function initdb(binDir: string, dataDir: string): Promise<void> {
  const args = ['-D', dataDir, '-U', superuser, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'];
  const proc = command(join(binDir, 'initdb'), args, { cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (b: Buffer) => (output = (output + b.toString()).slice(-100_000));
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const code = await new Promise<number | null>((resolve) => {
    proc.once('error', (e) => ((output += `\n(spawn failed: ${e.message})`), resolve(-1)));
    proc.once('close', resolve);
  });
  if (code === 0) return;
  const reach = /permission denied/i.test(output) ? `\n(the user PostgreSQL runs as must be able to reach ${dataDir}: every directory above it needs o+x)` : '';
  throw new Error(`initdb failed (exit ${code}):\n${output.slice(-4000)}${reach}`);
}

export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresServer> {
  const install = findPostgres();
  if (!install.found) throw new Error(install.reason);
  const database = opts.database ?? 'whisperline';
  const settings = opts.settings ?? {};
  const forbidden = ['listen_addresses', 'unix_socket_directories', 'port'].filter((k) => k in settings);
  if (forbidden.length) throw new Error(`startPostgres: ${forbidden.join(', ')} cannot be set: the server listens on 127.0.0.1 only, on its own port`);
  const port = opts.port ?? (await freeLoopbackPort());
  const dataDir = await mkdtemp(join(tmpdir(), 'wl-postgres-'));
  const logPath = join(dataDir, 'postgres.log');
  let child: { proc: ChildProcess; exited: Promise<void>; done: boolean } | null = null;
  let removed = false;

  const logTail = (): string => attempt(() => readFileSync(logPath, 'utf8').slice(-4000)) ?? '';

  const launch = async () => {
    if (removed) throw new Error(`the PostgreSQL data directory ${dataDir} has been removed by stop(); start a new server`);
    const args = ['-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-c', 'unix_socket_directories=', '-c', 'fsync=on', '-c', 'log_checkpoints=off'];
    for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
    // The log is a file the server writes itself: no pipe that fills up when nobody reads it.
    const fd = openSync(logPath, 'a');
    let proc: ChildProcess;
    try {
      proc = command(join(install.binDir, 'postgres'), args, { cwd: dataDir, stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    const entry = { proc, done: false, exited: Promise.resolve() };
    entry.exited = new Promise<void>((resolve) => {
      proc.once('error', () => ((entry.done = true), resolve()));
      proc.once('exit', () => ((entry.done = true), resolve()));
    });
    child = entry;
    if (proc.pid) track(proc.pid, dataDir);
    const deadline = Date.now() + 30_000;
    let last = '';
    while (!entry.done && Date.now() < deadline) {
      if (await canConnect(port)) {
        // A query, not just a port: "the database system is starting up" during crash recovery.
        const answered = await Promise.race([query(port, 'postgres', 'SELECT 1').then(() => true, (e: Error) => ((last = e.message), false)), entry.exited.then(() => false)]);
        if (answered) return;
      }
      await sleep(50);
    }
    const why = entry.done ? 'exited during start-up' : `did not answer a query on 127.0.0.1:${port} within 30 s${last ? ` (last: ${last})` : ''}`;
    await halt(true);
    throw new Error(`postgres ${why}:\n${logTail()}`);
  };

  /** Fast shutdown (SIGINT; SIGKILL after 30 s), or a crash: SIGKILL to the whole process group. */
  const halt = async (crash: boolean) => {
    const entry = child;
    child = null;
    if (!entry) return;
    const pid = entry.proc.pid;
    const running = !entry.done;
    if (running && pid) {
      if (crash) killGroup(pid);
      else entry.proc.kill('SIGINT');
      const timer = setTimeout(() => killGroup(pid), 30_000);
      await entry.exited;
      clearTimeout(timer);
    }
    if (pid) live.delete(pid);
    // Until the port is really closed, so a restart can bind it again.
    for (let i = 0; running && i < 100 && (await canConnect(port)); i++) await sleep(50);
  };

  const remove = async () => {
    removed = true;
    leftDirs.delete(dataDir);
    await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    const runAs = isRoot() ? systemUser() : null;
    if (runAs) await chown(dataDir, runAs.uid, runAs.gid);
    await initdb(install.binDir, dataDir);
    await launch();
    if (database !== 'postgres') {
      await query(port, 'postgres', `CREATE DATABASE ${quoteIdent(database)}`).catch((e: Error) => {
        throw new Error(`postgres could not create the database ${database}: ${e.message}\n${logTail()}`);
      });
    }
  } catch (e) {
    await halt(true);
    await remove();
    throw e;
  }

  return {
    url: `postgres://${superuser}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    port,
    dataDir,
    logTail,
    async stop() {
      await halt(false);
      await remove();
    },
    async kill() {
      await halt(true);
    },
    async restart() {
      await halt(false);
      await launch();
    },
  };
}
