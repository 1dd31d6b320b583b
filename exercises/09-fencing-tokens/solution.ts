/**
 * Exercise 09 — fencing tokens on PostgreSQL: a solution.
 */
import type pg from 'pg';

/** A write refused because the shard's epoch moved on: the writer no longer owns it. */
export class FencedError extends Error {
  constructor(
    readonly shard: number,
    /** The epoch the write was made at. */
    readonly epoch: number,
    /** The shard's epoch now, in the database. */
    readonly current: number | undefined,
  ) {
    super(`shard ${shard}: epoch ${epoch} is no longer current (now ${current ?? 'none'}): write refused`);
    this.name = 'FencedError';
  }
}

/** How many shards the exercise's database has: 0, 1, 2 and 3. */
export const SHARDS = 4;

/** Make the exercise's two tables in an empty database: one lease row per shard, and the data. */
export async function setup(db: pg.ClientBase): Promise<void> {
  await db.query(`
    create table leases (
      shard integer primary key,
      owner text,
      epoch bigint not null default 0,
      expires_at timestamptz
    );
    insert into leases (shard) select s from generate_series(0, ${SHARDS - 1}) s;
    create table things (key text primary key, value text not null);
  `);
}

/**
 * Claim `shard` for `owner` for `ttlMs`, when nobody holds it or its lease expired, by the
 * database's clock. The new epoch, one more than the last; `undefined` when it is held.
 */
export async function claim(
  db: pg.ClientBase,
  shard: number,
  owner: string,
  ttlMs: number,
): Promise<number | undefined> {
  const { rows } = await db.query<{ epoch: string }>(
    `update leases
        set owner = $2,
            epoch = epoch + 1,
            expires_at = now() + make_interval(secs => $3::double precision / 1000)
      where shard = $1 and (owner is null or expires_at < now())
      returning epoch`,
    [shard, owner, ttlMs],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].epoch);
}

/**
 * Set `things[key] = value`, only while `epoch` is still `shard`'s current epoch; else throw a
 * {@link FencedError} and write nothing. The lease row stays locked `FOR SHARE` until the write
 * commits, so a takeover waits for a write in flight, and a write waits for a takeover in flight.
 */
export async function fencedWrite(
  db: pg.ClientBase,
  shard: number,
  epoch: number,
  key: string,
  value: string,
): Promise<void> {
  await db.query('begin');
  try {
    const { rows } = await db.query<{ epoch: string }>(
      'select epoch from leases where shard = $1 for share',
      [shard],
    );
    const current = rows[0] === undefined ? undefined : Number(rows[0].epoch);
    if (current !== epoch) throw new FencedError(shard, epoch, current);
    await db.query(
      'insert into things (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value',
      [key, value],
    );
    await db.query('commit');
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}
