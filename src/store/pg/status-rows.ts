import type pg from 'pg';
import type { Resource } from '../../contract/resource.js';
import { fenced } from './leases.js';
import { toResource } from './resources.js';

/** A desired resource as the database holds it, with what the instances need beside the spec. */
export interface DesiredRow {
  readonly key: string;
  readonly resource: Resource;
  /** Grows with every change of the spec. */
  readonly generation: number;
  /** Its owner reported it Ready at its current generation (for dependents on other shards). */
  readonly ready: boolean;
}

/** Every desired resource, with its generation and whether it is Ready at it. */
export async function desiredRows(db: pg.ClientBase): Promise<DesiredRow[]> {
  const { rows } = await db.query<{
    key: string;
    kind: string;
    name: string;
    spec: Record<string, unknown>;
    depends_on: string[] | null;
    policy: Record<string, unknown> | null;
    generation: string;
    ready: boolean;
  }>(
    `select key, kind, name, spec, depends_on, policy, generation,
            coalesce(status->>'ready' = 'true' and observed_generation = generation, false) as ready
       from resources order by key`,
  );
  return rows.map((row) => ({
    key: row.key,
    resource: toResource(row),
    generation: Number(row.generation),
    ready: row.ready,
  }));
}

/** What an instance writes back for one resource. */
export interface StatusRow {
  readonly key: string;
  readonly status: Record<string, unknown>;
  /** The generation the last completed pass acted on; `undefined` keeps the one written before. */
  readonly observedGeneration: number | undefined;
}

/**
 * Write back the status of resources of one shard, fenced by the epoch this instance holds it
 * at (see `fenced`: a newer owner's epoch refuses it, and nothing is written). Each write takes
 * a new resource version; the generation does not change. Rows of keys no longer desired are
 * skipped.
 */
export async function writeStatuses(
  db: pg.ClientBase,
  shard: number,
  epoch: number,
  rows: readonly StatusRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await fenced(db, shard, epoch, (tx) =>
    tx.query(
      `update resources r
          set status = u.status,
              observed_generation = coalesce(u.observed, r.observed_generation),
              resource_version = nextval('resource_versions')
         from unnest($1::text[], $2::jsonb[], $3::bigint[]) as u(key, status, observed)
        where r.key = u.key`,
      [
        rows.map((r) => r.key),
        rows.map((r) => JSON.stringify(r.status)),
        rows.map((r) => r.observedGeneration ?? null),
      ],
    ),
  );
}
