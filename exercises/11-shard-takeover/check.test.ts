/**
 * The check for exercise 11. `npm run exercise -- 11` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 *
 * It runs on a real PostgreSQL: a throwaway server started for the check (PostgreSQL 15's
 * programs where Debian installs them, or in `SETPOINT_PG_BIN`), or the one named by
 * `SETPOINT_TEST_DATABASE_URL`. The check makes a fresh database with the given `setup`, and each
 * test starts with no members and every lease free at epoch 0. Leases last a minute; to make
 * time pass, the check moves heartbeats and expiries into the past in the database itself.
 */
import fc from 'fast-check';
import type pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { holds, holdsAsync } from '../check-helpers.js';
import { postgresCheck } from '../postgres-helpers.js';

type Impl = typeof import('./solution.js');
const { SHARDS, balance, claim, fairShare, handOver, setup }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);

const pgc = postgresCheck();

let made: Promise<() => Promise<pg.Client>> | undefined;

const RESET = 'delete from members; update leases set owner = null, epoch = 0, expires_at = null';

/**
 * The check's database (made fresh once, with `setup`), with no members and every lease free at
 * epoch 0: each test starts from there. And a maker of connections, closed after each test.
 */
async function database(): Promise<() => Promise<pg.Client>> {
  made ??= pgc.database('ex11').then(async (connect) => {
    await setup(await connect());
    return connect;
  });
  const connect = await made;
  await (await connect()).query(RESET);
  return connect;
}

/** A lease of a minute: nothing expires unless the check says so. */
const TTL = 60_000;

interface Row {
  readonly shard: number;
  readonly owner: string | null;
  readonly epoch: number;
  /** Its lease runs, by the database's clock. */
  readonly live: boolean;
}

/** Every lease row, in shard order. */
async function leases(db: pg.ClientBase): Promise<Row[]> {
  const { rows } = await db.query<{ shard: number; owner: string | null; epoch: string; live: boolean }>(
    'select shard, owner, epoch, coalesce(expires_at > now(), false) as live from leases order by shard',
  );
  return rows.map((r) => ({ shard: r.shard, owner: r.owner, epoch: Number(r.epoch), live: r.live }));
}

/** How many shards each of `ids` holds under a running lease. */
function counts(rows: readonly Row[], ids: readonly string[]): Record<string, number> {
  const n = Object.fromEntries(ids.map((id) => [id, 0]));
  for (const r of rows) if (r.live && r.owner !== null && r.owner in n) n[r.owner]!++;
  return n;
}

const show = (rows: readonly Row[]) =>
  rows
    .map((r) => `${r.shard}:${r.owner ?? '-'}@${r.epoch}${r.owner !== null && !r.live ? '(expired)' : ''}`)
    .join(' ');

const sameOwners = (a: readonly Row[], b: readonly Row[]) =>
  a.every((r, i) => r.owner === b[i]!.owner && r.epoch === b[i]!.epoch);

/** What moved between two snapshots: "shard 5: a@1 → c@2". */
const moves = (before: readonly Row[], after: readonly Row[]) =>
  after
    .filter((r, i) => r.owner !== before[i]!.owner || r.epoch !== before[i]!.epoch)
    .map((r) => {
      const b = before[r.shard]!;
      return `shard ${r.shard}: ${b.owner ?? 'free'}@${b.epoch} → ${r.owner ?? 'free'}@${r.epoch}`;
    });

/** Member `id` stopped long ago: its heartbeat is an hour old and its leases ran out. */
async function stopped(db: pg.ClientBase, id: string): Promise<void> {
  await db.query(`update members set heartbeat_at = now() - interval '1 hour' where id = $1`, [id]);
  await db.query(`update leases set expires_at = now() - interval '1 second' where owner = $1`, [id]);
}

/** One round of each member, in turn. */
async function pass(db: pg.ClientBase, ids: readonly string[]): Promise<void> {
  for (const id of ids) await balance(db, id, TTL);
}

/**
 * A first round of every member in turn (so that each has heartbeated, and all see the same live
 * members), then more, until a whole pass moves no shard (no owner, no epoch changes); at most
 * `limit` passes in all, else an error that shows what still moved.
 */
