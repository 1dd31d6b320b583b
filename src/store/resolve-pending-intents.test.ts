import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidOfExitedProcess } from '../../test/helpers/exited-pid.js';
import { TestClock } from '../time/test-clock.js';
import { createFileStore } from './file-store.js';
import { createMemoryStore } from './memory-store.js';
import { resolvePendingIntents } from './resolve-pending-intents.js';
import { specHash } from './spec-hash.js';
import type { Intent, StateStore } from './state-store.js';
import { nodeStoreFs, type StoreFile, type StoreFs } from './store-fs.js';

let base = '';
let deadPid = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'setpoint-recovery-'));
  deadPid = await pidOfExitedProcess();
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

let dirs = 0;
const backends: [string, (clock: TestClock) => StateStore][] = [
  ['memory', (clock) => createMemoryStore({ clock })],
  ['file', (clock) => createFileStore({ dir: join(base, `state-${dirs++}`), clock })],
];

/** A world that answers `observe` from a set of keys that exist. */
const world =
  (...present: string[]) =>
  async (intent: Intent) =>
    present.includes(intent.key) ? ('present' as const) : ('absent' as const);

describe.each(backends)('resolving pending intents on the %s store', (_name, make) => {
  async function opened(): Promise<StateStore> {
    const store = make(new TestClock({ start: 42 }));
    await store.open();
    return store;
  }

  it('adopts a create whose object exists, as created, with the intended spec', async () => {
    const store = await opened();
    await store.intend({ key: 'user/alice', op: 'create', spec: { role: 'admin' } });
    const summary = await resolvePendingIntents(store, world('user/alice'));
    expect(summary).toEqual({ adopted: 1, retried: 0, forgotten: 0, unresolved: [] });
    expect(store.get('user/alice')).toEqual({
      key: 'user/alice',
      kind: 'user',
      name: 'alice',
      origin: 'created',
      lastApplied: { role: 'admin' },
      lastAppliedHash: specHash({ role: 'admin' }),
      updatedAt: 42,
    });
    expect(store.pendingIntents()).toEqual([]);
    await store.close();
  });

  it('keeps the entry a create already recorded before the crash', async () => {
    const store = await opened();
    const intent = await store.intend({ key: 'user/alice', op: 'create', spec: { role: 'admin' } });
    await store.record({
      key: 'user/alice',
      kind: 'user',
      name: 'alice',
      origin: 'created',
      lastApplied: intent.spec,
      generation: 4,
    });
    const entry = store.get('user/alice');
    expect(await resolvePendingIntents(store, world('user/alice'))).toEqual({
      adopted: 1,
      retried: 0,
      forgotten: 0,
      unresolved: [],
    });
    expect(store.get('user/alice')).toBe(entry);
    await store.close();
  });

  it('leaves a create whose object is absent to the actor, recording nothing', async () => {
    const store = await opened();
    await store.intend({ key: 'user/alice', op: 'create', spec: { role: 'admin' } });
    expect(await resolvePendingIntents(store, world())).toEqual({
      adopted: 0,
      retried: 1,
      forgotten: 0,
      unresolved: [],
    });
    expect(store.get('user/alice')).toBeUndefined();
    expect(store.pendingIntents()).toEqual([]);
    await store.close();
  });

  it('forgets a delete whose object is gone, and keeps one whose object is still there', async () => {
    const store = await opened();
    for (const name of ['gone', 'still']) {
      await store.record({ key: `user/${name}`, kind: 'user', name, origin: 'adopted' });
      await store.intend({ key: `user/${name}`, op: 'delete' });
    }
    expect(await resolvePendingIntents(store, world('user/still'))).toEqual({
      adopted: 0,
      retried: 1,
      forgotten: 1,
      unresolved: [],
    });
    expect([...store.inventory().keys()]).toEqual(['user/still']);
    expect(store.pendingIntents()).toEqual([]);
    await store.close();
  });

  it('leaves an update to the actor whether or not the object exists', async () => {
    const store = await opened();
    await store.record({ key: 'user/a', kind: 'user', name: 'a', origin: 'created', lastApplied: { v: 1 } });
    await store.intend({ key: 'user/a', op: 'update', spec: { v: 2 } });
    await store.intend({ key: 'user/b', op: 'update', spec: { v: 2 } });
    expect(await resolvePendingIntents(store, world('user/a'))).toEqual({
      adopted: 0,
      retried: 2,
      forgotten: 0,
      unresolved: [],
    });
    expect(store.get('user/a')?.lastApplied).toEqual({ v: 1 });
    await store.close();
  });

  it('resolves what it can when observe fails, keeps the rest pending, and says which', async () => {
    const store = await opened();
    await store.intend({ key: 'user/a', op: 'create', spec: {} });
    const b = await store.intend({ key: 'user/b', op: 'create', spec: {} });
    const observe = async (intent: Intent) => {
      if (intent.key === 'user/b') throw new Error('connection refused');
      return 'present' as const;
    };
    expect(await resolvePendingIntents(store, observe)).toEqual({
      adopted: 1,
      retried: 0,
      forgotten: 0,
      unresolved: [{ id: b.id, op: 'create', key: 'user/b', reason: 'connection refused' }],
    });
    expect(store.get('user/a')).toBeDefined();
    expect(store.pendingIntents()).toEqual([b]);
    expect(await resolvePendingIntents(store, world('user/b'))).toEqual({
      adopted: 1,
      retried: 0,
      forgotten: 0,
      unresolved: [],
    });
    await store.close();
  });

  it('settles a delete written without a spec whose entry was already forgotten, observing nothing', async () => {
    const store = await opened();
    await store.intend({ key: 'user/gone', op: 'delete' });
    const observe = async (): Promise<'present'> => {
      throw new Error('must not be observed: nothing says where it was');
    };
    expect(await resolvePendingIntents(store, observe)).toEqual({
      adopted: 0,
      retried: 0,
      forgotten: 1,
      unresolved: [],
    });
    expect(store.pendingIntents()).toEqual([]);
    await store.close();
  });

  it('forgets a delete with a spec whose entry was already forgotten and whose object is gone', async () => {
    const store = await opened();
    await store.intend({ key: 'user/gone', op: 'delete', spec: { role: 'dev' } });
    const seen: Intent[] = [];
    const summary = await resolvePendingIntents(store, async (intent) => {
      seen.push(intent);
      return 'absent';
    });
    expect(summary).toEqual({ adopted: 0, retried: 0, forgotten: 1, unresolved: [] });
    expect(seen.map((i) => i.spec)).toEqual([{ role: 'dev' }]);
    expect(store.inventory().size).toBe(0);
    expect(store.pendingIntents()).toEqual([]);
    await store.close();
  });

  it('puts back the entry of a delete whose object is still there after the entry was forgotten', async () => {
    const store = await opened();
    await store.intend({ key: 'user/still', op: 'delete', spec: { role: 'dev' } });
    expect(await resolvePendingIntents(store, world('user/still'))).toEqual({
      adopted: 0,
      retried: 1,
      forgotten: 0,
      unresolved: [],
    });
    expect(store.get('user/still')).toMatchObject({ origin: 'created', lastApplied: { role: 'dev' } });
    expect(store.pendingIntents()).toEqual([]);
    await store.close();
  });

  it('leaves pending, without rejecting, an intent whose observe answers nonsense', async () => {
    const store = await opened();
    const a = await store.intend({ key: 'user/a', op: 'update', spec: {} });
    const summary = await resolvePendingIntents(store, async () => 'maybe' as 'present');
    expect(summary.unresolved.map((u) => u.id)).toEqual([a.id]);
    expect(store.pendingIntents()).toEqual([a]);
    await store.close();
  });
});

