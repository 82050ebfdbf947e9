// The org service (src/server/) against a real PostgreSQL on loopback:
// 1. reports at scale: 1,000,000 calls and 50,000 supervision sessions over 12 months, one month of
//    a 200-agent center asked for through the HTTP service (signed requests), cold and warm;
// 2. ingestion: 100 desks (each its own key, history file and uploader) producing 1,000 records/s
//    for 30 s while the service process is SIGKILLed and started again; then every record is
//    looked for in PostgreSQL.
// `npx tsx scripts/benchOrg.ts` runs it alone and prints the markdown (and the JSON with --json).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeFileSync, writeSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { examplePolicy } from '../src/node/adminCli';
import { findPostgres, startPostgres, type PostgresServer } from '../src/node/postgresServer';
import { freeLoopbackPort } from '../src/node/sipServer';
import { fileHistorySource } from '../src/main/org/deskOrgLink';
import type { CallRecord, HistoryEntry } from '../src/shared/callHistory';
import { OrgClient, type OrgAnswer, type UploadAnswer } from '../src/shared/org/client';
import type { OrgSigner } from '../src/shared/org/envelope';
import type { ReportQuery, ReportResult } from '../src/shared/org/report';
import { HistoryUploader } from '../src/shared/org/uploader';
import { bytesToBase64 } from '../src/shared/policy/canonical';
import type { OrgPolicyInput } from '../src/shared/policy/schema';
import { signPolicy } from '../src/shared/policy/signedPolicy';
import { openPostgres } from '../src/server/db';
import { applyRetention } from '../src/server/ingest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const r1 = (x: number) => Math.round(x * 10) / 10;
const benchStart = performance.now();
/** Progress on stderr (the markdown goes to stdout). */
const progress = (line: string) => console.error(`[org bench ${r1((performance.now() - benchStart) / 1000)} s] ${line}`);

// ---- sizes ------------------------------------------------------------------------------------

const domain = 'bench.whisperline.test';
const database = 'whisperline';
const teamSize = 20;
/** The 200-agent center: 10 teams of 20, one supervisor leading each. */
const centerTeams = 10;
/** Other centers, so that the store holds far more than the center asked about. */
const otherTeams = 15;
/** WL_ORG_BENCH_SCALE (default 1) shrinks the store, for trying the benchmark out quickly. */
const scale = Math.min(1, Math.max(0.001, Number(process.env.WL_ORG_BENCH_SCALE ?? 1) || 1));
const totalCalls = Math.round(1_000_000 * scale);
const totalSessions = Math.round(50_000 * scale);
const months = 12;
const coldReportSamples = 20;
const coldSupervisorSamples = 10;
const warmSamples = 24;
/** Ingestion. */
const desks = 100;
const ingestRate = 1000;
const ingestSeconds = 30;
const killAtSeconds = 12;
const downSeconds = 2;
const deskBackoff = { baseMs: 200, capMs: 2000 };
const reportGoalMs = 1000;

const id = (ext: number) => `${ext}@${domain}`;
/** Agents: the center's 200 first (teams 0–9), then the other centers' (teams 10–24). */
const agentIds = Array.from({ length: (centerTeams + otherTeams) * teamSize }, (_, i) => id(2000 + i));
const supervisorIds = Array.from({ length: centerTeams + otherTeams }, (_, i) => id(5000 + i));
const deskIds = Array.from({ length: desks }, (_, i) => id(4000 + i));
const qaId = id(5900);
const teamId = (k: number) => (k < centerTeams ? `center-${k}` : `other-${k - centerTeams}`);
const centerTeamIds = Array.from({ length: centerTeams }, (_, k) => teamId(k));

// ---- small helpers ----------------------------------------------------------------------------

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

function summary(values: number[]): { n: number; p50: number; p95: number; max: number; min: number } {
  return { n: values.length, p50: r1(percentile(values, 50)), p95: r1(percentile(values, 95)), max: r1(Math.max(...values)), min: r1(Math.min(...values)) };
}

/** Deterministic random numbers (mulberry32), so two runs generate the same desks' records. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function newSigner(): Promise<OrgSigner> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
  return { publicKey, sign: async (bytes) => new Uint8Array(await crypto.subtle.sign('Ed25519', pair.privateKey, bytes)) };
}

/** Busy and I/O-wait jiffies of the whole machine (/proc/stat), for the share of CPU a phase used. */
function machineCpu(): { busy: number; iowait: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3] - f[4], iowait: f[4], total };
  } catch {
    return { busy: NaN, iowait: NaN, total: NaN };
  }
}

