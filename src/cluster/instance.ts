import pg from 'pg';
import type { Resource } from '../contract/resource.js';
import { createRuntime } from '../runtime/index.js';
import { migrate } from '../store/pg/migrations.js';
import { createPostgresStore } from '../store/pg/postgres-store.js';
import { publishAs } from '../store/pg/publications.js';
import { RESOURCES_CHANNEL } from '../store/pg/resources.js';
import { ShardManager } from '../store/pg/shard-manager.js';
import { shardOf } from '../store/pg/shard-of.js';
import {
  type DesiredCursor,
  readDesired,
  type ShardStatuses,
  writeStatuses,
} from '../store/pg/status-rows.js';
import { guardProvider } from './guarded-provider.js';
import type { Instance, InstanceEvent, InstanceOptions } from './instance-types.js';
import { Loops } from './loops.js';
import { StatusWriter } from './status-writer.js';

export type { Instance, InstanceEvent, InstanceOptions } from './instance-types.js';

/** Every this many ticks, the whole desired set is read (else only what changed). */
const WHOLE_READ_EVERY = 10;

/**
 * Join a group of instances on one PostgreSQL database. The instance reads the desired set from
 * the database and runs actors only for the keys of the shards it holds; every state and status
 * write it makes is fenced by the shard's epoch, so once a shard moves away its late writes are
 * refused, and with them the provider calls they precede. A refused write stops the shard here
 * at once. A shard gained from another instance first has the intents that instance left
 * settled (as a start does), then its actors start.
 */
