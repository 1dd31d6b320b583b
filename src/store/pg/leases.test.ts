import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresTests } from '../../../test/helpers/postgres.js';
import { claim, FencedError, fenced, release, renew } from './leases.js';
import { MIGRATIONS, migrate } from './migrations.js';

const pgt = postgresTests();

/** A connection to a fresh database of its own, migrated with `shards` shards. */
async function database(shards = 4): Promise<{ connect: () => Promise<pg.Client> }> {
  const { connect } = await pgt.database('leases');
  await migrate(await connect(), shards);
  return { connect };
}

const expire = (db: pg.ClientBase, shard: number) =>
  db.query(`update shard_leases set expires_at = now() - interval '1 second' where shard = $1`, [shard]);

describe('migrations', () => {
  it('apply once, even when two instances start together', async () => {
    const { connect } = await database();
    const [a, b] = [await connect(), await connect()];
    const applied = await Promise.all([migrate(a, 4), migrate(b, 4)]);
    expect(applied.flat()).toEqual([]); // the database was migrated when made
    const { rows } = await a.query('select version from setpoint_migrations order by version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const shards = await a.query('select count(*)::int as n from shard_leases');
    expect(shards.rows[0].n).toBe(4);
  });
});

describe('shard leases', () => {
  it('are claimed once, with an epoch that grows on every claim, and taken over only once expired', async () => {
    const { connect } = await database();
    const db = await connect();
    expect(await claim(db, 0, 'a', 10_000)).toBe(1);
    expect(await claim(db, 0, 'b', 10_000)).toBeUndefined();
    await expire(db, 0);
    expect(await claim(db, 0, 'b', 10_000)).toBe(2);
    expect(await renew(db, 'a', new Map([[0, 1]]), 10_000)).toEqual([]); // a lost it
    expect(await renew(db, 'b', new Map([[0, 2]]), 10_000)).toEqual([0]);
    await release(db, 'b', new Map([[0, 2]]));
    expect(await claim(db, 0, 'a', 10_000)).toBe(3); // handed over at once
  });

  it('refuse a write from a stale epoch, and accept one from the current', async () => {
    const { connect } = await database();
    const db = await connect();
    await db.query('create table writes (shard int, epoch int)');
    expect(await claim(db, 1, 'a', 10_000)).toBe(1);
    await expire(db, 1);
    expect(await claim(db, 1, 'b', 10_000)).toBe(2);
    const write = (epoch: number) => (c: pg.ClientBase) =>
      c.query('insert into writes values (1, $1)', [epoch]);
    const stale = await fenced(db, 1, 1, write(1)).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(FencedError);
    expect((stale as Error).message).toMatch(/shard 1: epoch 1 is no longer current \(now 2\)/);
    await fenced(db, 1, 2, write(2));
    const { rows } = await db.query('select epoch from writes');
    expect(rows).toEqual([{ epoch: 2 }]);
  });

  it('make a takeover wait for a fenced write in flight, which then commits before the epoch moves', async () => {
    const { connect } = await database();
    const [owner, claimer] = [await connect(), await connect()];
    await owner.query('create table writes (epoch int)');
    expect(await claim(owner, 2, 'a', 10_000)).toBe(1);
    await expire(owner, 2);
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const writing = fenced(owner, 2, 1, async (c) => {
      inside();
      await held;
      await c.query('insert into writes values (1)');
    });
    await entered;
    let claimed: number | undefined | 'pending' = 'pending';
    const taking = claim(claimer, 2, 'b', 10_000).then((epoch) => {
      claimed = epoch;
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the claim must be blocked meanwhile
    expect(claimed).toBe('pending');
    letGo();
    await writing;
    await taking;
    expect(claimed).toBe(2);
    await expect(fenced(owner, 2, 1, (c) => c.query('insert into writes values (1)'))).rejects.toBeInstanceOf(
      FencedError,
    );
    const { rows } = await owner.query('select count(*)::int as n from writes');
    expect(rows[0].n).toBe(1);
  });
});
