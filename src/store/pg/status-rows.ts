import type pg from 'pg';
import type { Resource } from '../../contract/resource.js';
import { logChanges } from './change-log.js';
import { lockEpochs } from './leases.js';
import { type ResourceRow, toResource } from './resource-row.js';

/** A desired resource as the database holds it, with what the instances need beside the spec. */
export interface DesiredRow {
  readonly key: string;
  readonly resource: Resource;
  /** Grows with every change of the spec. */
  readonly generation: number;
  /** Its owner reported it Ready at its current generation (for dependents on other shards). */
  readonly ready: boolean;
}

/** Where a reader of the desired set is: the last resource version it saw, and the removals. */
export interface DesiredCursor {
  readonly version: number;
  readonly removals: number;
}

/** What `readDesired` found: every row (`whole`), or those written since the cursor. */
export interface DesiredRead {
  readonly rows: DesiredRow[];
  readonly whole: boolean;
  readonly cursor: DesiredCursor;
}

/**
 * The desired set, or what of it changed since `since`: rows written (spec or status) after its
 * resource version. A removal leaves no row to find, so when the count of publications that
 * removed keys moved, or with no cursor, every row is read (`whole`).
 *
 * Every write takes its versions last, in commit order (see `change-log.ts`), so none is
 * missed here.
 */
export async function readDesired(db: pg.ClientBase, since?: DesiredCursor): Promise<DesiredRead> {
  const meta = await db.query<{ value: string }>("select value from store_meta where name = 'removals'");
  const removals = Number(meta.rows[0]?.value ?? 0);
  const whole = since === undefined || since.removals !== removals;
  const { rows } = await db.query<
    ResourceRow & {
      generation: string;
      resource_version: string;
      ready: boolean;
    }
  >(
    `select key, kind, name, spec, depends_on, policy, generation, resource_version,
            coalesce(status->>'ready' = 'true' and observed_generation = generation, false) as ready
       from resources where resource_version > $1 order by key`,
    [whole ? 0 : since.version],
  );
  let version = whole ? 0 : since.version;
  for (const row of rows) version = Math.max(version, Number(row.resource_version));
  return {
    whole,
    cursor: { version, removals },
    rows: rows.map((row) => ({
      key: row.key,
      resource: toResource(row),
      generation: Number(row.generation),
      ready: row.ready,
    })),
  };
}

/** What an instance writes back for one resource. */
export interface StatusRow {
  readonly key: string;
  readonly status: Record<string, unknown>;
  /** The generation the last completed pass acted on; `undefined` keeps the one written before. */
  readonly observedGeneration: number | undefined;
}

/** The rows to write back for one shard, and the epoch this instance holds it at. */
export interface ShardStatuses {
  readonly epoch: number;
  readonly rows: readonly StatusRow[];
}

/**
 * Write back the status of resources of many shards in one transaction, each shard fenced by
 * the epoch this instance holds it at: the lease rows are locked `FOR SHARE` first (see
 * `lockEpochs`), and the rows of a shard held at a newer epoch are not written. Resolves with
 * those shards (lost). Each write takes a new resource version, last and in commit order (see
 * `change-log.ts`); the generation does not change. Rows of keys no longer desired are skipped.
 *
 * One transaction for every shard, not one per shard: each commit that writes resources holds
 * the commit-order lock at its end, so a write-back of 64 shards as 64 transactions would queue
 * 64 times behind every other instance's.
 */
export async function writeStatuses(
  db: pg.ClientBase,
  byShard: ReadonlyMap<number, ShardStatuses>,
): Promise<number[]> {
  const shards = [...byShard.keys()].filter((shard) => (byShard.get(shard)?.rows.length ?? 0) > 0);
  if (shards.length === 0) return [];
  await db.query('begin');
  try {
    const current = await lockEpochs(db, shards);
    const lost: number[] = [];
    const rows: StatusRow[] = [];
    for (const shard of shards) {
      const batch = byShard.get(shard) as ShardStatuses;
      if (current.get(shard) === batch.epoch) rows.push(...batch.rows);
      else lost.push(shard);
    }
    if (rows.length > 0) {
      const written = await db.query<{ key: string }>(
        `update resources r
            set status = u.status,
                observed_generation = coalesce(u.observed, r.observed_generation)
           from unnest($1::text[], $2::jsonb[], $3::bigint[]) as u(key, status, observed)
          where r.key = u.key
          returning r.key`,
        [
          rows.map((r) => r.key),
          rows.map((r) => JSON.stringify(r.status)),
          rows.map((r) => r.observedGeneration ?? null),
        ],
      );
      await logChanges(db, { touched: written.rows.map((r) => r.key) });
    }
    await db.query('commit');
    return lost;
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}