describe('a runtime killed between create and record', () => {
  it('finds the object on restart and owns it, instead of leaking or creating it twice', async () => {
    const dir = join(base, 'killed');
    const exists = new Set<string>();
    const files = new Set<StoreFile>();
    const fs: StoreFs = {
      ...nodeStoreFs,
      open: async (path, flags) => {
        const file = await nodeStoreFs.open(path, flags);
        files.add(file);
        return file;
      },
    };
    const before = createFileStore({ dir, clock: new TestClock(), pid: deadPid, fs });
    await before.open();
    await before.intend({ key: 'bucket/logs', op: 'create', spec: { region: 'eu' } });
    exists.add('bucket/logs'); // the provider created it ...
    await Promise.all([...files].map((file) => file.close())); // ... and the process died

    const after = createFileStore({ dir, clock: new TestClock() });
    await after.open();
    expect(after.pendingIntents()).toHaveLength(1);
    const summary = await resolvePendingIntents(after, async (intent) =>
      exists.has(intent.key) ? 'present' : 'absent',
    );
    expect(summary).toEqual({ adopted: 1, retried: 0, forgotten: 0, unresolved: [] });
    expect(after.get('bucket/logs')).toMatchObject({ origin: 'created', lastApplied: { region: 'eu' } });
    await after.close();

    const again = createFileStore({ dir, clock: new TestClock() });
    await again.open();
    expect(again.pendingIntents()).toEqual([]);
    expect(again.get('bucket/logs')?.origin).toBe('created');
    await again.close();
  });
});
