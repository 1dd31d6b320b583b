import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type Instance, startInstance } from '../src/cluster/instance.js';
import type { Observed, Provider } from '../src/contract/provider.js';
import type { Resource } from '../src/contract/resource.js';
import { migrate } from '../src/store/pg/migrations.js';
import { publish } from '../src/store/pg/resources.js';
import { shardOf } from '../src/store/pg/shard-of.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';
import { until } from './helpers/poll.js';
import { postgresTests } from './helpers/postgres.js';
import { mapProvider, user } from './helpers/runtime-harness.js';

const pgt = postgresTests();

const SHARDS = 8;

/** A group on a fresh database, ticked by hand on one TestClock. */
async function group(prefix: string, ids: string[], provider: Provider) {
  const url = (await pgt.database(prefix)).url;
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => {});
  await db.connect();
  await migrate(db, SHARDS);
  const clock = new TestClock();
  const start = (id: string) =>
    startInstance({
      url,
      id,
      shards: SHARDS,
      ttlMs: 60_000,
      tickMs: 1e9, // ticked by hand
      providers: [provider],
      clock,
      random: seededRandom(id.charCodeAt(0)),
      runtime: { interval: 1000 },
    });
  const all: Instance[] = [];
  for (const id of ids) all.push(await start(id));
  const round = async (members: Instance[] = all) => {
    for (const i of members) await i.tick();
    await clock.advance(1000);
    for (const i of members) await i.runtime.settled();
    for (const i of members) await i.flushStatus();
  };
  for (let r = 0; r < 3; r++) await round(); // balanced: each holds its share
  const publishSet = (set: Resource[]) => publish(db, set, SHARDS);
  const rows = async () =>
    (
      await db.query<{
        key: string;
        generation: string;
        observed_generation: string;
        status: Record<string, unknown> | null;
        shard: number;
      }>('select key, shard, generation, observed_generation, status from resources order by key')
    ).rows;
  const end = async () => {
    await Promise.all(all.map((i) => i.stop().catch(() => undefined)));
    await db.end();
  };
  return { url, db, clock, all, round, publishSet, rows, end, start };
}

/** A name of `user` whose key falls in a shard `instance` holds. */
function nameHeldBy(instance: Instance, prefix: string): string {
  for (let i = 0; ; i++)
    if (instance.manager.held.has(shardOf(`user/${prefix}${i}`, SHARDS))) return `${prefix}${i}`;
}