async function settle(db: pg.ClientBase, ids: readonly string[], limit = 6): Promise<Row[]> {
  await pass(db, ids);
  let before = await leases(db);
  for (let n = 2; n <= limit; n++) {
    await pass(db, ids);
    const after = await leases(db);
    if (sameOwners(before, after)) return after;
    if (n === limit) {
      throw new Error(
        `after ${limit} rounds of each of ${ids.join(', ')}, shards still move; in the last: ` +
          `${moves(before, after).join('; ')}. Each move stops and restarts a shard's work and raises ` +
          'its epoch. Hint: claim up to your share and hand over only above it, where the shares of ' +
          'all members add up to exactly the number of shards (fairShare): then a member at its share ' +
          'has nothing to do',
      );
    }
    before = after;
  }
  return before;
}

/** The shards a round says its member holds, as the lease rows would show them. */
const said = (held: ReadonlyMap<number, number>) =>
  [...held]
    .sort(([a], [b]) => a - b)
    .map(([shard, epoch]) => `${shard}@${epoch}`)
    .join(' ');
const rowsOf = (rows: readonly Row[], id: string) =>
  rows
    .filter((r) => r.owner === id && r.live)
    .map((r) => `${r.shard}@${r.epoch}`)
    .join(' ');

describe('fairShare', () => {
  const share = (members: string[], shards: number) => Object.fromEntries(fairShare(members, shards));

  it('splits the shards as evenly as it can, the first members in sorted order taking one more', () => {
    expect(share(['a'], 8), 'one member: all 8').toEqual({ a: 8 });
    expect(share(['b', 'a'], 8), 'two members: 4 each').toEqual({ a: 4, b: 4 });
    expect(
      share(['c', 'a', 'b'], 8),
      '3 members, 8 shards: 8 = 3 + 3 + 2; the extra shards go to the first two in sorted order, a and b',
    ).toEqual({ a: 3, b: 3, c: 2 });
    expect(
      share(['e', 'd', 'c', 'b', 'a'], 8),
      '5 members, 8 shards: 8 = 2 + 2 + 2 + 1 + 1, not ceil(8 / 5) = 2 for everyone: that adds up to 10, ' +
        'and the last member would find nothing left to claim',
    ).toEqual({ a: 2, b: 2, c: 2, d: 1, e: 1 });
    const ten = ['j', 'i', 'h', 'g', 'f', 'e', 'd', 'c', 'b', 'a'];
    expect(
      share(ten, 8),
      'more members than shards: one each for the first 8, and 0 (an entry all the same) for the others',
    ).toEqual({ a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 0, j: 0 });
    expect(share([], 8), 'no members: an empty map').toEqual({});
  });

  it('adds up to the number of shards, each share within one of the others, whatever the order (1,000 random groups)', () => {
    const ids = fc.uniqueArray(
      fc.string({ unit: fc.constantFrom('a', 'b', 'z', '0', '9', '-'), minLength: 1, maxLength: 4 }),
      { minLength: 1, maxLength: 12 },
    );
    holds(
      'for these members and this number of shards, fairShare broke a rule; see below',
      fc.property(ids, fc.integer({ min: 0, max: 64 }), (members, shards) => {
        const got = fairShare(members, shards);
        expect([...got.keys()].sort(), 'an entry for every member, and only for them').toEqual(
          [...members].sort(),
        );
        const values = [...got.values()];
        expect(
          values.reduce((a, b) => a + b, 0),
          'the shares must add up to the number of shards: fewer leaves shards nobody claims, ' +
            'more leaves a member short forever',
        ).toBe(shards);
        expect(
          Math.max(...values) - Math.min(...values),
          'two shares differ by more than one: not a fair split',
        ).toBeLessThanOrEqual(1);
        expect(
          Object.fromEntries(fairShare([...members].reverse(), shards)),
          'the same members in another order must get the same shares: every member computes the ' +
            'split on its own, from the list of members it read. Hint: sort the members first',
        ).toEqual(Object.fromEntries(got));
      }),
    );
  });
});

