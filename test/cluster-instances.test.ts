import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type Instance, startInstance } from '../src/cluster/instance.js';
import type { Observed } from '../src/contract/provider.js';
import { migrate } from '../src/store/pg/migrations.js';
import { publish } from '../src/store/pg/resources.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';
import { until } from './helpers/poll.js';
import { postgresTests } from './helpers/postgres.js';
import { mapProvider, user } from './helpers/runtime-harness.js';

const pgt = postgresTests();

const SHARDS = 16;

describe('three instances sharing one database', () => {
  it('create each resource once, and after one dies, the others carry on without a duplicate', async () => {
    const url = (await pgt.database('three')).url;
    const db = new pg.Client({ connectionString: url });
    db.on('error', () => {});
    await db.connect();
    await migrate(db, SHARDS);
    await publish(
      db,
      Array.from({ length: 60 }, (_, i) => user(`u${i}`, { v: 1 })),
      SHARDS,
    );

    // One world, with no uniqueness of its own: a second create of a key would be seen.
    const world = new Map<string, Observed>();
    const creates = new Map<string, number>();
    const provider = mapProvider('user', world, {
      create: async (d) => {
        creates.set(d.name, (creates.get(d.name) ?? 0) + 1);
        world.set(d.name, { ...d.spec });
      },
    });
    const clock = new TestClock();
    const start = (id: string) =>
      startInstance({
        url,
        id,
        shards: SHARDS,
        ttlMs: 60_000,
        tickMs: 1e9, // ticked by hand here
        providers: [provider],
        clock,
        random: seededRandom(id.charCodeAt(0)),
        runtime: { interval: 1000 },
      });
    const all: Instance[] = [await start('a'), await start('b'), await start('c')];
    const round = async (group: Instance[]) => {
      for (const i of group) await i.tick();
      await clock.advance(1000);
      for (const i of group) await i.runtime.settled();
    };
    for (let r = 0; r < 5; r++) await round(all);
    expect(world.size).toBe(60);
    expect([...creates.values()].every((n) => n === 1)).toBe(true);
    // Every shard owned once, none above its share: ceil(16 / 3) = 6.
    expect(all.reduce((n, i) => n + i.manager.held.size, 0)).toBe(SHARDS);
    for (const i of all) expect(i.manager.held.size).toBeLessThanOrEqual(6);

    const [a, b, c] = all as [Instance, Instance, Instance];
    await c.crash();
    // Its shards go once the server has ended its sessions (a moment after they close).
    await until('the two left hold every shard', async () => {
      await round([a, b]);
      return a.manager.held.size + b.manager.held.size === SHARDS;
    });
    await publish(
      db,
      Array.from({ length: 60 }, (_, i) => user(`u${i}`, { v: 2 })),
      SHARDS,
    );
    for (let r = 0; r < 3; r++) await round([a, b]);
    expect([...world.values()].every((o) => o.v === 2)).toBe(true);
    expect([...creates.values()].every((n) => n === 1)).toBe(true);
    await Promise.all([a.stop(), b.stop()]);
    await db.end();
  }, 60_000);

  it('applies a change of the desired set as soon as it is announced, not at the next tick', async () => {
    const url = (await pgt.database('notice')).url;
    const world = new Map<string, Observed>();
    const instance = await startInstance({
      url,
      id: 'solo',
      shards: SHARDS,
      ttlMs: 60_000,
      tickMs: 1e9, // no tick will come
      providers: [mapProvider('user', world)],
      clock: new TestClock(),
      random: seededRandom(3),
    });
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await publish(db, [user('n1', { v: 1 }), user('n2', { v: 1 })], SHARDS);
    await until('the announced set is applied', () => world.size === 2, 10_000);
    await publish(db, [user('n1', { v: 2 }), user('n2', { v: 1 })], SHARDS);
    await until('the announced change is applied', () => world.get('n1')?.v === 2, 10_000);
    await instance.stop();
    await db.end();
  }, 30_000);
});
