import type pg from 'pg';
import type { Clock } from '../../time/clock.js';
import { createBackedStore } from '../backed-store.js';
import { createSealer, type Sealer } from '../seal.js';
import { decodeEntry, decodeIntent, sealEntry, sealIntent } from '../state-codec.js';
import type { Intent, InventoryEntry, StateStore } from '../state-store.js';
import { emptyState, type StoreChange, type StoreState } from '../store-state.js';
import { FencedError, lockEpochs } from './leases.js';
import { migrate } from './migrations.js';

export interface PostgresStoreOptions {
  /** A connection of its own (the store writes in order on it). */
  readonly client: pg.ClientBase;
  readonly clock: Clock;
  /** How many shards the database is made with, when this store makes it. Default 64. */
  readonly shards?: number;
  /** The values that are secrets, and the key that seals them (see `seal.ts`). */
  readonly secrets?: () => Iterable<string>;
  readonly key?: Uint8Array;
  /**
   * For looking only (`setpoint plan` beside running instances): `open()` reads the tables as
   * they are, creating nothing (no tables yet: an empty state), and every write rejects.
   */
  readonly readOnly?: boolean;
  /** This instance's id, when several share the database: it prefixes its intents' ids. */
  readonly instance?: string;
  /**
   * Fencing, for several instances sharing the database: each write is for the shard of its
   * key, and is made only while this instance holds that shard at the epoch `epochOf` gives
   * (else it rejects with `FencedError` and nothing is written). Default: no fencing (one
   * instance owns the whole database).
   */
  readonly fence?: {
    readonly shardOf: (key: string) => number;
    readonly epochOf: (shard: number) => number | undefined;
    /** A write was refused: a newer owner holds the shard (stop its work at once). */
    readonly onFenced?: (shard: number) => void;
  };
}

/**
 * The state store on PostgreSQL: the inventory and the pending intents in tables, migrated at
 * open. Like every backend, it keeps the state in memory and makes each change durable in order:
 * a write resolves once its statement has committed. Specs are sealed as in the file store.
 */
export interface PostgresStateStore extends StateStore {
  /**
   * Read the inventory and the pending intents again (another instance wrote some while it
   * owned their shards): call it on gaining shards, before their actors start.
   */
  refresh(): Promise<void>;
}

/** A change waiting to be written, and its writer waiting to hear. */
interface Queued {
  readonly change: StoreChange;
  resolve(): void;
  reject(error: unknown): void;
}

/** Changes written by one transaction at most. */
const MAX_BATCH = 500;

/**
 * A batch in one statement: the inventory rows upserted ($1 keys, $2 entries) and deleted ($3),
 * the intents inserted ($4 ids, $5 times, $6 intents) and deleted ($7), and the next intent's
 * number moved up to $8 (0: left as it is). Empty arrays do nothing. No row is touched twice.
 */
const WRITE_BATCH = `
  with upserted as (
    insert into inventory (key, entry) select * from unnest($1::text[], $2::jsonb[])
      on conflict (key) do update set entry = excluded.entry returning 1
  ), deleted as (
    delete from inventory where key = any($3::text[]) returning 1
  ), intended as (
    insert into intents (id, at, intent) select * from unnest($4::text[], $5::bigint[], $6::jsonb[]) returning 1
  ), settled as (
    delete from intents where id = any($7::text[]) returning 1
  ), numbered as (
    insert into store_meta (name, value) select 'next_intent', $8::bigint where $8::bigint > 0
      on conflict (name) do update set value = greatest(store_meta.value, excluded.value) returning 1
  )
  select (select count(*) from upserted) + (select count(*) from deleted) + (select count(*) from intended)
    + (select count(*) from settled) + (select count(*) from numbered) as rows`;

