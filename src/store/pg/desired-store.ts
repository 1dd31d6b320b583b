import type pg from 'pg';
import { keyOf, type Resource } from '../../contract/resource.js';
import { sameResource } from '../../diff/same-resource.js';
import type { StoredObject } from '../desired/stored-object.js';
import { logChanges } from './change-log.js';
import { type ResourceRow, toResource } from './resource-row.js';
import { announce, inTransaction, removeKeys, upsert } from './resources.js';
import { shardOf } from './shard-of.js';

/** One desired resource as the database holds it. */
export interface StoredResource {
  readonly resource: Resource;
  /** Which source declares it: `config` (a config's files), `api`, or another writer's name. */
  readonly source: string;
  /** Grows with every change of the spec (never with a status write). */
  readonly generation: number;
  /** Grows with every write to the row: what `put` and `remove` expect. */
  readonly resourceVersion: number;
  /** The generation its owner's last completed pass acted on. */
  readonly observedGeneration: number;
  /** As its owner wrote it back; `undefined` before the first pass. */
  readonly status: Record<string, unknown> | undefined;
}

/**
 * A write expected another version than the one stored: someone wrote in between. Read again,
 * decide again, and write with the version read.
 */
export class ConflictError extends Error {
  readonly kind = 'conflict' as const;
  constructor(
    readonly key: string,
    readonly expected: number | 'absent',
    /** The version stored now; `undefined`: there is none. */
    readonly current: number | undefined,
  ) {
    super(
      `${key}: expected ${expected === 'absent' ? 'no resource' : `resource version ${expected}`}, but ${
        current === undefined ? 'there is none' : `it is at ${current}`
      }: read it again and retry`,
    );
    this.name = 'ConflictError';
  }

  static is(error: unknown): error is ConflictError {
    return error instanceof Error && (error as { kind?: unknown }).kind === 'conflict';
  }
}

/**
 * A write for a key another source declares (the config's files, another program): each key
 * belongs to one source, and a second one claiming it is refused, never a silent overwrite.
 */
export class SourceConflictError extends Error {
  readonly kind = 'source-conflict' as const;
  constructor(
    readonly key: string,
    /** The source that owns the key. */
    readonly owner: string,
    /** The source that tried to write it. */
    readonly source: string,
  ) {
    super(
      `${key} belongs to the source ${owner}: ${source} cannot write it (change it where ${owner} declares it, or remove it there first)`,
    );
    this.name = 'SourceConflictError';
  }

  static is(error: unknown): error is SourceConflictError {
    return error instanceof Error && (error as { kind?: unknown }).kind === 'source-conflict';
  }
}

/** What a write may expect: a resource version, or that the key is not there at all. */
export interface Expect {
  readonly expect?: number | 'absent';
}

/**
 * The desired set on PostgreSQL, one resource at a time, for programs that declare resources
 * themselves (rather than from a config's files): a read gives the resource version, and a
 * write that names the version it read is refused with {@link ConflictError} when another
 * write came first (optimistic locking). A changed spec takes the next generation; an unchanged
 * one writes nothing. Every change is announced to the instances after it commits.
 *
 * Each key belongs to one source: this store writes as `source` (default `api`), the config's
 * publications as `config`; a write for a key another source declares is refused with
 * {@link SourceConflictError}, and a publication leaves such a key alone and reports it.
 */
export function desiredStore(db: pg.ClientBase, shards: number, source = 'api') {
  const readRow = async (key: string, lock: boolean) => {
    const { rows } = await db.query<Row>(`${SELECT} where key = $1${lock ? ' for update' : ''}`, [key]);
    return rows[0];
  };
  const check = (key: string, row: Row | undefined, expect: Expect['expect']) => {
    if (row !== undefined && row.source !== source) throw new SourceConflictError(key, row.source, source);
    if (expect === undefined) return;
    const current = row === undefined ? undefined : Number(row.resource_version);
    if (expect === 'absent' ? current !== undefined : current !== expect)
      throw new ConflictError(key, expect, current);
  };
  return {
    async get(key: string): Promise<StoredResource | undefined> {
      const row = await readRow(key, false);
      return row && stored(row);
    },

    async list(kind?: string): Promise<StoredResource[]> {
      const { rows } = await db.query<Row>(
        `${SELECT}${kind === undefined ? '' : ' where kind = $1'} order by key`,
        kind === undefined ? [] : [kind],
      );
      return rows.map(stored);
    },

    /** Create or replace `resource`; resolves with it as stored now. */
    async put(resource: Resource, options: Expect = {}): Promise<StoredResource> {
      const key = keyOf(resource);
      return inTransaction(db, async () => {
        // Publications lock the table: a put waits for one in progress, and orders with it.
        await db.query('lock table resources in row exclusive mode');
        const row = await readRow(key, true);
        check(key, row, options.expect);
        if (row !== undefined && sameResource(toResource(row), resource)) return stored(row);
        await upsert(db, [resource], shards, 'key', source);
        const changes = await logChanges(db, {
          touched: [key],
          added: new Set(row === undefined ? [key] : []),
        });
        await announce(db, [shardOf(key, shards)]);
        const change = changes[0];
        if (change === undefined) throw new Error(`${key}: the write left no change`);
        return fromObject(change.object);
      });
    },

    /** Take `key` out of the desired set (its owner deletes it when prune is on); false when absent. */
    async remove(key: string, options: Expect = {}): Promise<boolean> {
      return inTransaction(db, async () => {
        await db.query('lock table resources in row exclusive mode');
        const row = await readRow(key, true);
        check(key, row, options.expect);
        if (row === undefined) return false;
        await logChanges(db, { touched: [], removed: await removeKeys(db, [key]) });
        await announce(db, [shardOf(key, shards)]);
        return true;
      });
    },
  };
}

export type DesiredStore = ReturnType<typeof desiredStore>;

interface Row extends ResourceRow {
  source: string;
  generation: string;
  resource_version: string;
  observed_generation: string;
  status: Record<string, unknown> | null;
}

const COLUMNS =
  'key, kind, name, spec, depends_on, policy, source, generation, resource_version, observed_generation, status';
const SELECT = `select ${COLUMNS} from resources`;

function fromObject(o: StoredObject): StoredResource {
  return {
    resource: o.resource,
    source: o.source,
    generation: o.generation,
    resourceVersion: o.resourceVersion,
    observedGeneration: o.observedGeneration,
    status: o.status as Record<string, unknown> | undefined,
  };
}

function stored(row: Row): StoredResource {
  return {
    resource: toResource(row),
    source: row.source,
    generation: Number(row.generation),
    resourceVersion: Number(row.resource_version),
    observedGeneration: Number(row.observed_generation),
    status: row.status ?? undefined,
  };
}
