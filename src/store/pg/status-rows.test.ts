import { describe, expect, it } from 'vitest';
import { postgresTests } from '../../../test/helpers/postgres.js';
import type { Resource } from '../../contract/resource.js';
import { migrate } from './migrations.js';
import { publish } from './resources.js';
import { shardOf } from './shard-of.js';
import { readDesired, writeStatuses } from './status-rows.js';

const pgt = postgresTests();
const SHARDS = 4;
const user = (name: string, role: string): Resource => ({ kind: 'user', name, spec: { role } });

describe('reading the desired set, and writing statuses back', () => {
  it('reads what changed since a cursor, and everything again once a key was removed', async () => {
    const db = await (await pgt.database('rows')).connect();
    await migrate(db, SHARDS);
    await publish(db, [user('a', 'admin'), user('b', 'dev'), user('c', 'dev')], SHARDS);
    const first = await readDesired(db);
    expect(first.whole).toBe(true);
    expect(first.rows.map((r) => r.key)).toEqual(['user/a', 'user/b', 'user/c']);

    expect((await readDesired(db, first.cursor)).rows).toEqual([]);
    await publish(db, [user('a', 'admin'), user('b', 'ops'), user('c', 'dev')], SHARDS);
    const changed = await readDesired(db, first.cursor);
    expect(changed.whole).toBe(false);
    expect(changed.rows.map((r) => [r.key, r.generation, r.resource.spec])).toEqual([
      ['user/b', 2, { role: 'ops' }],
    ]);

    await publish(db, [user('a', 'admin'), user('b', 'ops')], SHARDS);
    const removed = await readDesired(db, changed.cursor);
    expect(removed.whole).toBe(true);
    expect(removed.rows.map((r) => r.key)).toEqual(['user/a', 'user/b']);
  });

  it('writes a status under the shard’s epoch, which readers see as Ready at its generation', async () => {
    const db = await (await pgt.database('status')).connect();
    await migrate(db, SHARDS);
    await publish(db, [user('a', 'admin')], SHARDS);
    const shard = shardOf('user/a', SHARDS);
    await db.query(
      "update shard_leases set owner = 'me', epoch = 3, expires_at = now() + interval '1 minute' where shard = $1",
      [shard],
    );
    const before = await readDesired(db);
    expect(before.rows[0]?.ready).toBe(false);
    const row = (ready: boolean) => [{ key: 'user/a', status: { ready }, observedGeneration: 1 }];
    expect(await writeStatuses(db, new Map([[shard, { epoch: 3, rows: row(true) }]]))).toEqual([]);
    const after = await readDesired(db, before.cursor);
    expect(after.rows.map((r) => [r.key, r.ready])).toEqual([['user/a', true]]);
    // A stale epoch writes nothing, and names the shard lost.
    expect(await writeStatuses(db, new Map([[shard, { epoch: 2, rows: row(false) }]]))).toEqual([shard]);
    expect((await readDesired(db)).rows[0]?.ready).toBe(true);
    // A spec change makes it not Ready until its generation is observed.
    await publish(db, [user('a', 'root')], SHARDS);
    expect((await readDesired(db, after.cursor)).rows.map((r) => [r.generation, r.ready])).toEqual([
      [2, false],
    ]);
  });
});
