import { describe, expect, it } from 'vitest';
import { postgresTests } from '../../../test/helpers/postgres.js';
import type { Resource } from '../../contract/resource.js';
import { migrate } from './migrations.js';
import { publish, RESOURCES_CHANNEL } from './resources.js';
import { shardOf } from './shard-of.js';
import { readDesired } from './status-rows.js';

const pgt = postgresTests();

const SHARDS = 8;
async function database() {
  const { connect } = await pgt.database('resources');
  const db = await connect();
  await migrate(db, SHARDS);
  return { db, connect };
}

const user = (name: string, role: string, dependsOn?: string[]): Resource => ({
  kind: 'user',
  name,
  spec: { role },
  ...(dependsOn ? { dependsOn } : {}),
});

describe('the desired set in the database', () => {
  it('is published idempotently: generations grow with spec changes, versions with every write', async () => {
    const { db } = await database();
    const set = [user('a', 'admin'), user('b', 'dev', ['user/a']), user('c', 'dev')];
    expect(await publish(db, set, SHARDS)).toEqual({ added: 3, changed: 0, removed: 0, conflicts: [] });
    expect(await publish(db, set, SHARDS)).toEqual({ added: 0, changed: 0, removed: 0, conflicts: [] });
    expect((await readDesired(db)).rows.map((r) => r.resource)).toEqual(set);
    const before = await db.query('select key, generation, resource_version from resources order by key');

    expect(await publish(db, [user('a', 'admin'), user('b', 'admin', ['user/a'])], SHARDS)).toEqual({
      added: 0,
      changed: 1,
      removed: 1,
      conflicts: [],
    });
    const after = await db.query(
      'select key, generation, resource_version, shard from resources order by key',
    );
    expect(after.rows.map((r) => [r.key, Number(r.generation)])).toEqual([
      ['user/a', 1],
      ['user/b', 2],
    ]);
    expect(Number(after.rows[1].resource_version)).toBeGreaterThan(
      Math.max(...before.rows.map((r) => Number(r.resource_version))),
    );
    expect(after.rows[0].shard).toBe(shardOf('user/a', SHARDS));
  });

  it('announces each change with its shard after commit, and nothing when nothing changed', async () => {
    const { db, connect } = await database();
    const listener = await connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query(`listen ${RESOURCES_CHANNEL}`);
    await publish(db, [user('a', 'admin')], SHARDS);
    await publish(db, [user('a', 'admin')], SHARDS);
    await db.query('select 1'); // a round trip, so the notice has arrived
    await listener.query('select 1');
    expect(heard).toEqual([String(shardOf('user/a', SHARDS))]);
  });

  it('agrees with itself when two instances publish the same set at once', async () => {
    const { connect } = await database();
    const set = Array.from({ length: 50 }, (_, i) => user(`u${i}`, 'dev'));
    const [x, y] = await Promise.all([
      publish(await connect(), set, SHARDS),
      publish(await connect(), set, SHARDS),
    ]);
    expect(x.added + y.added).toBe(50);
    expect((await readDesired(await connect())).rows.length).toBe(50);
  });
});
