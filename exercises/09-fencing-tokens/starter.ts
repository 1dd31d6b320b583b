/**
 * Exercise 09 — fencing tokens on PostgreSQL. Read README.md first; then make
 * `npm run exercise -- 09` pass.
 *
 * This version hands a lease to anyone at any time, on the process's clock, without raising the
 * epoch, and writes without checking anything. Each `TODO(you)` marks a gap. `FencedError`,
 * `SHARDS` and `setup` are given: do not change them.
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
  // TODO(you): one conditional UPDATE: only a free or expired lease, the epoch raised, and every
  // time the database's `now()`, not this process's clock.
  const { rows } = await db.query<{ epoch: string }>(
    'update leases set owner = $2, expires_at = $3 where shard = $1 returning epoch',
    [shard, owner, new Date(Date.now() + ttlMs)],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].epoch);
}

/**
 * Set `things[key] = value`, only while `epoch` is still `shard`'s current epoch; else throw a
 * {@link FencedError} and write nothing.
 */
export async function fencedWrite(
  db: pg.ClientBase,
  _shard: number,
  _epoch: number,
  key: string,
  value: string,
): Promise<void> {
  // TODO(you): in one transaction, lock the shard's lease row so that a takeover cannot slip in
  // between your check and your write, check the epoch, and write only if it is still current.
  await db.query(
    'insert into things (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value',
    [key, value],
  );
}