/** As root: write back dirty pages and drop the OS page cache. null when done, else why not. */
function dropCaches(): string | null {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

// ---- the org: policy, keys --------------------------------------------------------------------

interface Org {
  policyPath: string;
  adminKeyPath: string;
  keys: Map<string, OrgSigner>;
}

async function makeOrg(dir: string): Promise<Org> {
  const keys = new Map<string, OrgSigner>();
  for (const p of [qaId, ...supervisorIds.slice(0, centerTeams), ...deskIds]) keys.set(p, await newSigner());
  const now = Date.now();
  const issuedAt = new Date(now - 3600_000).toISOString();
  const base = examplePolicy({ domain, issuedAt, expiresAt: new Date(now + 2 * 86400_000).toISOString() });
  const teams: OrgPolicyInput['teams'] = [];
  for (let k = 0; k < centerTeams + otherTeams; k++) {
    teams.push({ id: teamId(k), name: k < centerTeams ? `Center team ${k + 1}` : `Other team ${k - centerTeams + 1}`, queues: [], agents: agentIds.slice(k * teamSize, (k + 1) * teamSize), supervisors: [supervisorIds[k]] });
  }
  for (let k = 0; k < desks / teamSize; k++) teams.push({ id: `desks-${k}`, name: `Ingestion desks ${k + 1}`, queues: [], agents: deskIds.slice(k * teamSize, (k + 1) * teamSize), supervisors: [] });
  const enrolled = (person: string) => {
    const key = keys.get(person);
    return key ? [{ publicKey: key.publicKey, enrolledAt: issuedAt, label: 'bench desk' }] : [];
  };
  const people: OrgPolicyInput['people'] = [
    ...agentIds.map((p, i) => ({ id: p, name: `Agent ${i + 1}`, roles: ['agent' as const] })),
    ...deskIds.map((p, i) => ({ id: p, name: `Desk ${i + 1}`, roles: ['agent' as const], supervisorKeys: enrolled(p) })),
    ...supervisorIds.map((p, i) => ({ id: p, name: `Lead ${i + 1}`, roles: ['supervisor' as const], supervisorKeys: enrolled(p) })),
    { id: qaId, name: 'QA Reviewer', roles: ['qa'], supervisorKeys: enrolled(qaId) },
  ];
  const policy: OrgPolicyInput = { ...base, teams, people, orgService: { url: 'http://127.0.0.1:8470' } };
  const admin = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const adminPub = bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('raw', admin.publicKey)));
  const signed = await signPolicy(policy, admin.privateKey, adminPub);
  const policyPath = join(dir, 'policy.signed.json');
  const adminKeyPath = join(dir, 'admin.pub');
  writeFileSync(policyPath, JSON.stringify(signed));
  writeFileSync(adminKeyPath, `${adminPub}\n`);
  return { policyPath, adminKeyPath, keys };
}

// ---- the service as its own process -----------------------------------------------------------

interface ServiceProcess {
  url: string;
  start(): Promise<number>;
  /** SIGKILL, as a crash (or the OOM killer) would. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  logTail(chars?: number): string;
}

function serviceProcess(org: Org, dbUrl: string, port: number, logPath: string): ServiceProcess {
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const url = `http://127.0.0.1:${port}`;
  const logTail = (chars = 3000) => {
    try {
      return readFileSync(logPath, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  };
  const halt = async (signal: NodeJS.Signals) => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill(signal);
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  process.once('exit', () => proc?.kill('SIGKILL'));
  return {
    url,
    logTail,
    /** Resolves with the ms from spawn to a healthy answer. */
    async start() {
      const t0 = performance.now();
      const fd = openSync(logPath, 'a');
      // `node --import tsx` is `npx tsx` without the two wrapper processes: SIGKILL reaches the service itself.
      const args = ['--import', 'tsx', 'src/server/main.ts', '--policy', org.policyPath, '--admin-key', org.adminKeyPath, '--db', dbUrl, '--port', String(port), '--host', '127.0.0.1'];
      try {
        proc = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', fd, fd] });
      } finally {
        closeSync(fd);
      }
      const p = proc;
      exited = new Promise((resolve) => p.once('exit', () => resolve()));
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (p.exitCode !== null) throw new Error(`the org service exited at start (${p.exitCode}):\n${logTail()}`);
        try {
          const res = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2000) });
          const body = (await res.json()) as { ok?: boolean };
          if (body.ok) return performance.now() - t0;
        } catch {
          // not listening yet
        }
        await sleep(50);
      }
      throw new Error(`the org service did not become healthy within 60 s:\n${logTail()}`);
    },
    kill: () => halt('SIGKILL'),
    stop: () => halt('SIGTERM'),
  };
}

// ---- 1. reports at scale ------------------------------------------------------------------------

