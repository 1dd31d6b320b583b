import { describe, expect, it } from 'vitest';
import { until } from '../../../test/helpers/poll.js';
import { postgresTests } from '../../../test/helpers/postgres.js';
import { TestClock } from '../../time/test-clock.js';
import { claim, FencedError } from './leases.js';
import { migrate } from './migrations.js';
import { createPostgresStore } from './postgres-store.js';
import { shardOf } from './shard-of.js';

const pgt = postgresTests();

const SHARDS = 4;

describe('a PostgreSQL store with fencing', () => {
  it('writes while its instance holds the shard, and refuses, writing nothing, once the shard moved', async () => {
    const { connect } = await pgt.database('fence');
    const db = await connect();
    await migrate(db, SHARDS);
    const key = 'user/alice';
    const shard = shardOf(key, SHARDS);
    const epochs = new Map<number, number>();
    const epoch = await claim(db, shard, 'a', 60_000);
    epochs.set(shard, epoch!);
    const store = createPostgresStore({
      client: await connect(),
      clock: new TestClock(),
      shards: SHARDS,
      fence: { shardOf: (k) => shardOf(k, SHARDS), epochOf: (s) => epochs.get(s) },
    });
    await store.open();
    await store.record({
      key,
      kind: 'user',
      name: 'alice',
      origin: 'created',
      lastApplied: { role: 'admin' },
    });

    // Another instance takes the shard over (a's lease expired while it was paused).
    await db.query(`update shard_leases set expires_at = now() - interval '1 second' where shard = $1`, [
      shard,
    ]);
    expect(await claim(db, shard, 'b', 60_000)).toBe(epoch! + 1);

    const late = await store.intend({ key, op: 'update', spec: { role: 'root' } }).catch((e: unknown) => e);
    expect(FencedError.is(late)).toBe(true);
    const { rows } = await db.query('select count(*)::int as n from intents');
    expect(rows[0].n).toBe(0); // nothing written: the provider is never called after a refused intent
    const unheld = createPostgresStore({
      client: await connect(),
      clock: new TestClock(),
      shards: SHARDS,
      fence: { shardOf: (k) => shardOf(k, SHARDS), epochOf: () => undefined },
    });
    await unheld.open();
    await expect(unheld.forget(key)).rejects.toThrow(/is not held by this instance/);
    expect((await db.query('select count(*)::int as n from inventory')).rows[0].n).toBe(1);
  });
});

describe('a PostgreSQL store writing many changes at once', () => {
  it('commits them in a few transactions, refusing only the changes of a shard that moved', async () => {
    const { connect } = await pgt.database('group');
    const db = await connect();
    await migrate(db, SHARDS);
    const epochs = new Map<number, number>();
    for (let shard = 0; shard < SHARDS; shard++) epochs.set(shard, (await claim(db, shard, 'a', 60_000))!);
    const client = await connect();
    let transactions = 0;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (args[0] === 'begin') transactions++;
      return query(...args);
    };
    const fencedShards: number[] = [];
    const store = createPostgresStore({
      client,
      clock: new TestClock(),
      shards: SHARDS,
      fence: {
        shardOf: (k) => shardOf(k, SHARDS),
        epochOf: (s) => epochs.get(s),
        onFenced: (s) => fencedShards.push(s),
      },
    });
    await store.open();
    const names = Array.from({ length: 200 }, (_, i) => `u${i}`);
    const moved = shardOf('user/u0', SHARDS);
    await db.query("update shard_leases set epoch = epoch + 1, owner = 'b' where shard = $1", [moved]);
    transactions = 0;
    const results = await Promise.allSettled(
      names.map((name) =>
        store.record({ key: `user/${name}`, kind: 'user', name, origin: 'created', lastApplied: { v: 1 } }),
      ),
    );
    expect(transactions).toBeLessThanOrEqual(3); // one for the first, one or two for the rest
    const refused = names.filter((_, i) => results[i]?.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((name) => shardOf(`user/${name}`, SHARDS) === moved)).toBe(true);
    for (const [i, r] of results.entries())
      if (r.status === 'rejected') expect(FencedError.is(r.reason), names[i]).toBe(true);
    const { rows } = await db.query<{ key: string }>('select key from inventory');
    expect(rows.length).toBe(names.length - refused.length);
    expect(rows.every((r) => shardOf(r.key, SHARDS) !== moved)).toBe(true);
    expect(new Set(fencedShards)).toEqual(new Set([moved]));
  });
});

describe('a PostgreSQL store whose connection is gone', () => {
  it('refuses the writes waiting, and closes all the same', async () => {
    const { connect } = await pgt.database('gone');
    const db = await connect();
    await migrate(db, SHARDS);
    const client = await connect();
    const store = createPostgresStore({ client, clock: new TestClock(), shards: SHARDS });
    await store.open();
    const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
    await db.query('select pg_terminate_backend($1)', [pid]);
    await until('the store’s session is gone', async () => {
      const { rows } = await db.query('select count(*)::int as n from pg_stat_activity where pid = $1', [
        pid,
      ]);
      return rows[0].n === 0;
    });
    const write = store.record({
      key: 'user/a',
      kind: 'user',
      name: 'a',
      origin: 'created',
      lastApplied: {},
    });
    await expect(write).rejects.toThrow();
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('shardOf', () => {
  it('spreads keys over every shard, the same way every time', () => {
    const counts = new Array(SHARDS).fill(0);
    for (let i = 0; i < 4000; i++) counts[shardOf(`user/u${i}`, SHARDS)]++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
    // Pinned: instances of different versions must agree on every key's shard.
    expect(shardOf('', 64)).toBe(0x811c9dc5 % 64); // FNV-1a's offset basis: no bytes hashed
    expect(shardOf('user/alice', 64)).toBe(1);
    expect(shardOf('files/site/index.html', 256)).toBe(56);
  });
});
