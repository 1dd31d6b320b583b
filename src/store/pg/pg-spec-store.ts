import pg from 'pg';
import { keyOf, type Resource } from '../../contract/resource.js';
import type { DesiredView } from '../../diff/desired-change.js';
import type { Clock, TimerHandle } from '../../time/clock.js';
import { changeOf, keyOfWrite } from '../desired/apply-writes.js';
import type { Change, SpecStore, SpecView, Write } from '../desired/spec-store.js';
import type { StoredObject } from '../desired/stored-object.js';
import {
  CHANGES_CHANNEL,
  changesSince,
  compactChanges,
  latestVersion,
  logChanges,
  OBJECT_COLUMNS,
  type ObjectRow,
  objectOf,
} from './change-log.js';
import { announce, inTransaction, removeKeys } from './resources.js';
import { shardOf } from './shard-of.js';

export interface PostgresSpecStoreOptions {
  /** Where to connect (a pool of a few sessions is opened, and one that listens). */
  readonly connection: pg.PoolConfig;
  readonly shards: number;
  readonly clock: Clock;
  /** Changes kept for watchers; older ones answer 410. Default 10,000. */
  readonly retain?: number;
  /** How often the log is compacted. Default 30 s. */
  readonly compactEveryMs?: number;
}

/** Serialises the API's writes among themselves, so each is checked against the last. */
const API_WRITE_LOCK = 0x5e7b03;

/**
 * The desired-state API's store on PostgreSQL: the `resources` table every instance of a group
 * reads, and the `resource_changes` log (see `change-log.ts`) that watchers follow. API writes
 * run one at a time (an advisory lock), each checked against the rows it reads under that lock;
 * they wait for a publication of the config in progress (its table lock), and are announced
 * to the instances like any change.
 */