/** First days of the 12 full calendar months before this one (UTC), oldest first, and the day after the last. */
function monthStarts(now = new Date()): Date[] {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return Array.from({ length: months + 1 }, (_, i) => new Date(Date.UTC(y, m - months + i, 1)));
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const monthQuery = (starts: Date[], i: number, teams?: string[]): ReportQuery => ({ from: day(starts[i]), to: day(new Date(starts[i + 1].getTime() - 86_400_000)), ...(teams ? { teams } : {}) });

/**
 * 1M calls in time order (as desks upload them), agents at random, working hours 08–18 UTC every
 * day; call ids time-ordered like the app's (`call-<ms>-<seq>`, hex here). Answered 80 %; of the
 * answered: handle 60–900 s (mean ≈ 340 s), hold on 30 %, transferred 5 %, coached 8 %, escalated
 * 1 % (barge/takeover, part of the coached). Wrap-ups on 87.5 % of the answered (70 % of all calls),
 * 75 % of them resolved. Sessions: each supervisor on agents of their own team, 30–600 s.
 */
async function generate(db: pg.Client, starts: Date[]): Promise<Record<string, number>> {
  const t0 = starts[0].toISOString();
  const days = Math.round((starts[months].getTime() - starts[0].getTime()) / 86_400_000);
  const timed = async (sql: string, params: unknown[]) => {
    const t = performance.now();
    await db.query(sql, params);
    return Math.round(performance.now() - t);
  };
  await db.query('select setseed(0.4242)');
  const calls = await timed(
    `insert into calls (agent, call_id, direction, remote, started_at, answered_at, ended_at, handle_seconds, hold_seconds, transfers, outcome, coached, escalated, coaches, prompts, modes, received_at)
     select agent,
            'call-' || lpad(to_hex((extract(epoch from st) * 1000)::bigint), 11, '0') || '-' || g,
            case when udir < 0.85 then 'inbound' else 'outbound' end,
            'sip:+1555' || lpad((g % 10000000)::text, 7, '0') || '@trunk',
            st,
            case when answered then st + ring end,
            st + ring + case when answered then make_interval(secs => handle) else interval '0' end,
            case when answered then handle else 0 end,
            case when answered and uhold < 0.3 then 10 + 170 * uholdlen else 0 end,
            case when answered and utr < 0.05 then 1 else 0 end,
            case when answered and utr < 0.05 then 'transferred' when answered then 'answered' when udir < 0.85 then 'missed' else 'cancelled' end,
            answered and ucoach < 0.08,
            answered and ucoach < 0.01,
            case when answered and ucoach < 0.08 then lead else '' end,
            case when answered and ucoach < 0.08 then floor(uprompt * 4)::int else 0 end,
            case when answered and ucoach < 0.002 then 'listen,takeover' when answered and ucoach < 0.01 then 'listen,barge' when answered and ucoach < 0.08 then 'listen,whisper' else '' end,
            st + ring + make_interval(secs => handle + 5 + 60 * uprompt)
     from (
       select g, ($1::text[])[ai + 1] as agent, split_part(($2::text[])[ai / ${teamSize} + 1], '@', 1) as lead,
              $3::timestamptz + make_interval(days => floor(x)::int, secs => 28800 + (x - floor(x)) * 36000) as st,
              make_interval(secs => 3 + 27 * uring) as ring, 60 + 840 * uh * uh as handle,
              answered, uhold, uholdlen, udir, utr, ucoach, uprompt
       from (
         select g, floor(random() * $4)::int as ai, (g - 1)::float8 * $5 / $6 as x, random() < 0.8 as answered,
                random() as uh, random() as uhold, random() as uholdlen, random() as udir, random() as utr,
                random() as ucoach, random() as uprompt, random() as uring
         from generate_series(1, $6::int) g
       ) r
     ) s`,
    [agentIds, supervisorIds, t0, agentIds.length, days, totalCalls],
  );
  const wrapups = await timed(
    `insert into wrapups (agent, call_id, disposition, resolved, note, wrapped_at)
     select agent, call_id,
            case when r < 0.75 then 'Resolved' when r < 0.85 then 'Callback' when r < 0.95 then 'Follow-up' else 'Escalated' end,
            r < 0.75,
            case when n < 0.3 then 'Customer asked about an invoice; explained the charges.' else '' end,
            ended_at + make_interval(secs => 20 + 60 * n)
     from (select agent, call_id, ended_at, random() as r, random() as n, random() as k from calls where answered_at is not null) c
     where k < 0.875`,
    [],
  );
  const sessions = await timed(
    `insert into supervision_sessions (supervisor, leg_id, agent, started_at, ended_at, session_seconds, talk_seconds, prompts, acknowledged, top_mode, received_at)
     select ($1::text[])[k + 1],
            'leg-' || lpad(to_hex((extract(epoch from st) * 1000)::bigint), 11, '0') || '-' || g,
            ($2::text[])[k * ${teamSize} + j + 1],
            st, st + make_interval(secs => dur), dur,
            case when mode = 'listen' then 0 when mode = 'whisper' then dur * (0.1 + 0.3 * ut) else dur * (0.3 + 0.5 * ut) end,
            prompts, least(prompts, floor(prompts * (0.5 + ut))::int), mode,
            st + make_interval(secs => dur + 3)
     from (
       select g, k, j, dur, ut,
              $3::timestamptz + make_interval(days => floor(x)::int, secs => 28800 + (x - floor(x)) * 36000) as st,
              case when um < 0.5 then 'listen' when um < 0.9 then 'whisper' when um < 0.98 then 'barge' else 'takeover' end as mode,
              case when um < 0.5 then 0 else floor(up * 6)::int end as prompts
       from (
         select g, floor(random() * $4)::int as k, floor(random() * ${teamSize})::int as j, (g - 1)::float8 * $5 / $6 as x,
                30 + 570 * random() ^ 2 as dur, random() as um, random() as up, random() as ut
         from generate_series(1, $6::int) g
       ) r
     ) s`,
    [supervisorIds, agentIds, t0, supervisorIds.length, days, totalSessions],
  );
  // What autovacuum would have done on a store filled over a year: statistics and the visibility map
  // (without it an index-only scan visits the heap).
  const vacuum = await timed('vacuum (analyze) calls, wrapups, supervision_sessions', []);
  const checkpoint = await timed('checkpoint', []);
  return { callsMs: calls, wrapupsMs: wrapups, sessionsMs: sessions, vacuumAnalyzeMs: vacuum, checkpointMs: checkpoint };
}

async function tableFacts(db: pg.Client): Promise<Record<string, unknown>> {
  const counts = (await db.query(`select (select count(*) from calls)::int as calls, (select count(*) from wrapups)::int as wrapups, (select count(*) from supervision_sessions)::int as sessions,
      (select round(avg((answered_at is not null)::int), 3) from calls)::float8 as answered,
      (select round(avg(coached::int), 4) from calls where answered_at is not null)::float8 as "coachedOfAnswered",
      (select round(avg(escalated::int), 4) from calls where answered_at is not null)::float8 as "escalatedOfAnswered",
      (select round(avg((transfers > 0)::int), 4) from calls where answered_at is not null)::float8 as "transferredOfAnswered",
      (select round(avg(resolved::int), 3) from wrapups)::float8 as "resolvedOfWrapped"`)).rows[0];
  const sizes = (await db.query(`select relname as name, pg_size_pretty(pg_relation_size(c.oid)) as size from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and relname in ('calls', 'calls_pkey', 'calls_by_time', 'wrapups', 'wrapups_pkey', 'supervision_sessions', 'sessions_by_time') order by relname`)).rows;
  return { ...counts, sizes: Object.fromEntries(sizes.map((r: { name: string; size: string }) => [r.name, r.size])) };
}

interface PlanSummary {
  query: 'byAgent' | 'byDay' | 'bySupervisor' | 'qaByAgent';
  durationMs: number;
  /** The plan tree in one line: Node[ using index| on table](children). */
  plan: string;
  indexes: string[];
  sharedHit: number;
  sharedRead: number;
  ioReadMs?: number;
  /** Blocks (hit + read) of each table read whole (Seq Scan). */
  seqScanBlocks: Record<string, number>;
}

/** The plans auto_explain wrote for the service's three report queries (postgres.log, JSON format). */
function plansFromLog(text: string): PlanSummary[] {
  const out: PlanSummary[] = [];
  const re = /duration: ([\d.]+) ms\s+plan:\s*\n([\s\S]*?)(?=\n\d{4}-\d\d-\d\d \d\d:|$)/g;
  for (const m of text.matchAll(re)) {
    let plan: { 'Query Text': string; Plan: Record<string, unknown> };
    try {
      plan = JSON.parse(m[2]);
    } catch {
      continue;
    }
    const q = plan['Query Text'];
    const query = /group by c.agent, c.coached/.test(q) ? 'byAgent' : /to_char/.test(q) ? 'byDay' : /from supervision_sessions/.test(q) ? 'bySupervisor' : /from evaluations/.test(q) ? 'qaByAgent' : null;
    if (!query) continue;
    const indexes = new Set<string>();
    const seqScanBlocks: Record<string, number> = {};
    const describe = (n: Record<string, unknown>): string => {
      if (n['Index Name']) indexes.add(String(n['Index Name']));
      if (n['Node Type'] === 'Seq Scan') seqScanBlocks[String(n['Relation Name'])] = Number(n['Shared Hit Blocks'] ?? 0) + Number(n['Shared Read Blocks'] ?? 0);
      const on = n['Index Name'] ? ` using ${n['Index Name']}` : n['Relation Name'] ? ` on ${n['Relation Name']}` : '';
      const kids = ((n.Plans as Record<string, unknown>[] | undefined) ?? []).map(describe);
      return `${n['Node Type']}${on}${kids.length ? `(${kids.join(', ')})` : ''}`;
    };
    out.push({
      query,
      durationMs: Number(m[1]),
      plan: describe(plan.Plan),
      indexes: [...indexes],
      sharedHit: Number(plan.Plan['Shared Hit Blocks'] ?? 0),
      sharedRead: Number(plan.Plan['Shared Read Blocks'] ?? 0),
      ioReadMs: plan.Plan['I/O Read Time'] === undefined ? undefined : Number(plan.Plan['I/O Read Time']),
      seqScanBlocks,
    });
  }
  return out;
}

interface Sample {
  ms: number;
  handleSeconds: number;
  queryMs: number;
  calls: number;
  query: ReportQuery;
  who: string;
}

async function reportsBench(pgs: PostgresServer, admin: () => Promise<pg.Client>, org: Org, service: ServiceProcess, starts: Date[], notes: string[]) {
  const client = (who: string) => new OrgClient({ url: service.url, identity: who, signer: org.keys.get(who)! });
  const ask = async (who: string, query: ReportQuery): Promise<Sample> => {
    const t = performance.now();
    const answer: OrgAnswer<ReportResult> = await client(who).report(query);
    const ms = performance.now() - t;
    if (!answer.ok) throw new Error(`report for ${who} ${JSON.stringify(query)} refused: ${answer.code}: ${answer.reason}`);
    return { ms, queryMs: answer.value.queryMs, calls: answer.value.totals.all.calls, handleSeconds: answer.value.totals.all.handleSeconds, query, who };
  };
  let dropFailure: string | null = null;
  const cold = async () => {
    await pgs.restart();
    const why = dropCaches();
    if (why) dropFailure = why;
  };

  // EXPLAIN (ANALYZE, BUFFERS) of the service's own four queries, cold, through auto_explain.
  const db = await admin();
  for (const s of [`session_preload_libraries = 'auto_explain'`, 'auto_explain.log_min_duration = 0', 'auto_explain.log_analyze = on', 'auto_explain.log_buffers = on', `auto_explain.log_format = 'json'`]) {
    await db.query(`alter database ${database} set ${s}`);
  }
  await db.end();
  await cold();
  const logPath = join(pgs.dataDir, 'postgres.log');
  const logStart = statSync(logPath).size;
  const explained = await ask(qaId, monthQuery(starts, months - 2, centerTeamIds));
  await sleep(200);
  const plans = plansFromLog(readFileSync(logPath, 'utf8').slice(logStart));
  const db2 = await admin();
  await db2.query(`alter database ${database} reset all`);
  await db2.end();

  progress(`explained (${r1(explained.ms)} ms); cold samples`);
  const coldCenter: Sample[] = [];
  for (let i = 0; i < coldReportSamples; i++) {
    await cold();
    coldCenter.push(await ask(qaId, monthQuery(starts, i % months, centerTeamIds)));
  }
  const coldTeam: Sample[] = [];
  for (let i = 0; i < coldSupervisorSamples; i++) {
    await cold();
    const k = (i * 3) % centerTeams;
    coldTeam.push(await ask(supervisorIds[k], monthQuery(starts, (i * 5 + 1) % months)));
  }
  // Warm: every month read once (not counted), then asked again.
  for (let i = 0; i < months; i++) await ask(qaId, monthQuery(starts, i, centerTeamIds));
  const warmCenter: Sample[] = [];
  for (let i = 0; i < warmSamples; i++) warmCenter.push(await ask(qaId, monthQuery(starts, i % months, centerTeamIds)));
  const warmTeam: Sample[] = [];
  for (let i = 0; i < warmSamples; i++) warmTeam.push(await ask(supervisorIds[i % centerTeams], monthQuery(starts, (i * 7) % months)));

  // sum(real) adds in single precision (per agent and coached here): the report's handle time against an exact sum.
  const db3 = await admin();
  const q = explained.query;
  const exact = (
    await db3.query(
      `select sum(handle_seconds::float8) filter (where answered_at is not null) as exact from calls where started_at >= $1 and started_at < $2 and agent = any($3::text[])`,
      [q.from, new Date(Date.parse(q.to) + 86_400_000).toISOString(), agentIds.slice(0, centerTeams * teamSize)],
    )
  ).rows[0] as { exact: number };
  await db3.end();

  if (dropFailure) notes.push(`The OS page cache could not be dropped (${dropFailure}): "cold" samples are PostgreSQL restarts only, with the files possibly still in the OS cache.`);
  const s = (list: Sample[]) => ({ ...summary(list.map((x) => x.ms)), serverQueryMs: summary(list.map((x) => x.queryMs)), callsPerReport: Math.round(list.reduce((a, x) => a + x.calls, 0) / list.length) });
  return {
    cold: { center: s(coldCenter), team: s(coldTeam), pageCacheDropped: !dropFailure, ...(dropFailure ? { dropCachesFailed: dropFailure } : {}) },
    warm: { center: s(warmCenter), team: s(warmTeam) },
    explain: { sample: { ms: r1(explained.ms), queryMs: explained.queryMs, query: explained.query, note: 'cold (after a restart and a dropped page cache), timings include auto_explain’s own instrumentation' }, plans },
    handleSecondsSum: { query: q, exact: exact.exact, reported: explained.handleSeconds, difference: Math.round((explained.handleSeconds - exact.exact) * 1000) / 1000 },
    samples: {
      coldCenter: coldCenter.map((x) => ({ month: x.query.from.slice(0, 7), ms: r1(x.ms), queryMs: x.queryMs, calls: x.calls })),
      coldTeam: coldTeam.map((x) => ({ supervisor: x.who, month: x.query.from.slice(0, 7), ms: r1(x.ms), queryMs: x.queryMs, calls: x.calls })),
    },
  };
}

// ---- 2. ingestion ---------------------------------------------------------------------------------

interface Expected {
  appendedAt: number;
  coached: boolean;
}

interface Tally {
  received: number;
  stored: number;
  acks: { at: number; entries: number }[];
  failures: Map<string, number>;
}

/** Counts what the service answered: entries received and rows stored (fewer when sent again). */
class CountingClient extends OrgClient {
  constructor(
    opts: ConstructorParameters<typeof OrgClient>[0],
    private readonly tally: Tally,
  ) {
    super(opts);
  }

  override async upload(entries: readonly HistoryEntry[]): Promise<OrgAnswer<UploadAnswer>> {
    const answer = await super.upload(entries);
    if (answer.ok) {
      this.tally.received += answer.value.received;
      this.tally.stored += answer.value.stored.calls + answer.value.stored.wrapups + answer.value.stored.sessions;
      this.tally.acks.push({ at: performance.now(), entries: entries.length });
    } else {
      const key = `${answer.status} ${answer.code}`;
      this.tally.failures.set(key, (this.tally.failures.get(key) ?? 0) + 1);
    }
    return answer;
  }
}

async function ingestionBench(dir: string, org: Org, service: ServiceProcess, admin: () => Promise<pg.Client>) {
  const random = prng(7);
  const reports: string[] = [];
  const expectedCalls = new Map<string, Expected>();
  const expectedWrapups = new Map<string, boolean>();
  const tally: Tally = { received: 0, stored: 0, acks: [], failures: new Map() };
  const deskState = deskIds.map((who, i) => {
    const folder = join(dir, 'desks', String(i));
    mkdirSync(folder, { recursive: true });
    const historyPath = join(folder, 'call-history.jsonl');
    const cursorPath = join(folder, 'org-upload.cursor.json');
    const client = new CountingClient({ url: service.url, identity: who, signer: org.keys.get(who)! }, tally);
    const uploader = new HistoryUploader({ source: fileHistorySource(historyPath, cursorPath), client: () => client, report: (l) => reports.push(`${who}: ${l}`), backoff: deskBackoff });
    return { who, historyPath, cursorPath, fd: openSync(historyPath, 'a'), uploader, seq: 0, pendingWrapUp: null as null | { callId: string; resolved: boolean } };
  });

  /** The desk's next history line: a call ending now, or the wrap-up of its last call (70 % get one). */
  const appendNext = (d: (typeof deskState)[number]) => {
    let entry: HistoryEntry;
    const now = Date.now();
    if (d.pendingWrapUp) {
      const w = d.pendingWrapUp;
      d.pendingWrapUp = null;
      entry = { kind: 'wrapup', callId: w.callId, wrapUp: { disposition: w.resolved ? 'Resolved' : 'Callback', resolved: w.resolved, note: '' }, at: new Date(now).toISOString() };
      expectedWrapups.set(`${d.who}\t${w.callId}`, w.resolved);
    } else {
      const callId = `call-${now.toString(36)}-${++d.seq}`;
      const answered = random() < 0.8;
      const handle = 60 + 840 * random() ** 2;
      const coached = answered && random() < 0.08;
      const start = now - (answered ? handle * 1000 + 8000 : 20_000);
      const call: CallRecord = {
        id: callId,
        direction: 'inbound',
        remote: `sip:+1555${String(Math.floor(random() * 1e7)).padStart(7, '0')}@trunk`,
        remoteName: '',
        startedAt: new Date(start).toISOString(),
        answeredAt: answered ? new Date(start + 8000).toISOString() : null,
        endedAt: new Date(now).toISOString(),
        holdSeconds: answered && random() < 0.3 ? Math.round(10 + 170 * random()) : 0,
        transfers: answered && random() < 0.05 ? 1 : 0,
        outcome: answered ? 'answered' : 'missed',
        reason: '',
        ...(coached ? { coaching: { role: 'agent' as const, with: 'Lead 1', prompts: 1, acknowledged: 1, modes: ['listen' as const, 'whisper' as const] } } : {}),
      };
      entry = { kind: 'call', call };
      expectedCalls.set(`${d.who}\t${callId}`, { appendedAt: now, coached });
      if (answered && random() < 0.875) d.pendingWrapUp = { callId, resolved: random() < 0.75 };
    }
    writeSync(d.fd, `${JSON.stringify(entry)}\n`);
    void d.uploader.kick();
  };

  const total = ingestRate * ingestSeconds;
  let produced = 0;
  const cpu0 = machineCpu();
  const t0 = performance.now();
  const wallOffset = Date.now() - performance.now();
  let closed = false;
  const closeHistories = () => {
    if (!closed) for (const d of deskState) closeSync(d.fd);
    closed = true;
  };
  const producer = setInterval(() => {
    const target = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * ingestRate));
    while (produced < target) appendNext(deskState[produced++ % desks]);
  }, 20);

  let killAt = NaN;
  let upAt = NaN;
  let startMs = NaN;
  let producedAt = NaN;
  let drainedAt = NaN;
  let allDrained = false;
  let cpu1 = cpu0;
  try {
    // Mid-stream: the service process is killed outright and started again a little later.
    await sleep(killAtSeconds * 1000);
    progress(`ingestion: ${produced} records appended; SIGKILL to the service`);
    killAt = performance.now();
    await service.kill();
    await sleep(downSeconds * 1000);
    startMs = await service.start();
    upAt = performance.now();

    while (produced < total) await sleep(50);
    clearInterval(producer);
    producedAt = performance.now();
    progress(`ingestion: all ${produced} records appended; waiting for the desks to drain`);
    closeHistories();

    // Drained: every desk's cursor at the end of its history file.
    const drained = () =>
      deskState.every((d) => {
        try {
          return (JSON.parse(readFileSync(d.cursorPath, 'utf8')) as { offset: number }).offset === statSync(d.historyPath).size;
        } catch {
          return false;
        }
      });
    const drainDeadline = Date.now() + 120_000;
    // The uploaders' own retries (their back-off timers) bring the last entries in: no extra kicks here.
    while (!drained() && Date.now() < drainDeadline) await sleep(100);
    drainedAt = performance.now();
    cpu1 = machineCpu();
    allDrained = drained();
  } finally {
    clearInterval(producer);
    closeHistories();
    for (const d of deskState) d.uploader.stop();
  }

  // What PostgreSQL holds for these desks.
  const db = await admin();
  const callRows = (await db.query(`select agent, call_id, coached, extract(epoch from received_at) * 1000 as received from calls where agent = any($1::text[])`, [deskIds])).rows as { agent: string; call_id: string; coached: boolean; received: string }[];
  const wrapRows = (await db.query(`select agent, call_id, resolved from wrapups where agent = any($1::text[])`, [deskIds])).rows as { agent: string; call_id: string; resolved: boolean }[];
  const refusals = (await db.query(`select code, count(*)::int as n from refusals group by code`)).rows as { code: string; n: number }[];
  const nonces = (await db.query(`select count(*)::int as n from request_nonces`)).rows[0].n as number;
  await db.end();

  const acks = tally.acks;
  const lastAck = acks.length ? acks[acks.length - 1].at : producedAt;
  const resumedAt = acks.find((a) => a.at > killAt + downSeconds * 1000)?.at ?? NaN;
  const seen = new Set<string>();
  let duplicates = 0;
  let unexpected = 0;
  let wrongCoached = 0;
  const lags: number[] = [];
  const steadyLags: number[] = [];
  for (const r of callRows) {
    const key = `${r.agent}\t${r.call_id}`;
    if (seen.has(key)) duplicates++;
    seen.add(key);
    const e = expectedCalls.get(key);
    if (!e) {
      unexpected++;
      continue;
    }
    if (e.coached !== r.coached) wrongCoached++;
    const lag = Number(r.received) - e.appendedAt;
    lags.push(lag);
    // Away from the outage: appended over 1 s before the kill, or over 2 s after uploads were stored again.
    if (e.appendedAt < killAt + wallOffset - 1000 || e.appendedAt > resumedAt + wallOffset + 2000) steadyLags.push(lag);
  }
  const missing = [...expectedCalls.keys()].filter((k) => !seen.has(k)).length;
  const wrapSeen = new Set<string>();
  let wrapDuplicates = 0;
  let wrapUnexpected = 0;
  let wrapWrong = 0;
  for (const r of wrapRows) {
    const key = `${r.agent}\t${r.call_id}`;
    if (wrapSeen.has(key)) wrapDuplicates++;
    wrapSeen.add(key);
    const e = expectedWrapups.get(key);
    if (e === undefined) wrapUnexpected++;
    else if (e !== r.resolved) wrapWrong++;
  }
  const wrapMissing = [...expectedWrapups.keys()].filter((k) => !wrapSeen.has(k)).length;

  const ackedWhileProducing = acks.filter((a) => a.at <= producedAt).reduce((s, a) => s + a.entries, 0);
  // Peak catch-up: entries acknowledged in the best second after the restart.
  let peak = 0;
  const after = acks.filter((x) => x.at >= upAt);
  for (let i = 0, j = 0, sum = 0; i < after.length; sum -= after[i++].entries) {
    for (; j < after.length && after[j].at < after[i].at + 1000; j++) sum += after[j].entries;
    peak = Math.max(peak, sum);
  }
  const records = expectedCalls.size + expectedWrapups.size;
  const passedOver = deskState.reduce((s, d) => s + d.uploader.status.passedOver, 0);
  const errorReasons = new Map<string, number>();
  for (const line of reports) {
    const reason = line.replace(/^[^:]+: Reports upload: /, '').replace(/\d+(\.\d+)?/g, 'N').replace(/127\.N\.N\.N:N/g, 'service');
    errorReasons.set(reason, (errorReasons.get(reason) ?? 0) + 1);
  }
  return {
    desks,
    produced: { records, calls: expectedCalls.size, wrapups: expectedWrapups.size, seconds: r1((producedAt - t0) / 1000), recordsPerSecond: Math.round(records / ((producedAt - t0) / 1000)) },
    acknowledged: {
      recordsPerSecondOverall: Math.round(records / ((lastAck - t0) / 1000)),
      whileProducing: ackedWhileProducing,
      peakRecordsPerSecondAfterRestart: peak,
      drainSecondsAfterProducing: r1((Math.max(lastAck, producedAt) - producedAt) / 1000),
      entriesReceivedByService: tally.received,
      rowsStoredByService: tally.stored,
      resentEntries: tally.received - tally.stored,
      storedUploads: acks.length,
      entriesPerUpload: r1(tally.received / Math.max(1, acks.length)),
      failedRequests: Object.fromEntries(tally.failures),
    },
    lagMs: { steady: summary(steadyLags), all: summary(lags) },
    machineCpu: { busyPercentOfAll: r1(((cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total)) * 100), ioWaitPercent: r1(((cpu1.iowait - cpu0.iowait) / (cpu1.total - cpu0.total)) * 100) },
    requestNonces: nonces,
    outage: {
      killedAtSecond: killAtSeconds,
      downSeconds,
      killToHealthyMs: Math.round(upAt - killAt),
      serviceStartMs: Math.round(startMs),
      killToFirstStoredUploadMs: Math.round(resumedAt - killAt),
    },
    rows: {
      calls: { expected: expectedCalls.size, stored: callRows.length, missing, duplicates, unexpected, wrongCoachedFlag: wrongCoached },
      wrapups: { expected: expectedWrapups.size, stored: wrapRows.length, missing: wrapMissing, duplicates: wrapDuplicates, unexpected: wrapUnexpected, wrongResolvedFlag: wrapWrong },
    },
    allDrained,
    drainedSecondsAfterProducing: r1((drainedAt - producedAt) / 1000),
    passedOver,
    uploaderReports: Object.fromEntries([...errorReasons].sort((a, b) => b[1] - a[1]).slice(0, 8)),
    refusals: Object.fromEntries(refusals.map((r) => [r.code, r.n])),
    backoff: deskBackoff,
  };
}

