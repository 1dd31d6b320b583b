/**
 * Example 11 — scale-out: three instances on one PostgreSQL database.
 *
 * Three instances share one database and split the work by shards: each key belongs to one of
 * 12 shards, and each shard is held by one instance through a lease row whose epoch (a fencing
 * token) grows with every change of owner. The world is a plain map with no uniqueness of its
 * own, and every call made to it is recorded with the instance that made it: a queue created
 * twice would show.
 *
 * The instances run on one `TestClock` and are ticked by hand, in a fixed order, so the output
 * is the same on every run. Leases are measured by the database's clock, so the pause in part 3
 * waits, in real time, for a lease of 2 s to run out.
 *
 *   npm run example -- 11        # needs PostgreSQL 15 (see the README)
 */
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { type Instance, startInstance } from '../../src/cluster/instance.js';
import { TestClock } from '../../src/index.js';
import { shardOf } from '../../src/store/pg/shard-of.js';
import { seededRandom } from '../../src/testing.js';
import { freshDatabase, startCluster, type TestCluster } from '../../test/helpers/postgres.js';
import { list, poll, queues, recordingWorld, sessionsEnded, until } from './support.js';

export interface ExampleOptions {
  /** The clock to run on. Default: a fresh `TestClock`. */
  clock?: TestClock;
  /** A PostgreSQL server to make the example's database on. Default: a throwaway one of its own. */
  databaseUrl?: string;
}

