/**
 * Exercise 11 — shard takeover on PostgreSQL. Read README.md first; then make
 * `npm run exercise -- 11` pass.
 *
 * This version gives every member the same share, rounded up; hands a shard over whoever holds
 * it; and lets a member claim every free or expired shard and never hand any over, so the first
 * member keeps them all. Each `TODO(you)` marks a gap. `SHARDS`, `setup` and `claim` are given:
 * do not change them.
 */
import type pg from 'pg';

/** How many shards the exercise's database has: 0 to 7. */
export const SHARDS = 8;

/**
 * Make the exercise's two tables in an empty database: the members with their heartbeats, and
 * one lease row per shard (as in exercise 09) with epoch 0 and no owner.
 */
export async function setup(db: pg.ClientBase): Promise<void> {
  await db.query(`
    create table members (
      id text primary key,
      heartbeat_at timestamptz not null
    );
    create table leases (
      shard integer primary key,
      owner text,
      epoch bigint not null default 0,
      expires_at timestamptz
    );
    insert into leases (shard) select s from generate_series(0, ${SHARDS - 1}) s;
  `);
}

/**
 * Claim `shard` for `owner` for `ttlMs`, when nobody holds it or its lease expired, by the
 * database's clock: exercise 09's claim. The new epoch, one more than the last; `undefined`
 * when it is held.
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
 * How many shards each of `members` should hold: `shards` split as evenly as possible, the same
 * whatever order the members come in. In the members' sorted order, the first `shards % n` get
 * one more than the rest.
 */
export function fairShare(members: readonly string[], shards: number): Map<string, number> {
  // TODO(you): shares that add up to exactly `shards`, within one of each other, and the same
  // for the same members in any order. Rounding up for everyone adds up to too many.
  const each = Math.ceil(shards / Math.max(1, members.length));
  return new Map(members.map((id) => [id, each]));
}

/**
 * Give `shard` up for the next owner to claim, only while `owner` still holds it at `epoch`.
 * The epoch stays: the next claim raises it past every earlier owner's. Whether it let go.
 */
export async function handOver(
  db: pg.ClientBase,
  shard: number,
  _owner: string,
  _epoch: number,
): Promise<boolean> {
  // TODO(you): only the owner, at the epoch it holds the shard at, may let it go.
  const { rowCount } = await db.query('update leases set owner = null, expires_at = null where shard = $1', [
    shard,
  ]);
  return rowCount === 1;
}

/**
 * One round of member `me`: heartbeat, renew its leases, count the live members, hand over
 * what is above its fair share and claim free or expired shards up to it. The shards it holds
 * afterwards, each with its epoch, in shard order.
 */
export async function balance(db: pg.ClientBase, me: string, ttlMs: number): Promise<Map<number, number>> {
  await db.query(
    `insert into members (id, heartbeat_at) values ($1, now())
       on conflict (id) do update set heartbeat_at = now()`,
    [me],
  );
  const renewed = await db.query<{ shard: number; epoch: string }>(
    `update leases set expires_at = now() + make_interval(secs => $2::double precision / 1000)
      where owner = $1 and expires_at >= now()
      returning shard, epoch`,
    [me, ttlMs],
  );
  const held = new Map(renewed.rows.map((r) => [r.shard, Number(r.epoch)]));

  // TODO(you): read who is live (a heartbeat newer than the database's now() minus ttlMs), and
  // work out this member's share with fairShare.

  // TODO(you): above the share, hand shards over (handOver) down to it, and no further.

  // TODO(you): claim only up to the share, not every shard there is.
  const free = await db.query<{ shard: number }>(
    'select shard from leases where owner is null or expires_at < now() order by shard',
  );
  for (const { shard } of free.rows) {
    const epoch = await claim(db, shard, me, ttlMs);
    if (epoch !== undefined) held.set(shard, epoch);
  }
  return new Map([...held].sort(([a], [b]) => a - b));
}