// ---- the whole ------------------------------------------------------------------------------------

export async function orgBench(): Promise<{ json: unknown; md: string[] }> {
  const title = '## Org service (reports and ingestion)';
  const install = findPostgres();
  if (!install.found) return { json: { skipped: install.reason }, md: [title, '', `Skipped: ${install.reason}.`, ''] };
  const began = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'wl-orgbench-'));
  let pgs: PostgresServer | null = null;
  let service: ServiceProcess | null = null;
  const notes: string[] = [];
  try {
    pgs = await startPostgres({ database, settings: { max_wal_size: '4GB', track_io_timing: 'on' } });
    const url = pgs.url;
    const admin = async () => {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    };
    const org = await makeOrg(dir);
    service = serviceProcess(org, url, await freeLoopbackPort(), join(dir, 'service.log'));
    // The service creates the schema (its migrations), then stops while the store is filled.
    await service.start();
    await service.stop();
    const starts = monthStarts();
    const tg = performance.now();
    progress(`PostgreSQL ${install.version} on ${url}; generating ${totalCalls} calls and ${totalSessions} sessions`);
    const db = await admin();
    const generation = await generate(db, starts);
    const facts = await tableFacts(db);
    await db.end();
    const generationSeconds = r1((performance.now() - tg) / 1000);
    progress(`store generated in ${generationSeconds} s: ${JSON.stringify(generation)}`);
    // What the service runs at every start (and every 6 h) on a store this size (nothing is old enough to go).
    const store = await openPostgres(url);
    const tr = performance.now();
    await applyRetention(store, 730, 600);
    const retentionMs = Math.round(performance.now() - tr);
    await store.close();
    await service.start();

    const reports = await reportsBench(pgs, admin, org, service, starts, notes);
    progress(`reports: cold p95 ${reports.cold.center.p95} ms, warm p95 ${reports.warm.center.p95} ms`);
    const ingestion = await ingestionBench(dir, org, service, admin);
    progress('ingestion done');
    const seconds = r1((performance.now() - began) / 1000);
    const log = service.logTail(Infinity).split('\n');
    const serviceLog = { lines: log.filter(Boolean).length, failed: log.filter((l) => / failed: /.test(l)).length, connectionLost: log.filter((l) => /connection lost/.test(l)).length, refused: log.filter((l) => /\] refused /.test(l)).length };
    const json = {
      postgres: { version: install.version, settings: 'defaults (shared_buffers 128MB) but max_wal_size=4GB, track_io_timing=on, fsync on' },
      store: { ...facts, generation: { seconds: generationSeconds, ...generation }, retentionRunMs: retentionMs },
      serviceLog,
      reports,
      ingestion,
      seconds,
      notes,
    };
    return { json, md: markdown(json, notes) };
  } catch (e) {
    const tail = service?.logTail();
    throw new Error(`${(e as Error).message}${tail ? `\n(org service log:)\n${tail}` : ''}`);
  } finally {
    await service?.kill().catch(() => undefined);
    await pgs?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }
}