export function createPostgresStore(options: PostgresStoreOptions): PostgresStateStore {
  const { client, clock } = options;
  let state: StoreState = emptyState();
  let sealer: Sealer | undefined;
  let chain: Promise<void> = Promise.resolve();

  /** The state as the tables hold it now (the schema migrated and the sealer made at open). */
  async function load(): Promise<StoreState> {
    const loaded = emptyState();
    const entries = await client.query<{ key: string; entry: unknown }>('select key, entry from inventory');
    for (const row of entries.rows) {
      const entry = decodeEntry(row.entry, sealer);
      if (entry === undefined) throw new Error(`inventory row ${row.key} is not an inventory entry`);
      loaded.entries.set(entry.key, entry);
    }
    const intents = await client.query<{ id: string; intent: unknown }>(
      'select id, intent from intents order by at, id',
    );
    for (const row of intents.rows) {
      const intent = decodeIntent(row.intent, sealer);
      if (intent === undefined) throw new Error(`intent row ${row.id} is not an intent`);
      loaded.pending.set(intent.id, intent);
      intentKeys.set(intent.id, intent.key);
    }
    const next = await client.query<{ value: string }>(
      "select value from store_meta where name = 'next_intent'",
    );
    loaded.nextIntent = next.rows[0] === undefined ? 1 : Number(next.rows[0].value);
    return loaded;
  }

  /** Which key a change is about (a settle names only its intent: remembered from the intent). */
  const intentKeys = new Map<string, string>();
  function keyOf(change: StoreChange): string {
    switch (change.t) {
      case 'record':
        return change.entry.key;
      case 'intent':
        intentKeys.set(change.intent.id, change.intent.key);
        return change.intent.key;
      case 'settle': {
        const key = intentKeys.get(change.id) ?? '';
        intentKeys.delete(change.id);
        return key;
      }
      default:
        return change.key;
    }
  }

  /**
   * Make the changes queued so far durable, in order, in one transaction (group commit: the
   * changes made while one batch commits make the next): without a fence, one statement. With a
   * fence, the transaction first
   * locks the lease rows of the batch's shards `FOR SHARE` (see `fenced`) and checks each
   * epoch: a change for a shard held at an older epoch is refused with `FencedError` and not
   * written; the others are.
   */
  async function writeBatch(batch: Queued[]): Promise<void> {
    const fence = options.fence;
    const refused = new Map<Queued, FencedError>();
    try {
      if (fence === undefined) {
        // One statement is a transaction of its own: the batch commits in one round trip.
        for (const q of batch) keyOf(q.change);
        await writeChanges(batch.map((q) => q.change));
        for (const q of batch) q.resolve();
        return;
      }
      await client.query('begin');
      const shardOfChange = new Map(batch.map((q) => [q, fence.shardOf(keyOf(q.change))]));
      const shards = [...new Set(shardOfChange.values())];
      const current = await lockEpochs(client, shards);
      for (const q of batch) {
        const shard = shardOfChange.get(q) as number;
        const held = fence.epochOf(shard);
        const now = current.get(shard);
        if (held === undefined || held !== now) refused.set(q, new FencedError(shard, held, now));
      }
      await writeChanges(batch.filter((q) => !refused.has(q)).map((q) => q.change));
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      for (const q of batch) q.reject(error);
      return;
    }
    for (const q of batch) {
      const error = refused.get(q);
      if (error === undefined) q.resolve();
      else {
        fence?.onFenced?.(error.shard);
        q.reject(error);
      }
    }
  }

  /** Changes waiting for the batch in progress to commit. */
  let queued: Queued[] = [];
  const flush = async () => {
    while (queued.length > 0) {
      const batch = queued.slice(0, MAX_BATCH);
      queued = queued.slice(batch.length);
      await writeBatch(batch);
    }
  };

  /**
   * A batch's changes as one statement, whatever its size: what each key and intent comes to
   * at the end of the batch, one part per table and kind (`WRITE_BATCH`). It commits them
   * together, so the tables end as the changes one by one would leave them: the
   * last of a key's records and forgets wins, and an intent written and settled in the same
   * batch is neither inserted nor deleted (the next intent's number still moves past it).
   */
  async function writeChanges(changes: readonly StoreChange[]): Promise<void> {
    const inventory = new Map<string, InventoryEntry | null>(); // null: delete the row
    const inserted = new Map<string, Intent>();
    const settled: string[] = [];
    let nextIntent = 0;
    for (const change of changes) {
      switch (change.t) {
        case 'record':
          inventory.set(change.entry.key, change.entry);
          break;
        case 'good': {
          const entry = state.entries.get(change.key);
          if (entry !== undefined) inventory.set(change.key, entry);
          break;
        }
        case 'forget':
          inventory.set(change.key, null);
          break;
        case 'intent':
          inserted.set(change.intent.id, change.intent);
          nextIntent = Math.max(nextIntent, Number(/(\d+)$/.exec(change.intent.id)?.[1] ?? 0) + 1);
          break;
        case 'settle':
          if (!inserted.delete(change.id)) settled.push(change.id);
          break;
      }
    }
    const upserts = [...inventory].filter((e): e is [string, InventoryEntry] => e[1] !== null);
    const intents = [...inserted.values()];
    await client.query(WRITE_BATCH, [
      upserts.map(([key]) => key),
      upserts.map(([, entry]) => JSON.stringify(sealer ? sealEntry(entry, sealer) : entry)),
      [...inventory].filter(([, e]) => e === null).map(([key]) => key),
      intents.map((i) => i.id),
      intents.map((i) => i.at),
      intents.map((i) => JSON.stringify(sealer ? sealIntent(i, sealer) : i)),
      settled,
      nextIntent,
    ]);
  }

  const store = createBackedStore(
    {
      async open() {
        sealer = createSealer(options.key, options.secrets ?? (() => []));
        if (options.readOnly) {
          const { rows } = await client.query<{ made: boolean }>(
            "select to_regclass('intents') is not null as made",
          );
          state = rows[0]?.made ? await load() : emptyState();
          return state;
        }
        await migrate(client, options.shards ?? 64);
        state = await load();
        return state;
      },
      persist(change) {
        if (options.readOnly) return Promise.reject(new Error('this store only reads: nothing is written'));
        return new Promise<void>((resolve, reject) => {
          queued.push({ change, resolve, reject });
          // A batch settles its own writers; the chain itself never fails (close waits on it).
          if (queued.length === 1) chain = chain.then(flush).catch(() => undefined);
        });
      },
      async close() {
        await chain;
      },
    },
    clock,
    options.instance === undefined ? '' : `${options.instance}-`,
  );
  return {
    ...store,
    async refresh() {
      await chain; // after the writes already made
      const fresh = await load();
      state.entries.clear();
      for (const [key, entry] of fresh.entries) state.entries.set(key, entry);
      state.pending.clear();
      for (const [id, intent] of fresh.pending) state.pending.set(id, intent);
      state.nextIntent = Math.max(state.nextIntent, fresh.nextIntent);
    },
  };
}