describe('an instance of a group', () => {
  it('writes each status back, with the generation it observed, once per change', async () => {
    const world = new Map<string, Observed>();
    const g = await group('status', ['a', 'b'], mapProvider('user', world));
    await g.publishSet(Array.from({ length: 12 }, (_, i) => user(`s${i}`, { v: 1 })));
    for (let r = 0; r < 3; r++) await g.round();
    let rows = await g.rows();
    expect(rows).toHaveLength(12);
    for (const row of rows) {
      expect(row.status).toMatchObject({ phase: 'synced', ready: true });
      expect([row.generation, row.observed_generation]).toEqual(['1', '1']);
      // Written by the instance that owns the key's shard.
      const owner = g.all.find((i) => i.manager.held.has(row.shard));
      expect(row.status?.instance).toBe(owner?.id);
    }
    await g.publishSet([
      user('s0', { v: 2 }),
      ...Array.from({ length: 11 }, (_, i) => user(`s${i + 1}`, { v: 1 })),
    ]);
    for (let r = 0; r < 3; r++) await g.round();
    rows = await g.rows();
    expect(rows.find((r) => r.key === 'user/s0')).toMatchObject({
      generation: '2',
      observed_generation: '2',
    });
    expect(world.get('s0')).toEqual({ v: 2 });
    await g.end();
  }, 60_000);

  it('lets a resource wait for a dependency another instance runs, until that one is Ready', async () => {
    const world = new Map<string, Observed>();
    const g = await group('deps', ['a', 'b'], mapProvider('user', world));
    const [a, b] = g.all as [Instance, Instance];
    const dep = nameHeldBy(a, 'dep');
    const dependent = nameHeldBy(b, 'app');
    await g.publishSet([user(dep, { v: 1 }), user(dependent, { v: 1 }, [`user/${dep}`])]);
    for (let r = 0; r < 5; r++) await g.round();
    expect(world.has(dep)).toBe(true);
    // Without the shared status it would wait for ever: its dependency runs on another instance.
    expect(world.has(dependent)).toBe(true);
    expect(b.runtime.status(`user/${dependent}`)?.phase).toBe('synced');
    await g.end();
  }, 60_000);

  it('settles the intent a dead owner left before running its shard: a create it made is its own, not adopted', async () => {
    const world = new Map<string, Observed>();
    let hang = true;
    const provider = mapProvider('user', world, {
      create: async (d) => {
        world.set(d.name, { ...d.spec });
        if (hang) await new Promise(() => {}); // made, but the owner dies before recording it
      },
    });
    const g = await group('intents', ['a', 'b'], provider);
    const [a, b] = g.all as [Instance, Instance];
    const name = nameHeldBy(a, 'left');
    await g.publishSet([user(name, { v: 1 })]);
    await until('the create is under way', () => world.has(name), 10_000);
    const pending = await g.db.query('select intent from intents');
    expect(pending.rows).toHaveLength(1);
    hang = false;
    await a.crash();
    await until('b took the dead owner’s shards', async () => {
      await g.round([b]);
      return b.manager.held.size === SHARDS;
    });
    for (let r = 0; r < 2; r++) await g.round([b]);
    expect(b.runtime.status(`user/${name}`)?.origin).toBe('created');
    expect((await g.db.query('select intent from intents')).rows).toHaveLength(0);
    await g.end();
  }, 60_000);

  it('stops a shard at once when a write for it is refused, and calls no provider for it', async () => {
    const world = new Map<string, Observed>();
    let updates = 0;
    const provider = mapProvider('user', world, {
      update: async (d) => {
        updates++;
        world.set(d.name, { ...d.spec });
      },
    });
    const g = await group('fenced', ['a'], provider);
    const [a] = g.all as [Instance];
    await g.publishSet([user('f1', { v: 1 })]);
    for (let r = 0; r < 2; r++) await g.round();
    const shard = shardOf('user/f1', SHARDS);
    expect(a.manager.held.has(shard)).toBe(true);
    // Another owner takes the shard while this one is not looking (no tick in between).
    await g.db.query("update shard_leases set owner = 'z', epoch = epoch + 1 where shard = $1", [shard]);
    await g.publishSet([user('f1', { v: 2 })]);
    // The change starts a pass at once: its intent is refused, and the shard stops here.
    await until('the refused write stopped the shard', () => !a.manager.held.has(shard), 10_000);
    await g.clock.advance(1000);
    await a.runtime.settled();
    expect(a.manager.held.has(shard)).toBe(false);
    expect(a.runtime.status('user/f1')).toBeUndefined();
    expect(updates).toBe(0);
    expect(world.get('f1')).toEqual({ v: 1 });
    await g.end();
  }, 60_000);

  it('stops every shard by itself when it cannot renew for 60 % of a lease, before anyone may claim them', async () => {
    const world = new Map<string, Observed>();
    const g = await group('touch', ['a'], mapProvider('user', world));
    const [a] = g.all as [Instance];
    await g.publishSet([user('t1', { v: 1 })]);
    await g.round();
    expect(a.manager.held.size).toBe(SHARDS);
    expect(a.inTouch()).toBe(true);
    // No tick comes (as when every query waits on a database out of reach); the watch does.
    await g.clock.advance(60_000 * 0.5);
    expect(a.manager.held.size).toBe(SHARDS);
    await g.clock.advance(60_000 * 0.15);
    expect(a.inTouch()).toBe(false);
    expect(a.manager.held.size).toBe(0);
    expect(a.runtime.status('user/t1')).toBeUndefined();
    await g.end();
  }, 60_000);
});