type BenchJson = {
  store: Record<string, unknown> & { generation: { seconds: number } };
  reports: Awaited<ReturnType<typeof reportsBench>>;
  ingestion: Awaited<ReturnType<typeof ingestionBench>>;
  seconds: number;
};

function markdown(j: BenchJson, notes: string[]): string[] {
  const { reports: r, ingestion: g } = j;
  const yes = (b: boolean) => (b ? 'yes' : '**no**');
  const c = r.cold.center;
  const exactlyOnce = (x: { expected: number; stored: number; missing: number; duplicates: number; unexpected: number }) => x.missing === 0 && x.unexpected === 0 && x.duplicates === 0 && x.stored === x.expected;
  const indexes = [...new Set(r.explain.plans.flatMap((p) => p.indexes))].join(', ') || 'none';
  const s = j.store;
  const wrapupScan = r.explain.plans.find((p) => p.query === 'byAgent' && p.seqScanBlocks.wrapups !== undefined);
  return [
    '## Org service (reports and ingestion)',
    '',
    `PostgreSQL on loopback (fsync on, default memory settings: shared_buffers 128 MB), the org service as its own process (\`src/server/main.ts\`), every request signed (OrgClient) over HTTP. The store: ${s.calls} calls, ${s.wrapups} wrap-ups, ${s.sessions} supervision sessions over ${months} months, ${agentIds.length} agents (the 200-agent center: ${centerTeams} teams of ${teamSize}, a supervisor leading each; ${otherTeams} other teams), generated server-side in ${s.generation.seconds} s (VACUUM ANALYZE included). "Cold": PostgreSQL restarted and the OS page cache dropped before each sample${r.cold.pageCacheDropped ? '' : ' (**dropping the page cache failed: restart only**)'}. Ingestion: ${g.desks} desks, each its own key, history file and uploader (back-off ${deskBackoff.baseMs} ms base, ${deskBackoff.capMs / 1000} s cap instead of the app's 2 s / 120 s, which would stretch the catch-up after an outage), each upload kicked by every append. Whole org bench: ${j.seconds} s.`,
    '',
    '| metric | value | goal | met? |',
    '|---|---|---|---|',
    `| report: a month of the 200-agent center (QA, ≈${c.callsPerReport} calls), **cold**, p50 / p95 / max (n=${c.n}) | ${c.p50} / **${c.p95}** / ${c.max} ms | p95 < ${reportGoalMs} ms | ${yes(c.p95 < reportGoalMs)} |`,
    `| same, server-side \`queryMs\` (cold), p50 / p95 | ${c.serverQueryMs.p50} / ${c.serverQueryMs.p95} ms | — | |`,
    `| same, warm, p50 / p95 (n=${r.warm.center.n}) | ${r.warm.center.p50} / ${r.warm.center.p95} ms | — | |`,
    `| report: a month of one team (its supervisor, ≈${r.cold.team.callsPerReport} calls), cold, p50 / p95 (n=${r.cold.team.n}) | ${r.cold.team.p50} / ${r.cold.team.p95} ms | p95 < ${reportGoalMs} ms | ${yes(r.cold.team.p95 < reportGoalMs)} |`,
    `| same, warm, p50 / p95 (n=${r.warm.team.n}) | ${r.warm.team.p50} / ${r.warm.team.p95} ms | — | |`,
    `| ingestion: records appended by ${g.desks} desks (calls and wrap-ups) | ${g.produced.records} in ${g.produced.seconds} s = ${g.produced.recordsPerSecond}/s | 1000/s | ${yes(g.produced.recordsPerSecond >= 0.97 * ingestRate)} |`,
    `| ingestion: stored while appending / overall (first append → last stored, outage included) | ${Math.round(g.acknowledged.whileProducing / g.produced.seconds)}/s / ${g.acknowledged.recordsPerSecondOverall}/s; peak catch-up ${g.acknowledged.peakRecordsPerSecondAfterRestart}/s; all desks drained ${g.drainedSecondsAfterProducing} s after the last append | keeps up with 1000/s | ${yes(g.allDrained && g.drainedSecondsAfterProducing < 10)} |`,
    `| ingestion: lag append → stored (calls), p50 / p95 away from the outage; p95 / max overall | ${g.lagMs.steady.p50} / ${g.lagMs.steady.p95} ms; ${g.lagMs.all.p95} / ${g.lagMs.all.max} ms | — | |`,
    `| service SIGKILLed at ${g.outage.killedAtSecond} s, started again ${g.outage.downSeconds} s later: kill → healthy / kill → first upload stored | ${g.outage.killToHealthyMs} / ${g.outage.killToFirstStoredUploadMs} ms | — | |`,
    `| calls in PostgreSQL: expected / stored (missing, duplicates, unexpected) | ${g.rows.calls.expected} / ${g.rows.calls.stored} (${g.rows.calls.missing}, ${g.rows.calls.duplicates}, ${g.rows.calls.unexpected}) | each exactly once | ${yes(exactlyOnce(g.rows.calls))} |`,
    `| wrap-ups in PostgreSQL: expected / stored (missing, duplicates, unexpected) | ${g.rows.wrapups.expected} / ${g.rows.wrapups.stored} (${g.rows.wrapups.missing}, ${g.rows.wrapups.duplicates}, ${g.rows.wrapups.unexpected}) | each exactly once | ${yes(exactlyOnce(g.rows.wrapups))} |`,
    '',
    `Plans of the report's four queries (auto_explain, one cold sample): ${r.explain.plans.map((p) => `${p.query}: \`${p.plan}\` (${p.durationMs} ms, ${p.sharedRead} blocks read${p.ioReadMs === undefined ? '' : ` in ${p.ioReadMs} ms`}, ${p.sharedHit} hit)`).join('; ')}. Indexes used: ${indexes}.`,
    ...(wrapupScan ? ['', `The calls-by-agent query reads every wrap-up in the store (Seq Scan on wrapups, ${wrapupScan.seqScanBlocks.wrapups} blocks) to join one month of calls: ${wrapupScan.durationMs} ms of that sample's ${r.explain.sample.queryMs} ms.`] : []),
    '',
    `Ingestion: ${g.acknowledged.storedUploads} uploads stored (${g.acknowledged.entriesPerUpload} entries each on average), ${g.acknowledged.resentEntries} ${g.acknowledged.resentEntries === 1 ? 'entry' : 'entries'} sent again after the kill (acknowledgement lost) and stored once; requests that failed: ${Object.entries(g.acknowledged.failedRequests).map(([k, v]) => `${v} × ${k}`).join(', ') || 'none'}; machine CPU ${g.machineCpu.busyPercentOfAll} % busy (both cores) during ingestion.`,
    ...notes.flatMap((n) => ['', n]),
    '',
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  orgBench().then(
    ({ json, md }) => {
      console.log(md.join('\n'));
      if (process.argv.includes('--json')) console.log(JSON.stringify(json, null, 2));
      process.exit(0);
    },
    (e: Error) => {
      console.error(e);
      process.exit(1);
    },
  );
}
