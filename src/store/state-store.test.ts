import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freshDatabase, startTestCluster, type TestCluster } from '../../test/helpers/postgres.js';
import { TestClock } from '../time/test-clock.js';
import { createFileStore } from './file-store.js';
import { createMemoryStore } from './memory-store.js';
import { createPostgresStore } from './pg/postgres-store.js';
import { specHash } from './spec-hash.js';
import type { StateStore } from './state-store.js';

// One behaviour suite, run on every backend: this is what "a state store" means.

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

// PostgreSQL: one throwaway cluster for the file, started on first use; a database per store.
let cluster: Promise<TestCluster> | undefined;
const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end()));
  (await cluster)?.stop();
});

async function postgresStore(clock: TestClock): Promise<StateStore> {
  cluster ??= startTestCluster();
  const client = new pg.Client({ connectionString: await freshDatabase(await cluster, 'store') });
  await client.connect();
  clients.push(client);
  return createPostgresStore({ client, clock, shards: 4 });
}

const backends: [string, (clock: TestClock) => Promise<StateStore>][] = [
  ['postgres', postgresStore],
  ['memory', async (clock) => createMemoryStore({ clock })],
  [
    'file',
    async (clock) => {
      const dir = await mkdtemp(join(tmpdir(), 'setpoint-store-'));
      dirs.push(dir);
      return createFileStore({ dir: join(dir, 'state'), clock });
    },
  ],
];