export async function openPostgresSpecStore(options: PostgresSpecStoreOptions): Promise<SpecStore> {
  const pool = new pg.Pool({ max: 4, ...options.connection });
  pool.on('error', () => {}); // an idle session dropped: the next query opens another
  const listener = new pg.Client(options.connection);
  listener.on('error', () => {});
  await listener.connect();
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const fn of listeners) fn();
  };
  listener.on('notification', notify);
  await listener.query(`listen ${CHANGES_CHANNEL}`);

  const retain = options.retain ?? 10_000;
  let timer: TimerHandle | undefined;
  let closed = false;
  const compactLater = () => {
    timer = options.clock.setTimeout(async () => {
      if (closed) return;
      await withClient((db) => compactChanges(db, retain)).catch(() => {});
      compactLater();
    }, options.compactEveryMs ?? 30_000);
  };
  compactLater();

  async function withClient<T>(work: (db: pg.PoolClient) => Promise<T>): Promise<T> {
    const db = await pool.connect();
    try {
      return await work(db);
    } finally {
      db.release();
    }
  }

  const store: SpecStore = {
    backend: 'postgres',
    get: (key) =>
      withClient(async (db) => {
        const { rows } = await db.query<ObjectRow>(`select ${OBJECT_COLUMNS} from resources where key = $1`, [
          key,
        ]);
        return rows[0] && objectOf(rows[0]);
      }),
    list: (kind) =>
      withClient(async (db) => {
        await db.query('begin isolation level repeatable read read only');
        try {
          const resourceVersion = await latestVersion(db);
          const { rows } = await db.query<ObjectRow>(
            `select ${OBJECT_COLUMNS} from resources${kind === undefined ? '' : ' where kind = $1'} order by key`,
            kind === undefined ? [] : [kind],
          );
          return { items: rows.map(objectOf), resourceVersion };
        } finally {
          await db.query('commit');
        }
      }),
    transact: (decide) =>
      withClient(async (db) => {
        const result = await inTransaction(db, async () => {
          await db.query('select pg_advisory_xact_lock($1)', [API_WRITE_LOCK]);
          // Orders with a publication of the config, which locks the table against writes.
          await db.query('lock table resources in row exclusive mode');
          const view = viewOf(db);
          const decided = await decide(view);
          const written = await writeAll(db, decided.writes, options.shards);
          return { changes: written, result: decided.result };
        });
        if (result.changes.length > 0) notify();
        return result;
      }),
    changesSince: (version, limit) => withClient((db) => changesSince(db, version, limit)),
    version: () => withClient((db) => latestVersion(db)),
    onCommit(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      closed = true;
      if (timer !== undefined) options.clock.clearTimeout(timer);
      listeners.clear();
      await listener.end().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
  return store;
}

/** What a transaction reads: rows locked for the write to come. */
function viewOf(db: pg.ClientBase): SpecView {
  return {
    async get(key) {
      const { rows } = await db.query<ObjectRow>(
        `select ${OBJECT_COLUMNS} from resources where key = $1 for update`,
        [key],
      );
      return rows[0] && objectOf(rows[0]);
    },
    async ofSource(source) {
      const { rows } = await db.query<ObjectRow>(
        `select ${OBJECT_COLUMNS} from resources where source = $1`,
        [source],
      );
      return rows.map(objectOf);
    },
    rulesView: (set, remove) => rulesView(db, set, remove),
  };
}

/**
 * What the rules need to check a change, read from the table: every resource the set's
 * dependencies reach (for missing dependencies and cycles), and the dependents of what it
 * removes.
 */
async function rulesView(
  db: pg.ClientBase,
  set: readonly Resource[],
  remove: readonly string[],
): Promise<DesiredView> {
  const starts = [...new Set(set.flatMap((r) => [keyOf(r), ...(r.dependsOn ?? [])]))];
  const found = new Map<string, Resource>();
  const dependents = new Map<string, string[]>();
  if (starts.length > 0) {
    const { rows } = await db.query<ObjectRow>(
      `with recursive reach(key) as (
         select unnest($1::text[])
         union
         select d.dep from resources r join reach on r.key = reach.key,
                jsonb_array_elements_text(coalesce(r.depends_on, '[]')) as d(dep)
       )
       select ${OBJECT_COLUMNS} from resources where key in (select key from reach)`,
      [starts],
    );
    for (const row of rows) found.set(row.key, objectOf(row).resource);
  }
  if (remove.length > 0) {
    const { rows } = await db.query<ObjectRow>(
      `select ${OBJECT_COLUMNS} from resources where depends_on ?| $1::text[]`,
      [remove],
    );
    for (const row of rows) {
      const resource = objectOf(row).resource;
      found.set(row.key, resource);
      for (const dep of resource.dependsOn ?? [])
        dependents.set(dep, [...(dependents.get(dep) ?? []), row.key]);
    }
    const { rows: removed } = await db.query<ObjectRow>(
      `select ${OBJECT_COLUMNS} from resources where key = any($1)`,
      [remove],
    );
    for (const row of removed) found.set(row.key, objectOf(row).resource);
  }
  return { current: (key) => found.get(key), dependents: (key) => dependents.get(key) ?? [] };
}

/** Make `writes` in the caller's transaction, log them, and announce them to the instances. */
async function writeAll(db: pg.ClientBase, writes: readonly Write[], shards: number): Promise<Change[]> {
  const touched: string[] = [];
  const added = new Set<string>();
  const removed: ObjectRow[] = [];
  for (const write of writes) {
    const key = keyOfWrite(write);
    const { rows } = await db.query<ObjectRow>(
      `select ${OBJECT_COLUMNS} from resources where key = $1 for update`,
      [key],
    );
    const before = rows[0] && objectOf(rows[0]);
    const change = changeOf(before, write, 0);
    if (change === undefined) continue;
    if (change.type === 'DELETED') {
      removed.push(...(await removeKeys(db, [key])));
      continue;
    }
    await save(db, change.object, shards, before === undefined);
    touched.push(key);
    if (before === undefined) added.add(key);
  }
  const changes = await logChanges(db, { touched, added, removed });
  await announce(db, new Set(changes.map((c) => shardOf(keyOf(c.object.resource), shards))));
  return changes;
}

/** Insert or update one row to be `object` (its version is given by `logChanges`). */
async function save(db: pg.ClientBase, object: StoredObject, shards: number, insert: boolean): Promise<void> {
  const { resource } = object;
  const key = keyOf(resource);
  const values = [
    key,
    JSON.stringify(resource.spec),
    resource.dependsOn === undefined ? null : JSON.stringify(resource.dependsOn),
    resource.policy === undefined ? null : JSON.stringify(resource.policy),
    JSON.stringify(object.labels),
    object.source,
    object.generation,
    object.observedGeneration,
    object.status === undefined ? null : JSON.stringify(object.status),
  ];
  if (insert) {
    await db.query(
      `insert into resources (key, kind, name, shard, spec, depends_on, policy, labels, source, generation,
                              observed_generation, status, resource_version)
       values ($1, $10, $11, $12, $2, $3, $4, $5, $6, $7, $8, $9, nextval('resource_versions'))`,
      [...values, resource.kind, resource.name, shardOf(key, shards)],
    );
  } else {
    await db.query(
      `update resources set spec = $2, depends_on = $3, policy = $4, labels = $5, source = $6, generation = $7,
              observed_generation = $8, status = $9, updated_at = now()
        where key = $1`,
      values,
    );
  }
}

export type { StoredObject };
