import pg from 'pg';
import type { Provider } from '../contract/provider.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime/index.js';
import { migrate } from '../store/pg/migrations.js';
import { createPostgresStore } from '../store/pg/postgres-store.js';
import { desiredSet, RESOURCES_CHANNEL } from '../store/pg/resources.js';
import { ShardManager } from '../store/pg/shard-manager.js';
import { shardOf } from '../store/pg/shard-of.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import type { Random } from '../time/random.js';

export interface InstanceOptions {
  /** The database every instance shares. */
  readonly url: string;
  /** Unique among the instances. */
  readonly id: string;
  /** The number of shards (the database keeps the first instance's). Default 64. */
  readonly shards?: number;
  /** How long a shard's lease lasts without renewal. Default 10 s. */
  readonly ttlMs?: number;
  /** How often leases are renewed and the desired set is read again. Default 2 s. */
  readonly tickMs?: number;
  readonly providers: readonly Provider[];
  readonly clock: Clock;
  readonly random: Random;
  /** Anything else for the runtime (interval, backoff, …). */
  readonly runtime?: Partial<RuntimeOptions>;
}

/** One member of a group of instances: its runtime and its share of the shards. */
export interface Instance {
  readonly runtime: Runtime;
  readonly manager: ShardManager;
  /** Renew, rebalance and read the desired set once (the timer does it every `tickMs`). */
  tick(): Promise<void>;
  /** Stop its actors, hand its shards over, disconnect. */
  stop(): Promise<void>;
  /** Disconnect at once, as a killed process would (for tests): no hand-over. */
  crash(): Promise<void>;
}

/**
 * Join a group of instances on one PostgreSQL database. The instance reads the whole desired
 * set from the database, but runs actors only for the keys of the shards it holds; every state
 * write it makes is fenced by the shard's epoch, so once a shard moves away its late writes are
 * refused, and with them the provider calls they precede.
 */
export async function startInstance(o: InstanceOptions): Promise<Instance> {
  const shards = o.shards ?? 64;
  const ttlMs = o.ttlMs ?? 10_000;
  const tickMs = o.tickMs ?? 2_000;
  const connect = async () => {
    const client = new pg.Client({ connectionString: o.url });
    client.on('error', () => {}); // a lost connection shows as failed queries, which stop the work
    await client.connect();
    return client;
  };
  const [db, locks, storeClient] = [await connect(), await connect(), await connect()];
  await migrate(db, shards);
  let gained = false;
  const manager: ShardManager = new ShardManager({
    id: o.id,
    shards,
    db,
    locks,
    ttlMs,
    clock: o.clock,
    onGained: () => {
      gained = true;
    },
    onLost: () => {
      runtime.ownershipChanged(); // stop at once, before anything else is written
    },
  });
  const store = createPostgresStore({
    client: storeClient,
    clock: o.clock,
    shards,
    instance: o.id,
    fence: { shardOf: (key) => shardOf(key, shards), epochOf: (shard) => manager.held.get(shard) },
  });
  const runtime = createRuntime({
    providers: [...o.providers],
    clock: o.clock,
    random: o.random,
    store,
    owns: (key) => manager.held.has(shardOf(key, shards)),
    ...o.runtime,
  });
  await runtime.start();

  let timer: TimerHandle | undefined;
  let stopped = false;
  // One thing at a time on these sessions: a tick, or a read of the desired set a notice asked for.
  let queue: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const readDesired = async () => {
    runtime.setDesired(await desiredSet(db));
    runtime.ownershipChanged();
  };
  const tick = () =>
    serial(async () => {
      await manager.tick();
      if (gained) {
        gained = false;
        await store.refresh(); // what the shards' previous owners wrote
      }
      await readDesired();
    });
  // A change of the desired set is announced after its commit: read it at once, not at the next
  // tick. Notices are hints (one lost in a reconnect is covered by the tick), and many in a row
  // make one read.
  const listener = await connect();
  let readQueued = false;
  listener.on('notification', () => {
    if (readQueued || stopped) return;
    readQueued = true;
    void serial(async () => {
      readQueued = false;
      await readDesired();
    }).catch(() => undefined);
  });
  await listener.query(`listen ${RESOURCES_CHANNEL}`);
  const schedule = () => {
    timer = o.clock.setTimeout(() => {
      void tick()
        .catch(() => undefined)
        .finally(() => {
          if (!stopped) schedule();
        });
    }, tickMs);
  };
  await tick();
  schedule();

  const end = async () => {
    stopped = true;
    if (timer !== undefined) o.clock.clearTimeout(timer);
    await Promise.all([db, locks, storeClient, listener].map((c) => c.end().catch(() => undefined)));
  };
  return {
    runtime,
    manager,
    tick,
    async stop() {
      stopped = true;
      await runtime.stop();
      await manager.stop();
      await end();
    },
    async crash() {
      await end();
      void runtime.stop().catch(() => undefined);
    },
  };
}
