/**
 * The check for exercise 09. `npm run exercise -- 09` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 *
 * It runs on a real PostgreSQL: a throwaway server started for the check (PostgreSQL 15's
 * programs where Debian installs them, or in `SETPOINT_PG_BIN`), or the one named by
 * `SETPOINT_TEST_DATABASE_URL`. The check makes a fresh database with your `setup`, and each
 * test starts from every lease free at epoch 0.
 */
import fc from 'fast-check';
import type pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { holdsAsync } from '../check-helpers.js';
import { backendOf, pausedBeforeWriting, postgresCheck, settledOrWaiting } from '../postgres-helpers.js';

type Impl = typeof import('./solution.js');
const { FencedError, claim, fencedWrite, setup }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);

const pgc = postgresCheck();

let made: Promise<() => Promise<pg.Client>> | undefined;

/**
 * The check's database (made fresh once, with your `setup`), every lease free at epoch 0 and no
 * things: each test starts from there. And a maker of connections, closed after each test.
 */
async function database(): Promise<() => Promise<pg.Client>> {
  made ??= pgc.database('ex09').then(async (connect) => {
    await setup(await connect());
    return connect;
  });
  const connect = await made;
  await (await connect()).query(
    'truncate things; update leases set owner = null, epoch = 0, expires_at = null',
  );
  return connect;
}

/** End `shard`'s lease a second ago, as if its holder had stopped renewing long enough. */
const expire = (db: pg.ClientBase, shard: number) =>
  db.query(`update leases set expires_at = now() - interval '1 second' where shard = $1`, [shard]);

const stored = async (db: pg.ClientBase, key: string) =>
  (await db.query<{ value: string }>('select value from things where key = $1', [key])).rows[0]?.value;

const refusal = (work: Promise<unknown>) =>
  work.then(
    () => 'written',
    (error: unknown) => error,
  );

const MINUTE = 60_000;

describe('claim', () => {
  it('takes a free shard at epoch 1, and no claim succeeds while the lease runs', async () => {
    const db = await (await database())();
    expect(await claim(db, 0, 'a', MINUTE), 'shard 0 is free: a gets it at epoch 1').toBe(1);
    expect(
      await claim(db, 0, 'b', MINUTE),
      "a's lease runs for a minute: b's claim must fail. Hint: a WHERE on owner and expires_at",
    ).toBeUndefined();
    expect(await claim(db, 0, 'a', MINUTE), 'a claim is no renewal: a held one fails too').toBeUndefined();
    const { rows } = await db.query('select owner, epoch::int from leases where shard = 0');
    expect(rows, 'failed claims change nothing').toEqual([{ owner: 'a', epoch: 1 }]);
  });

  it('raises the epoch on every claim, so each owner has a token of its own', async () => {
    const db = await (await database())();
    expect(await claim(db, 1, 'a', MINUTE), 'the first claim raises the epoch from 0 to 1').toBe(1);
    await expire(db, 1);
    expect(await claim(db, 1, 'b', MINUTE), "a's lease expired: b gets the next epoch").toBe(2);
    await expire(db, 1);
    expect(await claim(db, 1, 'a', MINUTE), 'a comes back: a new claim, a new epoch').toBe(3);
  });

  it("measures the lease on the database's clock, not the process's", async () => {
    const db = await (await database())();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3_600_000); // this process's clock is an hour behind
    try {
      expect(await claim(db, 2, 'a', MINUTE), 'shard 2 is free: a gets it at epoch 1').toBe(1);
    } finally {
      vi.useRealTimers();
    }
    const { rows } = await db.query<{ ms: number }>(
      'select extract(epoch from expires_at - now())::float * 1000 as ms from leases where shard = 2',
    );
    const left = Math.round(rows[0]!.ms);
    expect(
      left > MINUTE - 5000 && left <= MINUTE,
      `with a ttl of a minute the lease must end a minute after the database's now(); it ends ${left} ms ` +
        'from it. Hint: compute expires_at in SQL (now() + make_interval(...)): clocks of machines differ',
    ).toBe(true);
  });

  it('lets exactly one of two connections claiming at once win (20 times)', async () => {
    const connect = await database();
    const [a, b] = [await connect(), await connect()];
    for (let round = 0; round < 20; round++) {
      await a.query('update leases set owner = null, expires_at = null where shard = 3');
      const won = await Promise.all([claim(a, 3, 'a', MINUTE), claim(b, 3, 'b', MINUTE)]);
      expect(
        won.filter((epoch) => epoch !== undefined),
        `round ${round}: both claimed a free shard at once (${JSON.stringify(won)}): one must win. ` +
          'Hint: one UPDATE whose WHERE says "free or expired"; the database re-checks it for the second',
      ).toHaveLength(1);
    }
  });

  it('gives epochs that always grow, over any history of claims and expiries (100 random histories)', async () => {
    const db = await (await database())();
    const step = fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.constant('expire' as const));
    await holdsAsync(
      'in this history (an owner claims shard 0, or its lease expires) a claim broke a rule; see below',
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
        await db.query('update leases set owner = null, epoch = 0, expires_at = null where shard = 0');
        let held = false;
        let last = 0;
        for (const s of steps) {
          if (s === 'expire') {
            await expire(db, 0);
            held = false;
            continue;
          }
          const epoch = await claim(db, 0, s, MINUTE);
          if (held) {
            expect(epoch, `${s} claimed a shard that is held and unexpired`).toBeUndefined();
            continue;
          }
          expect(epoch, `${s} claimed a free or expired shard: it must get an epoch`).toBeDefined();
          expect(epoch, `${s} got epoch ${epoch} after epoch ${last}: it must grow`).toBeGreaterThan(last);
          last = epoch!;
          held = true;
        }
      }),
      100,
    );
  });
});

