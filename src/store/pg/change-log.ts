import type pg from 'pg';
import type { Change, ChangeType } from '../desired/spec-store.js';
import type { StoredObject } from '../desired/stored-object.js';
import { type ResourceRow, toResource } from './resource-row.js';

/**
 * The log of committed changes to `resources`, for watchers: one row per write of a key, with
 * the object as it is after it (as it was, for a removal), at a version from one sequence.
 *
 * Watchers read it "after version N", so versions must become visible in order: a version
 * that commits after a higher one would be skipped for good. So every transaction that writes
 * `resources` ends with {@link logChanges}: it takes one transaction-level lock, gives each key
 * it wrote the next versions (in the row's `resource_version` too), writes the log rows and
 * commits with the lock held. Commits that write resources are therefore serial from that
 * point, and a reader sees versions 1..N with no hole that fills later. The lock is taken last,
 * with only the rows this transaction already holds left to touch, so it cannot deadlock.
 *
 * {@link compactChanges} keeps the latest rows; a version before what it removed is `gone`.
 */
export const COMMIT_ORDER_LOCK = 0x5e7b02;

/** Sent (empty) by every transaction that logs a change, after it commits: watchers read then. */
export const CHANGES_CHANNEL = 'setpoint_changes';

/** What a transaction wrote to `resources`, for {@link logChanges}. */
export interface Written {
  /** Keys inserted or updated (still there). */
  readonly touched: Iterable<string>;
  /** Of those, the keys inserted. */
  readonly added?: ReadonlySet<string>;
  /** Rows removed, as they were (from `delete … returning`). */
  readonly removed?: readonly ObjectRow[];
}

/** `resources`' columns that make a stored object. */
export const OBJECT_COLUMNS =
  'key, kind, name, spec, depends_on, policy, labels, source, generation, resource_version, observed_generation, status';

export interface ObjectRow extends ResourceRow {
  labels: Record<string, string> | null;
  source: string;
  generation: string | number;
  resource_version: string | number;
  observed_generation: string | number;
  status: Record<string, unknown> | null;
}

export function objectOf(row: ObjectRow): StoredObject {
  return {
    resource: toResource(row),
    labels: row.labels ?? {},
    source: row.source,
    generation: Number(row.generation),
    resourceVersion: Number(row.resource_version),
    observedGeneration: Number(row.observed_generation),
    status: row.status ?? undefined,
  };
}

/**
 * In the caller's transaction, last before commit: version and log what it wrote (see the
 * file's comment). Resolves with the changes, in version order.
 */
export async function logChanges(db: pg.ClientBase, written: Written): Promise<Change[]> {
  const touched = [...written.touched];
  const removed = written.removed ?? [];
  if (touched.length === 0 && removed.length === 0) return [];
  await db.query('select pg_advisory_xact_lock($1)', [COMMIT_ORDER_LOCK]);
  await db.query('select pg_notify($1, $2)', [CHANGES_CHANNEL, '']);
  const changes: Change[] = [];
  if (removed.length > 0) {
    const versions = await nextVersions(db, removed.length);
    const gone = removed.map((row, i): Change => {
      const object = { ...objectOf(row), resourceVersion: versions[i] as number };
      return { type: 'DELETED', object };
    });
    await insertChanges(db, gone);
    changes.push(...gone);
  }
  if (touched.length > 0) {
    const { rows } = await db.query<ObjectRow>(
      `update resources set resource_version = nextval('resource_versions')
        where key = any($1::text[]) returning ${OBJECT_COLUMNS}`,
      [touched],
    );
    rows.sort((a, b) => Number(a.resource_version) - Number(b.resource_version));
    const added = written.added ?? new Set<string>();
    const logged = rows.map((row) => ({
      type: (added.has(row.key) ? 'ADDED' : 'MODIFIED') as ChangeType,
      object: objectOf(row),
    }));
    await insertChanges(db, logged);
    changes.push(...logged);
  }
  return changes;
}

/** `count` versions from the sequence, in ascending order. */
async function nextVersions(db: pg.ClientBase, count: number): Promise<number[]> {
  const { rows } = await db.query<{ v: string }>(
    "select nextval('resource_versions') as v from generate_series(1, $1)",
    [count],
  );
  return rows.map((r) => Number(r.v)).sort((a, b) => a - b);
}

async function insertChanges(db: pg.ClientBase, changes: readonly Change[]): Promise<void> {
  await db.query(
    `insert into resource_changes (version, key, type, object)
     select * from unnest($1::bigint[], $2::text[], $3::text[], $4::jsonb[])`,
    [
      changes.map((c) => c.object.resourceVersion),
      changes.map((c) => `${c.object.resource.kind}/${c.object.resource.name}`),
      changes.map((c) => c.type),
      changes.map((c) => JSON.stringify(c.object)),
    ],
  );
}

/** The committed changes after `version` (at most `limit`), or `gone` when compacted past it. */
export async function changesSince(
  db: pg.ClientBase,
  version: number,
  limit = 10_000,
): Promise<Change[] | 'gone'> {
  await db.query('begin isolation level repeatable read read only');
  try {
    const compacted = await compactedVersion(db);
    if (version < compacted) return 'gone';
    const { rows } = await db.query<{ type: ChangeType; object: StoredObject }>(
      'select type, object from resource_changes where version > $1 order by version limit $2',
      [version, limit],
    );
    return rows.map((r) => ({ type: r.type, object: r.object }));
  } finally {
    await db.query('commit');
  }
}

/** The version of the last committed write. */
export async function latestVersion(db: pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ v: string }>(
    `select greatest(coalesce((select max(version) from resource_changes), 0),
                     coalesce((select value from store_meta where name = 'changes_compacted'), 0)) as v`,
  );
  return Number(rows[0]?.v ?? 0);
}

async function compactedVersion(db: pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ value: string }>(
    "select value from store_meta where name = 'changes_compacted'",
  );
  return Number(rows[0]?.value ?? 0);
}

/** Keep the latest `keep` changes; resolves with how many were removed. */
export async function compactChanges(db: pg.ClientBase, keep: number): Promise<number> {
  await db.query('begin');
  try {
    const { rows } = await db.query<{ version: string }>(
      'select version from resource_changes order by version desc offset $1 limit 1',
      [keep],
    );
    const edge = rows[0]?.version;
    let removed = 0;
    if (edge !== undefined) {
      const result = await db.query('delete from resource_changes where version <= $1', [edge]);
      removed = result.rowCount ?? 0;
      await db.query(
        `insert into store_meta (name, value) values ('changes_compacted', $1)
           on conflict (name) do update set value = greatest(store_meta.value, excluded.value)`,
        [edge],
      );
    }
    await db.query('commit');
    return removed;
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}