describe.each(backends)('the %s state store', (_name, make) => {
  async function opened(start = 1000): Promise<{ store: StateStore; clock: TestClock }> {
    const clock = new TestClock({ start });
    const store = await make(clock);
    await store.open();
    return { store, clock };
  }

  const alice = { key: 'user/alice', kind: 'user', name: 'alice', origin: 'created' as const };

  it('starts empty', async () => {
    const { store } = await opened();
    expect(store.inventory().size).toBe(0);
    expect(store.pendingIntents()).toEqual([]);
    await store.close();
  });

  it('records an entry, stamps it with the clock and hashes its last applied spec', async () => {
    const { store, clock } = await opened(5000);
    await clock.advance(250);
    await store.record({ ...alice, lastApplied: { role: 'admin' }, generation: 3 });
    expect(store.get('user/alice')).toEqual({
      ...alice,
      lastApplied: { role: 'admin' },
      lastAppliedHash: specHash({ role: 'admin' }),
      generation: 3,
      updatedAt: 5250,
    });
    expect([...store.inventory().keys()]).toEqual(['user/alice']);
    await store.close();
  });

  it('keeps a hash the caller computed', async () => {
    const { store } = await opened();
    await store.record({ ...alice, lastApplied: { role: 'admin' }, lastAppliedHash: 'custom' });
    expect(store.get('user/alice')?.lastAppliedHash).toBe('custom');
    await store.close();
  });

  it('keeps the last good spec when a later record does not mention it', async () => {
    const { store } = await opened();
    await store.record({ ...alice, lastApplied: { role: 'admin' } });
    await store.markGood('user/alice', { role: 'admin' });
    await store.record({ ...alice, lastApplied: { role: 'root' } });
    expect(store.get('user/alice')?.lastGood).toEqual({ role: 'admin' });
    expect(store.get('user/alice')?.lastApplied).toEqual({ role: 'root' });
    await store.record({ ...alice, lastGood: { role: 'viewer' } });
    expect(store.get('user/alice')?.lastGood).toEqual({ role: 'viewer' });
    await store.close();
  });

  it('marks a spec good with the time it was marked', async () => {
    const { store, clock } = await opened(0);
    await store.record(alice);
    await clock.advance(700);
    await store.markGood('user/alice', { role: 'admin' });
    expect(store.get('user/alice')).toMatchObject({ lastGood: { role: 'admin' }, updatedAt: 700 });
    await store.close();
  });

  it('refuses to mark good a key that is not in the inventory', async () => {
    const { store } = await opened();
    await expect(store.markGood('user/nobody', {})).rejects.toThrow(/user\/nobody.*not in the inventory/);
    await store.close();
  });

  it('forgets an entry, and forgetting an unknown key changes nothing', async () => {
    const { store } = await opened();
    await store.record(alice);
    await store.record({ ...alice, key: 'user/bob', name: 'bob' });
    await store.forget('user/alice');
    await store.forget('user/nobody');
    expect([...store.inventory().keys()]).toEqual(['user/bob']);
    await store.close();
  });

  it('writes intents with distinct ids and the time, and lists the unsettled ones oldest first', async () => {
    const { store, clock } = await opened(100);
    const a = await store.intend({ key: 'user/a', op: 'create', spec: { x: 1 } });
    await clock.advance(10);
    const b = await store.intend({ key: 'user/b', op: 'delete' });
    const c = await store.intend({ key: 'user/c', op: 'update', spec: { y: 2 } });
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(a).toEqual({ id: a.id, key: 'user/a', op: 'create', spec: { x: 1 }, at: 100 });
    expect(b.at).toBe(110);
    await store.settle(b.id, 'done');
    expect(store.pendingIntents()).toEqual([a, c]);
    await store.settle(a.id, 'failed');
    await store.settle(c.id, 'done');
    expect(store.pendingIntents()).toEqual([]);
    await store.close();
  });

  it('never reuses an intent id, even after close and open', async () => {
    const { store } = await opened();
    const first = await store.intend({ key: 'user/a', op: 'delete' });
    await store.settle(first.id, 'done');
    await store.close();
    await store.open();
    const second = await store.intend({ key: 'user/a', op: 'delete' });
    expect(second.id).not.toBe(first.id);
    await store.close();
  });

  it('refuses to settle an intent that is not pending', async () => {
    const { store } = await opened();
    const intent = await store.intend({ key: 'user/a', op: 'delete' });
    await store.settle(intent.id, 'done');
    await expect(store.settle(intent.id, 'done')).rejects.toThrow(TypeError);
    await expect(store.settle('no-such-id', 'done')).rejects.toThrow(/no-such-id/);
    await store.close();
  });

  it("keeps the provider's handle when a later record does not mention it, and takes a new one", async () => {
    const { store } = await opened();
    await store.record({ ...alice, lastApplied: { role: 'admin' }, handle: '17' });
    await store.record({ ...alice, lastApplied: { role: 'root' } });
    expect(store.get('user/alice')?.handle).toBe('17');
    await store.record({ ...alice, lastApplied: { role: 'root' }, handle: '18' });
    expect(store.get('user/alice')?.handle).toBe('18');
    await expect(store.record({ ...alice, handle: '' })).rejects.toThrow(/`handle` to be a non-empty string/);
    await store.close();
  });

  it('keeps everything across close and open', async () => {
    const { store } = await opened();
    await store.record({ ...alice, lastApplied: { role: 'admin' }, generation: 2, handle: 'a-1' });
    await store.markGood('user/alice', { role: 'admin' });
    const pending = await store.intend({ key: 'user/bob', op: 'create', spec: { role: 'viewer' } });
    const before = new Map(store.inventory());
    await store.close();
    await store.open();
    expect(new Map(store.inventory())).toEqual(before);
    expect(store.pendingIntents()).toEqual([pending]);
    await store.close();
  });

  it('stores a copy of each spec: later changes to the caller object do not leak in', async () => {
    const { store } = await opened();
    const spec = { role: 'admin', tags: ['a'] };
    await store.record({ ...alice, lastApplied: spec });
    spec.role = 'root';
    spec.tags.push('b');
    expect(store.get('user/alice')?.lastApplied).toEqual({ role: 'admin', tags: ['a'] });
    await store.close();
  });

  it('hands out frozen entries, intents and specs', async () => {
    const { store } = await opened();
    await store.record({ ...alice, lastApplied: { nested: { n: 1 } } });
    const intent = await store.intend({ key: 'user/a', op: 'create', spec: { x: { y: 1 } } });
    const entry = store.get('user/alice')!;
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry.lastApplied?.nested)).toBe(true);
    expect(Object.isFrozen(intent)).toBe(true);
    expect(Object.isFrozen(intent.spec?.x)).toBe(true);
    await store.close();
  });

  it('rejects writes before open and after close', async () => {
    const store = await make(new TestClock());
    await expect(store.record(alice)).rejects.toThrow(/await `open\(\)` first/);
    await store.open();
    await store.close();
    await expect(store.intend({ key: 'user/a', op: 'delete' })).rejects.toThrow(TypeError);
    await store.close(); // idempotent
  });

  it('rejects misuse with a TypeError naming the option and the value', async () => {
    const { store } = await opened();
    const bad = (entry: object) => store.record(entry as Parameters<StateStore['record']>[0]);
    await expect(bad({ ...alice, key: 'user/bob' })).rejects.toThrow(
      /`key` to be `user\/alice`.*got `user\/bob`/,
    );
    await expect(bad({ ...alice, origin: 'found' })).rejects.toThrow(
      /`origin`.*'created' or 'adopted'.*`found`/,
    );
    await expect(bad({ ...alice, lastApplied: [1] })).rejects.toThrow(/`lastApplied`.*plain object/);
    await expect(bad({ ...alice, generation: Number.NaN })).rejects.toThrow(/`generation`/);
    const intend = (request: object) => store.intend(request as Parameters<StateStore['intend']>[0]);
    await expect(intend({ key: 'user/a', op: 'patch' })).rejects.toThrow(
      /`op`.*'create', 'update' or 'delete'.*`patch`/,
    );
    await expect(intend({ key: 'user/a', op: 'create' })).rejects.toThrow(/`spec`/);
    await expect(intend({ key: 'nokind', op: 'delete' })).rejects.toThrow(/`key`.*kind\/name.*`nokind`/);
    await expect(store.settle('1', 'maybe' as 'done')).rejects.toThrow(/`outcome`/);
    // Nothing was changed by any of them.
    expect(store.inventory().size).toBe(0);
    expect(store.pendingIntents()).toEqual([]);
    await store.close();
  });

  it('refuses to open twice', async () => {
    const { store } = await opened();
    await expect(store.open()).rejects.toThrow(/already open/);
    await store.close();
  });
});