describe('fencedWrite', () => {
  it('writes under the current epoch, and refuses an old one with a FencedError, writing nothing', async () => {
    const db = await (await database())();
    const a = (await claim(db, 0, 'a', MINUTE))!;
    await fencedWrite(db, 0, a, 'x', 'from a');
    expect(await stored(db, 'x'), 'a holds shard 0 at its epoch: its write goes in').toBe('from a');
    await expire(db, 0);
    const b = (await claim(db, 0, 'b', MINUTE))!;
    const late = await refusal(fencedWrite(db, 0, a, 'x', 'late a'));
    expect(
      late,
      `b took shard 0 (epoch ${b}): a write at epoch ${a} must throw a FencedError`,
    ).toBeInstanceOf(FencedError);
    expect(await stored(db, 'x'), 'a refused write writes nothing').toBe('from a');
  });

  it('refuses the late write of an owner paused past its lease, and the new owner’s value stands', async () => {
    const connect = await database();
    const [a, b] = [await connect(), await connect()];
    const epochA = await claim(a, 1, 'a', 200); // a 200 ms lease
    expect(epochA).toBeDefined();
    await fencedWrite(a, 1, epochA!, 'x', 'a before its pause');
    // a pauses now (a long GC, SIGSTOP, a partition): it renews nothing and believes it still owns shard 1.
    const ends = (await b.query<{ at: string }>('select expires_at::text as at from leases where shard = 1'))
      .rows[0]!.at;
    let epochB = await claim(b, 1, 'b', MINUTE);
    if (epochB !== undefined) {
      // Unless this machine is so busy that 200 ms went by: then b's claim was right.
      const { rows } = await b.query<{ running: boolean }>('select now() < $1::timestamptz as running', [
        ends,
      ]);
      expect(rows[0]!.running, "a's lease still runs: b must not get it yet").toBe(false);
    }
    const deadline = Date.now() + 5000;
    while (epochB === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      epochB = await claim(b, 1, 'b', MINUTE);
    }
    expect(epochB, "once a's lease ran out, by the database's clock, b gets shard 1").toBeGreaterThan(
      epochA!,
    );
    await fencedWrite(b, 1, epochB!, 'x', 'b');
    // a wakes up, still sure of its lease, and writes.
    const late = await refusal(fencedWrite(a, 1, epochA!, 'x', 'a after its pause'));
    expect(late, "a's write at its old epoch must be refused with a FencedError").toBeInstanceOf(FencedError);
    expect(await stored(b, 'x'), "b's value stands").toBe('b');
  });

  it('does not let a takeover slip between its check and its write', async () => {
    const connect = await database();
    const [a, b, observer] = [await connect(), await connect(), await connect()];
    const epochA = (await claim(a, 2, 'a', MINUTE))!;
    await expire(observer, 2); // a's lease ran out, and a does not know it yet
    const takeoverPid = await backendOf(b);
    const paused = pausedBeforeWriting(a, 'things'); // a stops right before its INSERT
    const writing = refusal(fencedWrite(paused.db, 2, epochA, 'x', 'a'));
    await Promise.race([paused.reached, writing]);
    const takeover = (async () => {
      const epochB = await claim(b, 2, 'b', MINUTE);
      if (epochB !== undefined) await fencedWrite(b, 2, epochB, 'x', 'b');
      return epochB;
    })();
    await settledOrWaiting(observer, takeoverPid, takeover); // blocked by a's lock, or done already
    paused.go(); // a resumes and writes
    await writing;
    const epochB = await takeover;
    expect(epochB, 'b takes the expired lease over').toBeDefined();
    expect(
      await stored(observer, 'x'),
      "a checked the epoch, paused, b took the shard over and wrote 'b', then a wrote: b's value was lost. " +
        'Hint: lock the lease row (SELECT ... FOR SHARE) in the transaction of the write: the takeover waits',
    ).toBe('b');
  });

  it('waits for a takeover in flight, then refuses: a plain read of the epoch does not wait', async () => {
    const connect = await database();
    const [a, b, observer] = [await connect(), await connect(), await connect()];
    const epochA = (await claim(a, 3, 'a', MINUTE))!;
    const writerPid = await backendOf(a);
    await expire(observer, 3);
    // b takes over and writes in one transaction, still open: not committed yet.
    await b.query('begin');
    const epochB = await claim(b, 3, 'b', MINUTE);
    expect(epochB, 'b claims the expired lease').toBeDefined();
    await b.query(`insert into things (key, value) values ('x', 'b')`);
    const writing = refusal(fencedWrite(a, 3, epochA, 'x', 'a'));
    await settledOrWaiting(observer, writerPid, writing);
    await b.query('commit');
    const late = await writing;
    expect(
      late,
      `a wrote at epoch ${epochA} while b's takeover (epoch ${epochB}) was in flight: a plain SELECT reads ` +
        "the last committed epoch and waits for nobody. Hint: SELECT ... FOR SHARE waits for b's " +
        'transaction, then reads the epoch it committed',
    ).toBeInstanceOf(FencedError);
    expect(await stored(observer, 'x'), "b's value stands").toBe('b');
  });
});
