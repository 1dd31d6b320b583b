import { describe, expect, it } from 'vitest';
import { until } from '../../../test/helpers/poll.js';
import { postgresTests } from '../../../test/helpers/postgres.js';
import { TestClock } from '../../time/test-clock.js';
import { migrate } from './migrations.js';
import { ShardManager } from './shard-manager.js';

const pgt = postgresTests();

const SHARDS = 12;
/** A fresh database, and a maker of instances on it, each with its two sessions. */
async function group() {
  const { connect } = await pgt.database('shards');
  await migrate(await connect(), SHARDS);
  const events: string[] = [];
  const instance = async (id: string, clock = new TestClock()) => {
    const db = await connect();
    const locks = await connect();
    const manager = new ShardManager({
      id,
      shards: SHARDS,
      db,
      locks,
      ttlMs: 60_000,
      clock,
      onGained: (shard, epoch) => events.push(`${id} +${shard}@${epoch}`),
      onLost: (shard, epoch, why) => events.push(`${id} -${shard}@${epoch} ${why}`),
    });
    return { manager, db, locks, clock };
  };
  return { instance, events, connect };
}

/** Every instance ticks, `rounds` times. */
async function rounds(managers: ShardManager[], n: number) {
  for (let i = 0; i < n; i++) for (const m of managers) await m.tick();
}

function expectPartition(managers: ShardManager[]) {
  const owned = managers.flatMap((m) => [...m.held.keys()]);
  expect(owned.sort((a, b) => a - b)).toEqual(Array.from({ length: SHARDS }, (_, i) => i));
}

describe('shard managers sharing one database', () => {
  it('split the shards evenly between them, each shard owned once', async () => {
    const { instance } = await group();
    const all = [await instance('a'), await instance('b'), await instance('c')].map((i) => i.manager);
    await rounds(all, 6);
    expectPartition(all);
    expect(all.map((m) => m.held.size)).toEqual([4, 4, 4]);
  });

  it('take over the shards of one that stops gracefully, on their next tick', async () => {
    const { instance } = await group();
    const [a, b, c] = [await instance('a'), await instance('b'), await instance('c')];
    await rounds([a.manager, b.manager, c.manager], 6);
    await c.manager.stop();
    await rounds([a.manager, b.manager], 1);
    expectPartition([a.manager, b.manager]);
    expect([a.manager.held.size, b.manager.held.size]).toEqual([6, 6]);
  });

  it('take over the shards of one whose process died, long before its lease expires', async () => {
    const { instance, events } = await group();
    const [a, b, c] = [await instance('a'), await instance('b'), await instance('c')];
    await rounds([a.manager, b.manager, c.manager], 6);
    const dead = new Map(c.manager.held);
    const pids = [
      (await c.locks.query('select pg_backend_pid() as pid')).rows[0].pid,
      (await c.db.query('select pg_backend_pid() as pid')).rows[0].pid,
    ];
    await c.locks.end(); // its sessions close: the database drops its advisory locks
    await c.db.end();
    // The server ends a closed session's process a moment later; from then on its locks are free.
    const watcher = a.db;
    await until('the dead sessions are gone', async () => {
      const { rows } = await watcher.query(
        'select count(*)::int as n from pg_stat_activity where pid = any($1)',
        [pids],
      );
      return rows[0].n === 0;
    });
    const before = events.length;
    // Found gone, its shards wait a grace (a fifth of the lease, at most 1 s) first: time for a
    // live owner that only lost its connection to see its sessions end, and stop.
    await rounds([a.manager, b.manager], 1);
    expect(a.manager.held.size + b.manager.held.size).toBe(SHARDS - dead.size);
    // Then a round or two: its leases (a minute on the database's clock) are far from expiring.
    await until('the two left hold every shard', async () => {
      await a.clock.advance(1000);
      await b.clock.advance(1000);
      await rounds([a.manager, b.manager], 1);
      return a.manager.held.size + b.manager.held.size === SHARDS;
    });
    expectPartition([a.manager, b.manager]);
    // Each of its shards claimed by a live one at the next epoch: its lease (a minute) had not expired.
    const gained = events.slice(before).filter((e) => /^[ab] \+/.test(e));
    for (const [shard, epoch] of dead) {
      expect(gained.some((e) => e.endsWith(` +${shard}@${epoch + 1}`))).toBe(true);
    }
  });

  it('give up every shard by itself when it has not renewed for most of a lease', async () => {
    const { instance, events } = await group();
    const a = await instance('a');
    await rounds([a.manager], 1);
    expect(a.manager.held.size).toBe(SHARDS);
    await a.clock.advance(40_000); // 2/3 of the lease without a tick: it may be cut off
    await a.manager.tick();
    expect(events.filter((e) => e.endsWith(' expired'))).toHaveLength(SHARDS);
  });

  it('never take a shard from a live owner that claimed it while the paused one still held its lock', async () => {
    const { instance, events, connect } = await group();
    const [a, b] = [await instance('a'), await instance('b')];
    await rounds([a.manager, b.manager], 6);
    const aHad = [...a.manager.held.keys()];
    // a pauses: its leases run out, but its session, and so its shard locks, live on.
    const db = await connect();
    await db.query("update shard_leases set expires_at = now() - interval '1 second' where owner = 'a'");
    await b.manager.tick(); // b claims a's shards by their leases; their locks are a's still
    expect(aHad.every((shard) => b.manager.held.has(shard))).toBe(true);
    await a.manager.tick(); // a wakes: its renewals fail, it lets its shards (and locks) go
    for (const shard of aHad) expect(events).toContain(`a -${shard}@1 taken`);
    events.length = 0;
    await rounds([a.manager, b.manager], 3);
    // a finds those locks free while b's leases run: b is alive, so nothing is taken from it.
    expect(events.filter((e) => e.startsWith('b -') && e.endsWith('taken'))).toEqual([]);
    expectPartition([a.manager, b.manager]);
  });
});