export async function startInstance(o: InstanceOptions): Promise<Instance> {
  const shards = o.shards ?? 64;
  const ttlMs = o.ttlMs ?? 10_000;
  const tickMs = o.tickMs ?? 2_000;
  const statusEveryMs = o.statusEveryMs ?? 250;
  const emit = (event: InstanceEvent) => o.onEvent?.(event);
  const clients: pg.Client[] = [];
  /** Sessions already closed: ending one again would wait for an end that has come and gone. */
  const closed = new WeakSet<pg.Client>();
  const endAll = () =>
    Promise.all(clients.filter((c) => !closed.has(c)).map((c) => c.end().catch(() => undefined)));
  let ending = false;
  let disconnected = false;
  const made: { manager?: ShardManager; loops?: Loops } = {};
  // A session lost while running: the server may free this instance's locks at once, and the
  // others take its shards. Stop every shard now, and say so (a process exits and restarts).
  const lost = (error: unknown) => {
    if (ending || disconnected) return;
    disconnected = true;
    made.manager?.disconnected();
    made.loops?.stop(); // this instance is done: a new one joins on new sessions
    emit({ type: 'disconnected', error });
  };
  const connect = async () => {
    const client = new pg.Client(typeof o.url === 'string' ? { connectionString: o.url } : o.url);
    client.on('error', lost);
    client.on('end', () => {
      closed.add(client);
      lost(new Error('the database closed the connection'));
    });
    clients.push(client);
    await client.connect();
    return client;
  };
  const giveUp = async (error: unknown): Promise<never> => {
    ending = true; // a start that fails closes what it opened, and says so by throwing
    await endAll();
    throw error;
  };
  // Leases on a session of their own, never behind a read of the desired set or a status write.
  const [db, leaseDb, locks, storeClient] = await Promise.all([
    connect(),
    connect(),
    connect(),
    connect(),
  ]).catch(giveUp);
  await migrate(db, shards).catch(giveUp);
  const shardOfKey = (key: string) => shardOf(key, shards);
  /** Shards held whose leftovers are settled: their keys run here. */
  const running = new Set<number>();
  /** Shards gained since the last tick: their leftovers are settled at the next. */
  const gained = new Set<number>();
  const manager: ShardManager = new ShardManager({
    id: o.id,
    shards,
    db: leaseDb,
    locks,
    ttlMs,
    clock: o.clock,
    onGained: (shard, epoch) => {
      gained.add(shard);
      emit({ type: 'gained', shard, epoch });
    },
    onLost: (shard, epoch, why) => {
      gained.delete(shard);
      running.delete(shard);
      writer.forgetShard(shard);
      runtime.ownershipChanged(); // stop at once, before anything else is written
      emit({ type: 'lost', shard, epoch, why });
    },
    drain: () => runtime.released(),
  });
  made.manager = manager;
  const store = createPostgresStore({
    client: storeClient,
    clock: o.clock,
    shards,
    instance: o.id,
    ...(o.secrets ? { secrets: o.secrets } : {}),
    ...(o.key ? { key: o.key } : {}),
    fence: {
      shardOf: shardOfKey,
      epochOf: (shard) => manager.held.get(shard),
      onFenced: (shard) => manager.lose(shard),
    },
  });
  let readyKeys = new Set<string>();
  // A call for a key this instance does not run, or made while out of touch, is refused.
  const mayAct = (key: string | undefined) =>
    !manager.overdue() && (key === undefined || manager.held.has(shardOfKey(key)));
  const runtime = createRuntime({
    providers: o.providers.map((p) => guardProvider(p, mayAct)),
    clock: o.clock,
    random: o.random,
    ...o.runtime,
    store,
    owns: (key) => running.has(shardOfKey(key)),
    readyElsewhere: (key) => readyKeys.has(key),
  });
  const writer = new StatusWriter(o.id, (key) => runtime.status(key), shardOfKey);
  const mark = (e: { readonly key: string }) => writer.mark(e.key);
  runtime.on('reconcile:done', mark);
  runtime.on('degraded', mark);
  runtime.on('resource:synced', mark);
  runtime.on('action:failed', mark);
  const failed = async (error: unknown): Promise<never> => {
    made.loops?.stop();
    await runtime.stop().catch(() => undefined);
    return giveUp(error);
  };
  await runtime.start().catch(failed);

  // One thing at a time on these sessions: a tick, a read a notice asked for, a status write.
  const loops = new Loops(o.clock, (during, error) => emit({ type: 'error', during, error }));
  made.loops = loops;
  const serial = <T>(work: () => Promise<T>) => loops.serial(work);
  // What changed since the last read, and the whole set on every tenth tick (see `readDesired`).
  let cursor: DesiredCursor | undefined;
  let ticks = 0;
  const readDesiredSet = async (whole = false) => {
    if (manager.checkDeadline() || disconnected) return; // out of touch: run nothing
    const read = await readDesired(db, whole ? undefined : cursor);
    cursor = read.cursor;
    if (read.whole) {
      readyKeys = new Set();
      writer.fed.clear(); // keys gone from the set leave these maps with it
    }
    for (const row of read.rows) {
      writer.fed.set(row.key, row.generation);
      if (row.ready) readyKeys.add(row.key);
      else readyKeys.delete(row.key);
    }
    if (read.whole) {
      writer.forgetAbsent();
      runtime.setDesired(read.rows.map((row) => row.resource));
    } else if (read.rows.length > 0) runtime.updateDesired({ set: read.rows.map((row) => row.resource) });
    runtime.ownershipChanged();
  };
  const settleGained = async () => {
    if (gained.size === 0) return;
    const now = new Set(gained);
    gained.clear();
    await store.refresh(); // what the shards' previous owners wrote
    await runtime.recoverIntents((key) => now.has(shardOfKey(key)));
    for (const shard of now) if (manager.held.has(shard)) running.add(shard);
  };
  const flush = async () => {
    const taken = writer.take();
    const batch = new Map<number, ShardStatuses>();
    for (const [shard, rows] of taken) {
      const epoch = manager.held.get(shard);
      if (epoch !== undefined) batch.set(shard, { epoch, rows });
    }
    let lost: number[];
    try {
      lost = await writeStatuses(db, batch);
    } catch (error) {
      for (const { rows } of batch.values()) writer.retry(rows);
      throw error;
    }
    for (const shard of lost) manager.lose(shard);
  };
  // Leases renew on their own session and rhythm; the shards they gained are settled and the
  // desired set read in the serial work that follows.
  let leasing: Promise<void> = Promise.resolve();
  const renew = () => {
    leasing = leasing.then(
      () => manager.tick(),
      () => manager.tick(),
    );
    return leasing;
  };
  const readAfterTick = () =>
    serial(async () => {
      await settleGained();
      await readDesiredSet(ticks++ % WHOLE_READ_EVERY === 0);
    });
  const tick = async () => {
    await renew();
    await readAfterTick();
  };
  const publishSet = (resources: readonly Resource[]) =>
    serial(async () => {
      const result = await publishAs(db, o.id, resources, shards);
      emit({ type: 'published', ...result });
      await readDesiredSet();
      return result.published;
    });
  if (o.publish !== undefined) await publishSet(o.publish).catch(failed);

  // A change of the desired set is announced after its commit: read it at once, not at the next
  // tick. Notices are hints (one lost in a reconnect is covered by the tick), and many in a row
  // make one read.
  const listener = await connect().catch(failed);
  let readQueued = false;
  listener.on('notification', () => {
    if (readQueued || loops.stopped) return;
    readQueued = true;
    void serial(async () => {
      readQueued = false;
      await readDesiredSet();
    }).catch((error) => emit({ type: 'error', during: 'read of the desired set', error }));
  });
  await listener.query(`listen ${RESOURCES_CHANNEL}`).catch(failed);
  await tick().catch(failed);
  loops.every(tickMs, renew, 'lease renewal');
  loops.every(tickMs, readAfterTick, 'read of the desired set');
  loops.every(statusEveryMs, () => serial(flush), 'status write-back');
  // The tick may wait on a database out of reach: the deadline is watched on a timer of its own.
  loops.every(
    Math.max(10, Math.floor(ttlMs / 20)),
    async () => void manager.checkDeadline(),
    'lease deadline',
  );

  const end = async () => {
    ending = true;
    loops.stop();
    await endAll();
  };
  return {
    id: o.id,
    runtime,
    manager,
    tick,
    publish: publishSet,
    flushStatus: () => serial(flush),
    inTouch: () => !disconnected && !manager.overdue(),
    async stop() {
      ending = true;
      loops.stop();
      await runtime.stop();
      await serial(flush).catch(() => undefined);
      leasing = leasing.then(
        () => manager.stop(),
        () => manager.stop(),
      );
      await leasing.catch(() => undefined);
      await end();
    },
    async crash() {
      await end();
      void runtime.stop().catch(() => undefined);
    },
  };
}