describe('handOver', () => {
  it('lets go of a shard it holds and keeps the epoch, so the next claim raises it', async () => {
    const db = await (await database())();
    const epoch = (await claim(db, 5, 'a', TTL))!;
    expect(await handOver(db, 5, 'a', epoch), 'a holds shard 5 at this epoch: it lets go').toBe(true);
    const [row] = (await leases(db)).filter((r) => r.shard === 5);
    expect(row!.owner, 'a handed shard 5 over: nobody owns it now').toBeNull();
    expect(
      row!.epoch,
      'a hand-over keeps the epoch: set back to 0, the next claim would give out 1 again, the token a ' +
        'still has, and a late write of a would be taken for the new owner’s',
    ).toBe(epoch);
    expect(await claim(db, 5, 'b', TTL), 'b claims it next, at the epoch after a’s').toBe(epoch + 1);
  });

  it('lets go of nothing it no longer holds at that epoch: taken over meanwhile, or claimed again since', async () => {
    const db = await (await database())();
    const first = (await claim(db, 6, 'a', TTL))!;
    await db.query(`update leases set expires_at = now() - interval '1 second' where shard = 6`);
    const b = (await claim(db, 6, 'b', TTL))!;
    expect(
      await handOver(db, 6, 'a', first),
      'b took shard 6 over after a’s lease ran out: a’s late hand-over must change nothing and return ' +
        'false. Hint: the UPDATE’s WHERE names the owner and the epoch',
    ).toBe(false);
    expect(
      (await leases(db))[6],
      'shard 6 stays b’s: a hand-over by anyone else would let a third member claim it while b works on it',
    ).toEqual({ shard: 6, owner: 'b', epoch: b, live: true });
    const again = (await claim(db, 7, 'a', TTL))!;
    await db.query(`update leases set expires_at = now() - interval '1 second' where shard = 7`);
    const later = (await claim(db, 7, 'a', TTL))!;
    expect(
      await handOver(db, 7, 'a', again),
      `a holds shard 7 at epoch ${later} now, not at ${again}: a hand-over at the old epoch must change nothing`,
    ).toBe(false);
    expect((await leases(db))[7]!.owner).toBe('a');
  });
});

