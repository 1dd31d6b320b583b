import type pg from 'pg';

/**
 * Shards are owned through lease rows, and every claim raises the row's epoch: the fencing token.
 * Every time comparison is the database's (`now()`), never an instance's clock.
 *
 * | call | what it does |
 * |---|---|
 * | `claim` | take a shard that has no owner or whose lease expired; returns the new epoch |
 * | `renew` | extend the leases this owner still holds at the epochs it holds them; returns those |
 * | `release` | give shards up at once (a graceful stop) |
 * | `fenced` | run a write for a shard only while the epoch is still the current one |
 */

/** A write refused because a newer epoch exists: the shard has moved; stop it at once. */
export class FencedError extends Error {
  readonly kind = 'fenced' as const;
  constructor(
    readonly shard: number,
    /** The epoch the write was made at; `undefined`: this instance does not hold the shard at all. */
    readonly epoch: number | undefined,
    readonly current: number | undefined,
  ) {
    super(
      epoch === undefined
        ? `shard ${shard} is not held by this instance: its writes are refused`
        : `shard ${shard}: epoch ${epoch} is no longer current (now ${current ?? 'unowned'}): the shard moved; its writes are refused`,
    );
    this.name = 'FencedError';
  }

  static is(error: unknown): error is FencedError {
    return error instanceof FencedError || (error as { kind?: unknown })?.kind === 'fenced';
  }
}

/** Claim `shard` for `owner` for `ttlMs`, if free or expired; the new epoch, else `undefined`. */
export async function claim(
  db: pg.ClientBase,
  shard: number,
  owner: string,
  ttlMs: number,
): Promise<number | undefined> {
  const { rows } = await db.query<{ epoch: string }>(
    `update shard_leases
        set owner = $2, epoch = epoch + 1, expires_at = now() + make_interval(secs => $3::double precision / 1000)
      where shard = $1 and (owner is null or expires_at < now())
      returning epoch`,
    [shard, owner, ttlMs],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].epoch);
}

/**
 * Every statement that locks more than one lease row locks them in shard order (the renewal
 * and the release below, `lockEpochs` for a write of many shards), so two of them never wait
 * for each other in a cycle.
 */

/** Renew the leases `owner` holds at these epochs; the shards still held (the rest were lost). */
export async function renew(
  db: pg.ClientBase,
  owner: string,
  held: ReadonlyMap<number, number>,
  ttlMs: number,
): Promise<number[]> {
  if (held.size === 0) return [];
  const { rows } = await db.query<{ shard: number }>(
    `with mine as materialized (
       select shard from shard_leases where shard = any($3::int[]) order by shard for update
     )
     update shard_leases l
        set expires_at = now() + make_interval(secs => $2::double precision / 1000)
       from unnest($3::int[], $4::bigint[]) as h(shard, epoch)
      where l.shard = h.shard and l.shard in (select shard from mine)
        and l.epoch = h.epoch and l.owner = $1 and l.expires_at >= now()
      returning l.shard`,
    [owner, ttlMs, [...held.keys()], [...held.values()]],
  );
  return rows.map((r) => r.shard).sort((a, b) => a - b);
}

/** Give up these shards at once, if still held at these epochs (a graceful stop). */
export async function release(
  db: pg.ClientBase,
  owner: string,
  held: ReadonlyMap<number, number>,
): Promise<void> {
  if (held.size === 0) return;
  await db.query(
    `with mine as materialized (
       select shard from shard_leases where shard = any($2::int[]) order by shard for update
     )
     update shard_leases l set owner = null, expires_at = null
       from unnest($2::int[], $3::bigint[]) as h(shard, epoch)
      where l.shard = h.shard and l.shard in (select shard from mine)
        and l.epoch = h.epoch and l.owner = $1`,
    [owner, [...held.keys()], [...held.values()]],
  );
}

/**
 * In a transaction: lock these shards' lease rows `FOR SHARE` and read their epochs (`undefined`
 * for a shard nobody holds). A takeover, which updates a row, waits for the transaction; a write
 * made after it sees the new epoch. In READ COMMITTED a plain read of the epoch would not
 * conflict with a concurrent takeover; the row lock makes them serialise.
 */
export async function lockEpochs(
  db: pg.ClientBase,
  shards: readonly number[],
): Promise<Map<number, number | undefined>> {
  const { rows } = await db.query<{ shard: number; epoch: string; owner: string | null }>(
    'select shard, epoch, owner from shard_leases where shard = any($1::int[]) order by shard for share',
    [shards],
  );
  return new Map(rows.map((r) => [r.shard, r.owner === null ? undefined : Number(r.epoch)]));
}

/**
 * Run `write` in a transaction that first locks the shard's lease row (see `lockEpochs`) and
 * checks the epoch: a takeover then waits for this transaction, or this one sees the newer
 * epoch and throws {@link FencedError} without writing.
 */
export async function fenced<T>(
  db: pg.ClientBase,
  shard: number,
  epoch: number,
  write: (db: pg.ClientBase) => Promise<T>,
): Promise<T> {
  await db.query('begin');
  try {
    const current = (await lockEpochs(db, [shard])).get(shard);
    if (current !== epoch) throw new FencedError(shard, epoch, current);
    const result = await write(db);
    await db.query('commit');
    return result;
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}
