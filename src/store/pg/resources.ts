import type pg from 'pg';
import { keyOf, type Resource } from '../../contract/resource.js';
import { sameResource } from '../../diff/same-resource.js';
import { logChanges, OBJECT_COLUMNS, type ObjectRow } from './change-log.js';
import { type ResourceRow, toResource } from './resource-row.js';
import { shardOf } from './shard-of.js';

/**
 * The desired set in the database, one row per key: its spec, a generation that grows with
 * every change of the spec, and a resource version (from one sequence, so it grows across the
 * whole table) that grows with every write, for optimistic locking and for watching from a
 * version. Changes are announced on the channel `setpoint_resources` with the key's shard, after
 * commit; a missed notice is covered by each instance's periodic look.
 */

export const RESOURCES_CHANNEL = 'setpoint_resources';

/** What `publish` changed. */
export interface Published {
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  /** Keys it names that another source declares: left as that source has them. */
  readonly conflicts: readonly string[];
}

/** Where the config's resources come from, as a source of the desired set. */
export const CONFIG_SOURCE = 'config';

/**
 * Make `resources` what `source` declares: add new keys, bump the generation of changed ones,
 * remove the keys of this source no longer in it. Each key belongs to the source that declared
 * it first: a key another source declares is left alone and reported in `conflicts`, never
 * overwritten. Idempotent: publishing the same set again changes nothing (and notifies
 * nothing). One transaction, so two instances publishing the same set at once agree.
 */
export async function publish(
  db: pg.ClientBase,
  resources: readonly Resource[],
  shards: number,
  source: string = CONFIG_SOURCE,
): Promise<Published> {
  return inTransaction(db, async () => {
    await db.query('lock table resources in share row exclusive mode');
    const { rows } = await db.query<ResourceRow & { source: string }>(
      'select key, kind, name, spec, depends_on, policy, source from resources',
    );
    const current = new Map(rows.filter((r) => r.source === source).map((r) => [r.key, toResource(r)]));
    const others = new Map(rows.filter((r) => r.source !== source).map((r) => [r.key, r.source]));
    const wanted = new Map(resources.map((r) => [`${r.kind}/${r.name}`, r]));
    const conflicts = [...wanted.keys()].filter((key) => others.has(key));
    for (const key of conflicts) wanted.delete(key);
    let added = 0;
    let changed = 0;
    const touched = new Set<number>();
    const writes: Resource[] = [];
    for (const [key, r] of wanted) {
      const before = current.get(key);
      if (before !== undefined && sameResource(before, r)) continue;
      touched.add(shardOf(key, shards));
      if (before === undefined) added++;
      else changed++;
      writes.push(r);
    }
    const inserted = new Set<string>();
    for (let i = 0; i < writes.length; i += UPSERT_BATCH) {
      const rows = await upsert<{ key: string; inserted: boolean }>(
        db,
        writes.slice(i, i + UPSERT_BATCH),
        shards,
        'key, (xmax = 0) as inserted',
        source,
      );
      for (const row of rows) if (row.inserted) inserted.add(row.key);
    }
    const gone = [...current.keys()].filter((key) => !wanted.has(key));
    const removedRows = await removeKeys(db, gone);
    for (const key of gone) touched.add(shardOf(key, shards));
    await logChanges(db, { touched: writes.map(keyOf), added: inserted, removed: removedRows });
    await announce(db, touched);
    return { added, changed, removed: gone.length, conflicts };
  });
}

/** Run `work` in a transaction: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(db: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await db.query('begin');
  try {
    const result = await work();
    await db.query('commit');
    return result;
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}

/**
 * In the caller's transaction: take `keys` out of the desired set; resolves with the rows
 * removed (for `logChanges`). Readers of what changed since a version see no deleted row: the
 * count of removals, which grows here, tells them to read the whole set.
 */
export async function removeKeys(db: pg.ClientBase, keys: readonly string[]): Promise<ObjectRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<ObjectRow>(
    `delete from resources where key = any($1::text[]) returning ${OBJECT_COLUMNS}`,
    [keys],
  );
  await db.query(
    `insert into store_meta (name, value) values ('removals', 1)
       on conflict (name) do update set value = store_meta.value + 1`,
  );
  return rows;
}

/** In the caller's transaction: announce the change of these shards' keys, sent on commit. */
export async function announce(db: pg.ClientBase, shards: Iterable<number>): Promise<void> {
  for (const shard of shards) await db.query('select pg_notify($1, $2)', [RESOURCES_CHANNEL, String(shard)]);
}

/** Rows written by one statement of `upsert`. */
const UPSERT_BATCH = 2000;

/**
 * Insert `resources`, or replace the spec of those present: a replaced spec takes the next
 * generation; each row written takes the next resource version. One statement; the rows it
 * wrote come back (with the columns `returning` names).
 */
export async function upsert<Row extends pg.QueryResultRow = { key: string }>(
  db: pg.ClientBase,
  resources: readonly Resource[],
  shards: number,
  returning = 'key',
  source: string = CONFIG_SOURCE,
  labels?: readonly Readonly<Record<string, string>>[],
): Promise<Row[]> {
  const keys = resources.map((r) => `${r.kind}/${r.name}`);
  const { rows } = await db.query<Row>(
    `insert into resources (key, kind, name, shard, spec, depends_on, policy, source, resource_version, labels)
     select u.key, u.kind, u.name, u.shard, u.spec, u.depends_on, u.policy, $8, nextval('resource_versions'),
            coalesce(u.labels, '{}')
       from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $9::jsonb[])
         as u(key, kind, name, shard, spec, depends_on, policy, labels)
     on conflict (key) do update set spec = excluded.spec, depends_on = excluded.depends_on,
       policy = excluded.policy, generation = resources.generation + 1,
       labels = case when $10 then excluded.labels else resources.labels end,
       resource_version = excluded.resource_version, updated_at = now()
       where resources.source = excluded.source
     returning ${returning}`,
    [
      keys,
      resources.map((r) => r.kind),
      resources.map((r) => r.name),
      keys.map((key) => shardOf(key, shards)),
      resources.map((r) => JSON.stringify(r.spec)),
      resources.map((r) => json(r.dependsOn)),
      resources.map((r) => json(r.policy)),
      source,
      resources.map((_, i) => json(labels?.[i])),
      labels !== undefined,
    ],
  );
  return rows;
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
