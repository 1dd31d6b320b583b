import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postgresTests } from '../../../test/helpers/postgres.js';
import type { Resource } from '../../contract/resource.js';
import { ConflictError, desiredStore, SourceConflictError } from './desired-store.js';
import { migrate } from './migrations.js';
import { publish } from './resources.js';

const pgt = postgresTests();
const SHARDS = 4;
const user = (name: string, role: string): Resource => ({ kind: 'user', name, spec: { role } });

describe('the desired set, one resource at a time', () => {
  it('lets one of two writers that read the same version win; the other gets a conflict naming the version now', async () => {
    const { connect } = await pgt.database('desired');
    const [one, two] = [await connect(), await connect()];
    await migrate(one, SHARDS);
    const a = desiredStore(one, SHARDS);
    const b = desiredStore(two, SHARDS);
    const created = await a.put(user('x', 'dev'), { expect: 'absent' });
    expect(created).toMatchObject({ generation: 1, observedGeneration: 0, status: undefined });
    const read = created.resourceVersion;
    const [first, second] = await Promise.allSettled([
      a.put(user('x', 'admin'), { expect: read }),
      b.put(user('x', 'ops'), { expect: read }),
    ]);
    const won = [first, second].filter((r) => r.status === 'fulfilled');
    const lost = [first, second].filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const error = (lost[0] as PromiseRejectedResult).reason;
    expect(ConflictError.is(error)).toBe(true);
    const now = await a.get('user/x');
    expect(error.current).toBe(now?.resourceVersion);
    expect(now?.generation).toBe(2);
    // The loser reads again and retries.
    const retried = await b.put(user('x', 'ops'), { expect: now?.resourceVersion });
    expect(retried).toMatchObject({ generation: 3, resource: user('x', 'ops') });
    // The same spec again writes nothing; creating what exists is a conflict.
    expect(await b.put(user('x', 'ops'))).toEqual(retried);
    await expect(a.put(user('x', 'dev'), { expect: 'absent' })).rejects.toThrow(/expected no resource/);
    await expect(a.remove('user/x', { expect: read })).rejects.toBeInstanceOf(ConflictError);
    expect(await a.remove('user/x', { expect: retried.resourceVersion })).toBe(true);
    expect(await a.get('user/x')).toBeUndefined();
  });

  it('follows a model of itself over any sequence of writes, stale or not', async () => {
    const { connect } = await pgt.database('model');
    const db = await connect();
    await migrate(db, SHARDS);
    const store = desiredStore(db, SHARDS);
    const op = fc.record({
      name: fc.constantFrom('a', 'b'),
      role: fc.constantFrom('dev', 'ops'),
      remove: fc.boolean(),
      stale: fc.boolean(),
    });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 8 }), async (ops) => {
        round++;
        const model = new Map<string, { role: string; version: number; generation: number }>();
        for (const o of ops) {
          const key = `user/${o.name}${round}`;
          const had = model.get(key);
          const expectVersion = had === undefined ? ('absent' as const) : had.version;
          const given = o.stale ? (had === undefined ? 0 : had.version - 1) : expectVersion;
          const conflict = given !== expectVersion;
          const write = o.remove
            ? store.remove(key, { expect: given })
            : store.put(user(`${o.name}${round}`, o.role), { expect: given });
          if (conflict) {
            await expect(write).rejects.toBeInstanceOf(ConflictError);
            continue;
          }
          const result = await write;
          if (o.remove) {
            expect(result).toBe(had !== undefined);
            model.delete(key);
          } else if (typeof result === 'object') {
            const generation =
              had === undefined ? 1 : had.role === o.role ? had.generation : had.generation + 1;
            expect(result.generation).toBe(generation);
            if (had !== undefined && had.role === o.role) expect(result.resourceVersion).toBe(had.version);
            model.set(key, { role: o.role, version: result.resourceVersion, generation });
          }
        }
        for (const [key, m] of model) expect((await store.get(key))?.resource.spec).toEqual({ role: m.role });
      }),
      { numRuns: 40 },
    );
  });
});

describe('sources side by side', () => {
  it('give each key to one source: a second one claiming it is refused or left alone, on both sides', async () => {
    const { connect } = await pgt.database('sources');
    const db = await connect();
    await migrate(db, SHARDS);
    const api = desiredStore(db, SHARDS);
    await api.put(user('from-api', 'dev'));
    const first = await publish(db, [user('from-config', 'ops'), user('from-api', 'root')], SHARDS);
    expect(first).toEqual({ added: 1, changed: 0, removed: 0, conflicts: ['user/from-api'] });
    expect((await api.get('user/from-api'))?.resource.spec).toEqual({ role: 'dev' });
    await expect(api.put(user('from-config', 'dev'))).rejects.toBeInstanceOf(SourceConflictError);
    await expect(api.remove('user/from-config')).rejects.toThrow(/belongs to the source config/);
    // A publication removes only what its own source declared.
    expect(await publish(db, [], SHARDS)).toEqual({ added: 0, changed: 0, removed: 1, conflicts: [] });
    expect((await api.list()).map((r) => [r.resource.name, r.source])).toEqual([['from-api', 'api']]);
  });
});
