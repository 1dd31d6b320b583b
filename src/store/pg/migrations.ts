import type pg from 'pg';

/**
 * The database's schema, as numbered steps applied in order at start. Two instances starting
 * together are safe: each applies under one transaction-level advisory lock, and a step already
 * recorded in `setpoint_migrations` is skipped. A step is never edited once released; a change
 * is a new step.
 */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
      create table shard_leases (
        shard integer primary key,
        owner text,
        epoch bigint not null default 0,
        expires_at timestamptz
      );
      create table members (
        id text primary key,
        started_at timestamptz not null default now(),
        heartbeat_at timestamptz not null default now()
      );
    `,
  },
  {
    version: 2,
    sql: `
      create table inventory (key text primary key, entry jsonb not null);
      create table intents (id text primary key, at bigint not null, intent jsonb not null);
      create table store_meta (name text primary key, value bigint not null);
    `,
  },
  {
    version: 3,
    sql: `
      create table resources (
        key text primary key,
        kind text not null,
        name text not null,
        shard integer not null,
        spec jsonb not null,
        depends_on jsonb,
        policy jsonb,
        generation bigint not null default 1,
        resource_version bigint not null,
        status jsonb,
        observed_generation bigint not null default 0,
        updated_at timestamptz not null default now()
      );
      create index resources_by_shard on resources (shard);
      create sequence resource_versions;
    `,
  },
  {
    version: 4,
    sql: `
      create table publications (
        id bigserial primary key,
        instance text not null,
        digest text not null,
        resources integer not null,
        added integer not null,
        changed integer not null,
        removed integer not null,
        at timestamptz not null default now()
      );
    `,
  },
  {
    version: 5,
    sql: `
      alter table resources add column source text not null default 'config';
    `,
  },
  {
    version: 6,
    sql: `
      alter table resources add column labels jsonb not null default '{}';
      create table resource_changes (
        version bigint primary key,
        key text not null,
        type text not null,
        object jsonb not null,
        at timestamptz not null default now()
      );
      insert into store_meta (name, value)
        select 'changes_compacted', coalesce(max(resource_version), 0) from resources
        on conflict (name) do nothing;
    `,
  },
];

/** The advisory lock every migration run takes: one number, setpoint's, for the whole database. */
const MIGRATION_LOCK = 0x5e7b01;

/** Apply every step not applied yet; resolves with the versions it applied. */
export async function migrate(client: pg.ClientBase, shards: number): Promise<number[]> {
  const applied: number[] = [];
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'create table if not exists setpoint_migrations (version integer primary key, applied_at timestamptz not null default now())',
    );
    const { rows } = await client.query<{ version: number }>('select version from setpoint_migrations');
    const done = new Set(rows.map((r) => r.version));
    for (const step of MIGRATIONS) {
      if (done.has(step.version)) continue;
      await client.query(step.sql);
      await client.query('insert into setpoint_migrations (version) values ($1)', [step.version]);
      applied.push(step.version);
    }
    await client.query(
      'insert into shard_leases (shard) select s from generate_series(0, $1::int - 1) s on conflict do nothing',
      [shards],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
  return applied;
}