const SHARDS = 12;
const TTL_MS = 2000;

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();
  const cluster: TestCluster = options.databaseUrl
    ? { url: options.databaseUrl, stop: () => {} }
    : await serverOrExplain();
  const all: Instance[] = [];
  let admin: pg.Client | undefined;
  let made: string | undefined; // the example's own database, dropped at the end
  try {
    const url = await freshDatabase(cluster, 'example_scale_out');
    made = url;
    admin = new pg.Client({ connectionString: url });
    admin.on('error', () => {});
    await admin.connect();
    const db = admin;
    const world = recordingWorld();
    /** Every shard each instance gained and lost, in order, with the epoch. */
    const gains: { id: string; shard: number; epoch: number }[] = [];
    const lost: { id: string; shard: number; epoch: number; why: string }[] = [];
    const start = (id: string) =>
      startInstance({
        url,
        id,
        shards: SHARDS,
        ttlMs: TTL_MS,
        tickMs: 1e9, // no tick on a timer: the example ticks each instance by hand
        providers: [world.providerFor(id)],
        clock,
        random: seededRandom(id.charCodeAt(0)),
        runtime: { interval: 10_000 },
        onEvent: (e) => {
          if (e.type === 'gained') gains.push({ id, shard: e.shard, epoch: e.epoch });
          if (e.type === 'lost') lost.push({ id, shard: e.shard, epoch: e.epoch, why: e.why });
        },
      });
    const round = async (group: Instance[]) => {
      for (const i of group) await i.tick();
      await clock.advance(500);
      for (const i of group) await i.runtime.settled();
    };
    const shardsOf = (i: Instance) => [...i.manager.held.keys()].sort((x, y) => x - y);
    const keysOf = (i: Instance) =>
      i.runtime
        .status()
        .map((s) => s.key)
        .sort();
    const creates = (who?: string) =>
      world.calls.filter((c) => c.op === 'create' && (!who || c.instance === who));

    out(`Part 1: three instances share one database of ${SHARDS} shards; 12 queues are published`);
    for (const id of ['a', 'b', 'c']) all.push(await start(id));
    const [a, b, c] = all as [Instance, Instance, Instance];
    await until('the shards are shared out', async () => {
      await round(all);
      return all.every((i) => i.manager.held.size === SHARDS / 3);
    });
    const set = queues(12, { size: 10 });
    await a.publish(set);
    await until('every queue is in sync', async () => {
      await round(all);
      return all.every((i) => i.runtime.status().every((s) => s.phase === 'synced')) && world.size() === 12;
    });
    for (const i of all)
      out(
        `  ${i.id} holds shards ${list(shardsOf(i))}, runs ${keysOf(i).length} queues, created ${creates(i.id).length}`,
      );
    out(`  each of the 12 queues was created exactly once: ${world.createdOnce(set) ? 'yes' : 'NO'}`);

    out('');
    out('Part 2: c dies: its connections drop, it hands nothing over');
    const cShards = shardsOf(c);
    const cEpochs = new Map(c.manager.held);
    const cKeys = keysOf(c);
    const createsBefore = creates().length;
    gains.length = 0;
    await c.crash();
    await sessionsEnded(db, 'c');
    out("  the database ended c's sessions, and with them the advisory locks of its shards");
    await until('a and b hold every shard, evenly', async () => {
      await round([a, b]);
      return a.manager.held.size === SHARDS / 2 && b.manager.held.size === SHARDS / 2;
    });
    for (const shard of cShards) {
      const path = gains.filter((g) => g.shard === shard).map((g) => `${g.epoch} (${g.id})`);
      out(`  shard ${shard}: epoch ${cEpochs.get(shard)} (c) -> ${path.join(' -> ')}`);
    }
    for (const i of [a, b])
      out(`  ${i.id} holds shards ${list(shardsOf(i))}, runs ${keysOf(i).length} queues`);
    const inSync = cKeys.every((k) => [a, b].some((i) => i.runtime.status(k)?.phase === 'synced'));
    out(
      `  c's ${cKeys.length} queues were observed by their new owners and found in sync: ${inSync ? 'yes' : 'NO'}`,
    );
    out(`  created again: ${creates().length - createsBefore}`);

    out('');
    out(`Part 3: b pauses for longer than its lease (${TTL_MS / 1000} s, on the database's clock)`);
    const bShards = new Map(b.manager.held);
    gains.length = 0;
    // b stops ticking; a renews its own leases every 250 ms, and claims b's once they run out.
    await until(
      "a claimed b's shards",
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 250));
        await a.tick();
        return a.manager.held.size === SHARDS;
      },
      40,
    );
    await a.runtime.settled();
    out(
      `  b's leases ran out; a claimed its shards at higher epochs: ${gains.map((g) => `${g.shard} (${bShards.get(g.shard)} -> ${g.epoch})`).join(', ')}`,
    );
    const key = set.map((r) => `queue/${r.name}`).find((k) => bShards.has(shardOf(k, SHARDS)))!;
    const shard = shardOf(key, SHARDS);
    out(`  b wakes, still believing it holds shards ${list(shardsOf(b))}`);
    out(`  the spec of ${key} (shard ${shard}) changes; the notice reaches a and b at once`);
    const mark = world.calls.length;
    const since = (who: string) => world.calls.slice(mark).filter((c) => c.instance === who);
    // So that the output does not depend on which instance reads the notice first, the shard's
    // lease row is held until both have looked; then the database decides, as it always does.
    await db.query('begin');
    await db.query('select 1 from shard_leases where shard = $1 for update', [shard]);
    await a.publish(set.map((r) => (`queue/${r.name}` === key ? { ...r, spec: { size: 20 } } : r)));
    await poll('both looked', () => since('a').length > 0 && since('b').length > 0);
    await db.query('commit');
    await poll(
      'b was refused and a applied the change',
      () => !b.manager.held.has(shard) && world.get(key)?.size === 20,
    );
    await a.runtime.settled();
    const refused = lost.find((l) => l.id === 'b' && l.shard === shard);
    const now = await db.query<{ epoch: string; owner: string }>(
      'select epoch, owner from shard_leases where shard = $1',
      [shard],
    );
    out(
      `  b's intent for ${key}, made at epoch ${refused?.epoch}, is refused: the shard is at epoch ${now.rows[0]?.epoch} (${now.rows[0]?.owner})`,
    );
    out(
      `  b stops shard ${shard} at once (it still thinks it holds ${list(shardsOf(b))}, until its next tick)`,
    );
    const bCalls = since('b');
    const changes = bCalls.filter((c) => c.op !== 'observe').length;
    out(
      `  b's calls since the takeover: ${bCalls.length - changes} observe, ${changes} create, update or delete`,
    );
    out(
      `  a's calls: ${list(since('a').map((c) => `${c.op} ${c.key}`))}; the queue now has size ${world.get(key)?.size}`,
    );

    out('');
    out('Part 4: a stops gracefully: it stops its actors, then releases its shards');
    gains.length = 0;
    lost.length = 0;
    const aEpochs = new Map(a.manager.held);
    await a.stop();
    await b.tick();
    await round([b]);
    out(
      `  at its next tick, b finds its old leases gone (${lost.filter((l) => l.id === 'b').length} shards let go)`,
    );
    out(
      `  and claims a's ${gains.length} shards at once, without waiting for a lease: ${list(gains.map((g) => `${g.shard} (${aEpochs.get(g.shard)} -> ${g.epoch})`))}`,
    );
    out(
      `  b runs ${keysOf(b).length} queues, all in sync: ${b.runtime.status().every((s) => s.phase === 'synced') ? 'yes' : 'NO'}`,
    );
    out('');
    out(
      `In all: ${creates().length} creates for ${set.length} queues, each created exactly once: ${world.createdOnce(set) ? 'yes' : 'NO'}`,
    );
  } finally {
    await Promise.all(all.map((i) => i.stop().catch(() => undefined)));
    await admin?.end();
    if (made) await dropDatabase(cluster.url, made);
    cluster.stop();
  }
}

/** A throwaway PostgreSQL server, or the one `SETPOINT_TEST_DATABASE_URL` names; else why not. */
async function serverOrExplain(): Promise<TestCluster> {
  try {
    return await startCluster();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw Object.assign(
      new Error(
        `Example 11 needs PostgreSQL 15, and could not start a server: ${why}.\n` +
          'Install it, or set SETPOINT_TEST_DATABASE_URL to a server you run (as a user allowed to create databases).',
      ),
      { code: 'EXAMPLE_NEEDS' },
    );
  }
}

/** Remove the example's database, so that a server of your own keeps none. */
async function dropDatabase(serverUrl: string, url: string): Promise<void> {
  const server = new pg.Client({ connectionString: serverUrl });
  server.on('error', () => {});
  await server.connect();
  try {
    await server.query(`drop database if exists ${new URL(url).pathname.slice(1)} with (force)`);
  } finally {
    await server.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