describe('balance', () => {
  it('takes every shard, at epoch 1, for a member alone', async () => {
    const db = await (await database())();
    const held = await balance(db, 'a', TTL);
    expect(said(held), 'a is the only member: it claims all 8 shards, each at epoch 1').toBe(
      '0@1 1@1 2@1 3@1 4@1 5@1 6@1 7@1',
    );
    expect(show(await leases(db)), 'and the lease rows say so').toBe(
      '0:a@1 1:a@1 2:a@1 3:a@1 4:a@1 5:a@1 6:a@1 7:a@1',
    );
  });

  it("renews the member's heartbeat and leases on the database's clock, keeping their epochs", async () => {
    const db = await (await database())();
    await balance(db, 'a', TTL);
    await db.query(`update leases set expires_at = now() + interval '1 second'`); // about to run out
    await db.query(`update members set heartbeat_at = now() - interval '50 seconds'`);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3_600_000); // this process's clock is an hour behind
    let held: Map<number, number>;
    try {
      held = await balance(db, 'a', TTL);
    } finally {
      vi.useRealTimers();
    }
    expect(said(held), 'a renews what it holds: same shards, same epochs (a renewal is no claim)').toBe(
      '0@1 1@1 2@1 3@1 4@1 5@1 6@1 7@1',
    );
    const { rows } = await db.query<{ lease: number; beat: number }>(
      `select (select min(extract(epoch from expires_at - now()) * 1000) from leases)::float as lease,
              (select extract(epoch from now() - heartbeat_at) * 1000 from members where id = 'a')::float as beat`,
    );
    const { lease, beat } = rows[0]!;
    expect(
      lease > TTL - 5000 && lease <= TTL,
      `the leases must run a minute from the database's now() after a renewal; one ends ${Math.round(lease)} ms ` +
        "from it. Hint: now() + make_interval(...) in SQL, never this process's Date.now()",
    ).toBe(true);
    expect(
      beat >= 0 && beat < 5000,
      `the heartbeat must be the database's now(); it is ${Math.round(beat)} ms old`,
    ).toBe(true);
  });

  it('gives a member that joins its fair share within a few rounds: the others hand shards over', async () => {
    const db = await (await database())();
    await balance(db, 'a', TTL); // a is alone: all 8
    for (let round = 1; round <= 3; round++) await pass(db, ['b', 'a']);
    const rows = await leases(db);
    const n = counts(rows, ['a', 'b']);
    expect(
      n,
      `a held all 8 shards; b joined and ran 3 rounds, a too, and now a holds ${n.a} and b ${n.b} ` +
        `(${show(rows)}). ` +
        (n.b === 0
          ? 'a never lets go, and b never gets any: a newcomer only gets shards someone hands over. Hint: ' +
            'read who is live, work out your share with fairShare, and hand over what is above it'
          : 'Hint: both must end on their fairShare of the live members'),
    ).toEqual({ a: 4, b: 4 });
    expect(
      rows.filter((r) => r.owner === 'b').every((r) => r.epoch === 2),
      `b claimed shards a handed over: each at the epoch after a's (${show(rows)})`,
    ).toBe(true);
  });

  it('hands over down to its share in one round, and never below it', async () => {
    const db = await (await database())();
    await balance(db, 'a', TTL); // a is alone: all 8
    await pass(db, ['b', 'c', 'd']); // three join: nothing is free for them yet
    const held = await balance(db, 'a', TTL);
    const rows = await leases(db);
    const mine = fairShare(['a', 'b', 'c', 'd'], SHARDS).get('a');
    expect(
      held.size,
      `four live members: a's share is ${mine}, and it held 8; after its round it says it holds ` +
        `${held.size} (${said(held)}). ` +
        (held.size > mine!
          ? 'Hand over everything above the share in the round'
          : 'Never hand over below the share: the others would claim the shards a gave up for nothing, ' +
            'and the next round a would take some back'),
    ).toBe(mine);
    expect(said(held), 'what a says it holds, the lease rows say it holds').toBe(rowsOf(rows, 'a'));
    expect(
      rows.filter((r) => r.owner === 'a').every((r) => r.epoch === 1),
      `a keeps the shards it keeps at their epoch: no hand-over and claim again (${show(rows)})`,
    ).toBe(true);
  });

  it('settles five members on their shares: nobody starves', async () => {
    const db = await (await database())();
    const ids = ['a', 'b', 'c', 'd', 'e'];
    for (let i = 1; i <= ids.length; i++) await pass(db, ids.slice(0, i)); // they join one by one
    const rows = await settle(db, ids);
    expect(
      counts(rows, ids),
      `five members, 8 shards: two members hold 1, three hold 2 (${show(rows)}). Hint: shares that ` +
        'add up to exactly 8; ceil(8 / 5) = 2 for everyone leaves one member with nothing',
    ).toEqual({ a: 2, b: 2, c: 2, d: 1, e: 1 });
  });

  it('changes no owner and no epoch once settled: no flapping', async () => {
    const db = await (await database())();
    const ids = ['a', 'b', 'c'];
    for (let i = 1; i <= ids.length; i++) await pass(db, ids.slice(0, i));
    const settled = await settle(db, ids);
    await pass(db, ids);
    await pass(db, ids);
    const after = await leases(db);
    expect(
      moves(settled, after),
      'once every member holds its share, further rounds must only renew. Hint: claim while below ' +
        'your share, hand over while above it, and at it do neither',
    ).toEqual([]);
    expect(counts(after, ids), `three members, 8 shards: 3, 3 and 2 (${show(after)})`).toEqual({
      a: 3,
      b: 3,
      c: 2,
    });
  });

  it("never takes a shard whose lease still runs, even when its owner's heartbeat stopped", async () => {
    const db = await (await database())();
    await settle(db, ['a', 'b']);
    await db.query(`update members set heartbeat_at = now() - interval '1 hour' where id = 'b'`);
    const before = await leases(db);
    for (let round = 0; round < 3; round++) await balance(db, 'a', TTL);
    const after = await leases(db);
    const ofB = (rows: readonly Row[]) => before.filter((r) => r.owner === 'b').map((r) => rows[r.shard]!);
    expect(
      show(ofB(after)),
      "b's heartbeat stopped, but its leases run for most of a minute: b may still be working on its " +
        'shards (a slow heartbeat, a pause). Taking one now makes two owners at once. Only a free or ' +
        'expired lease may be claimed',
    ).toBe(show(ofB(before)));
  });

  it('takes over the shards of a member that stopped once its leases expired, at raised epochs', async () => {
    const db = await (await database())();
    await settle(db, ['a', 'b']);
    const before = await leases(db);
    await stopped(db, 'b');
    const held = await balance(db, 'a', TTL);
    const after = await leases(db);
    expect(
      held.size,
      `b stopped: its heartbeat is an hour old and its leases ran out, so a is the only live member ` +
        `and its share is all 8; after its round a holds ${held.size} (${show(after)}). Hint: count ` +
        'only members whose heartbeat is newer than now() - ttl, and claim expired shards, not only free ones',
    ).toBe(SHARDS);
    for (const r of before.filter((r) => r.owner === 'b')) {
      expect(after[r.shard], `shard ${r.shard} was b's at epoch ${r.epoch}: a claims it at the next`).toEqual(
        {
          shard: r.shard,
          owner: 'a',
          epoch: r.epoch + 1,
          live: true,
        },
      );
    }
  });

  it("counts live members on the database's clock", async () => {
    const db = await (await database())();
    await settle(db, ['a', 'b']);
    await stopped(db, 'b');
    await db.query(`update members set heartbeat_at = now() - interval '10 minutes' where id = 'b'`);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3_600_000); // this process's clock is an hour behind
    let held: Map<number, number>;
    try {
      held = await balance(db, 'a', TTL);
    } finally {
      vi.useRealTimers();
    }
    expect(
      held.size,
      "b's last heartbeat was 10 minutes ago by the database's clock: b is not live, and a must take " +
        `all 8; a holds ${held.size}. This process's clock is an hour behind: compare heartbeats with ` +
        'now() in SQL, never with Date.now(). Every member must judge liveness by the same clock',
    ).toBe(SHARDS);
  });

  it('never lets two members hold one shard when they run rounds at the same time (8 rounds of three at once)', async () => {
    const connect = await database();
    const ids = ['a', 'b', 'c'];
    const dbs = await Promise.all(ids.map(() => connect()));
    for (let round = 1; round <= 8; round++) {
      const held = await Promise.all(ids.map((id, i) => balance(dbs[i]!, id, TTL)));
      const rows = await leases(dbs[0]!);
      ids.forEach((id, i) => {
        expect(
          said(held[i]!),
          `round ${round}: what ${id} says it holds must be what the lease rows say it holds (${show(rows)})`,
        ).toBe(rowsOf(rows, id));
      });
    }
  });

  it('over random joins, stops, pauses and rounds: one owner per lease, epochs that grow, and a fair split once settled (60 random histories)', async () => {
    const db = await (await database())();
    const who = fc.constantFrom('a', 'b', 'c', 'd');
    const step = fc.oneof(
      { weight: 3, arbitrary: fc.record({ do: fc.constant('round' as const), who }) },
      { weight: 2, arbitrary: fc.record({ do: fc.constant('join' as const), who }) },
      { weight: 1, arbitrary: fc.record({ do: fc.constant('stop' as const), who }) },
      { weight: 1, arbitrary: fc.record({ do: fc.constant('pause' as const), who }) },
    );
    await holdsAsync(
      'in this history (join: a member starts and runs a round; round: it runs one; stop: it stops for ' +
        'good; pause: its heartbeat and leases run out, and it resumes at its next round), then rounds of ' +
        'every running member until nothing moves, a rule was broken; see below',
      fc.asyncProperty(fc.array(step, { maxLength: 14 }), async (steps) => {
        await db.query(RESET);
        const running: string[] = [];
        let rows = await leases(db);
        for (const s of steps) {
          if (s.do === 'stop' || s.do === 'pause') {
            if (!running.includes(s.who)) continue;
            await stopped(db, s.who);
            if (s.do === 'stop') running.splice(running.indexOf(s.who), 1);
            rows = await leases(db);
            continue;
          }
          if (s.do === 'join' && !running.includes(s.who)) running.push(s.who);
          if (!running.includes(s.who)) continue;
          const held = await balance(db, s.who, TTL);
          const after = await leases(db);
          for (const r of rows) {
            const now = after[r.shard]!;
            expect(now.epoch, `shard ${r.shard}'s epoch went down`).toBeGreaterThanOrEqual(r.epoch);
            if (r.live && r.owner !== null && r.owner !== s.who)
              expect(
                { owner: now.owner, epoch: now.epoch },
                `${s.who}'s round changed shard ${r.shard}, whose lease ${r.owner} held and which had not ` +
                  'run out: only its owner may hand it over',
              ).toEqual({ owner: r.owner, epoch: r.epoch });
          }
          expect(said(held), `what ${s.who} says it holds must be what the lease rows say`).toBe(
            rowsOf(after, s.who),
          );
          rows = after;
        }
        if (running.length === 0) return;
        const settled = await settle(db, running);
        const n = counts(settled, running);
        expect(
          settled.every((r) => r.live && r.owner !== null && running.includes(r.owner)),
          `once settled, every shard must be held by a running member under a running lease: ${show(settled)}`,
        ).toBe(true);
        expect(n, `once settled, each running member holds its share: ${show(settled)}`).toEqual(
          Object.fromEntries(fairShare(running, SHARDS)),
        );
        const values = Object.values(n);
        expect(
          Math.max(...values) - Math.min(...values),
          `once settled, no two members differ by more than one shard: ${show(settled)}`,
        ).toBeLessThanOrEqual(1);
      }),
      60,
    );
  });
});
