/**
 * The org service's schema, as numbered migrations applied in order inside one transaction each and
 * remembered in `schema_migrations`. A migration once released is never edited: a change is a new one.
 */
import type { SqlDb } from './db';

export const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'calls, wrap-ups, supervision sessions, request nonces, refusals',
    sql: `
      create table calls (
        agent text not null,
        call_id text not null,
        direction text not null,
        remote text not null,
        started_at timestamptz not null,
        answered_at timestamptz,
        ended_at timestamptz not null,
        handle_seconds real not null default 0,
        hold_seconds real not null default 0,
        transfers int not null default 0,
        outcome text not null,
        coached boolean not null default false,
        escalated boolean not null default false,
        coaches text not null default '',
        prompts int not null default 0,
        modes text not null default '',
        received_at timestamptz not null default now(),
        primary key (agent, call_id)
      );
      -- Reports read a date range for a set of agents; the included columns let the aggregate
      -- run from the index alone.
      create index calls_by_time on calls (started_at, agent)
        include (coached, escalated, answered_at, handle_seconds, hold_seconds, transfers, call_id);

      create table wrapups (
        agent text not null,
        call_id text not null,
        disposition text not null,
        resolved boolean not null,
        note text not null default '',
        wrapped_at timestamptz not null,
        primary key (agent, call_id)
      );

      create table supervision_sessions (
        supervisor text not null,
        leg_id text not null,
        agent text not null,
        started_at timestamptz not null,
        ended_at timestamptz not null,
        session_seconds real not null,
        talk_seconds real not null default 0,
        prompts int not null default 0,
        acknowledged int not null default 0,
        top_mode text not null default 'listen',
        received_at timestamptz not null default now(),
        primary key (supervisor, leg_id)
      );
      create index sessions_by_time on supervision_sessions (started_at, agent);

      -- Single-use request nonces, kept a little longer than a request stays fresh.
      create table request_nonces (
        key_id text not null,
        nonce text not null,
        seen_at timestamptz not null default now(),
        primary key (key_id, nonce)
      );
      create index request_nonces_by_time on request_nonces (seen_at);

      -- Every refused request: who it claimed to be, why, from where. Nothing of its body is stored.
      create table refusals (
        id bigserial primary key,
        at timestamptz not null default now(),
        remote_address text not null default '',
        claimed_from text not null default '',
        key_id text not null default '',
        kind text not null default '',
        code text not null,
        reason text not null
      );
      create index refusals_by_time on refusals (at);
    `,
  },
  {
    version: 2,
    name: 'QA evaluations',
    sql: `
      create table evaluations (
        id text primary key,
        agent text not null,
        call_id text not null,
        recording_id text,
        evaluator text not null,
        scorecard text not null,
        scorecard_name text not null,
        scores jsonb not null,
        comments jsonb not null,
        note text not null default '',
        points real not null,
        max_points real not null,
        created_at timestamptz not null default now(),
        acknowledged_at timestamptz,
        agent_comment text not null default ''
      );
      create index evaluations_by_agent on evaluations (agent, created_at);
      create index evaluations_by_call on evaluations (call_id);
    `,
  },
  {
    version: 3,
    name: 'recordings for QA review',
    sql: `
      create table recordings (
        id text primary key,
        agent text not null,
        call_id text not null,
        started_at timestamptz not null,
        detail jsonb not null,
        complete boolean not null default false,
        received_at timestamptz not null default now()
      );
      create index recordings_by_agent on recordings (agent, started_at);
      create index recordings_by_call on recordings (call_id);
      -- The audio is in the blob store; these say which pieces of which track are in.
      create table recording_pieces (
        id text not null,
        track text not null,
        byte_offset bigint not null,
        length int not null,
        primary key (id, track, byte_offset)
      );
    `,
  },
  {
    version: 4,
    name: 'wrap-up outcome on the call row, so reports read calls alone',
    sql: `
      alter table calls add column wrapped_up boolean not null default false;
      alter table calls add column resolved boolean not null default false;
      update calls c set wrapped_up = true, resolved = w.resolved from wrapups w where w.agent = c.agent and w.call_id = c.call_id;
      drop index calls_by_time;
      create index calls_by_time on calls (started_at, agent)
        include (coached, escalated, answered_at, handle_seconds, hold_seconds, transfers, wrapped_up, resolved);
    `,
  },
];

/** Applies what is missing; returns the versions applied now. Safe to run on every start, from several processes. */
export async function migrate(db: SqlDb): Promise<number[]> {
  await db.exec('create table if not exists schema_migrations (version int primary key, name text not null, applied_at timestamptz not null default now())');
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      // One service at a time (two started together on PostgreSQL): the lock lasts until commit.
      if (db.kind === 'postgres') await tx.query('select pg_advisory_xact_lock(7245001)');
      const rows = await tx.query<{ version: number }>('select version from schema_migrations where version = $1', [m.version]);
      if (rows.length) return false;
      for (const statement of m.sql.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean)) await tx.query(statement);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
