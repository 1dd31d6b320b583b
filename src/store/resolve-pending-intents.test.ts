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
    expect(summary).toEqual({ adopted: 1, retried: 0, forgotten: 0 });
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
    });
    expect(store.get('user/alice')).toBe(entry);
    await store.close();
  });

  it('leaves a create whose object is absent to the actor, recording nothing', async () => {
    const store = await opened();
    await store.intend({ key: 'user/alice', op: 'create', spec: { role: 'admin' } });
    expect(await resolvePendingIntents(store, world())).toEqual({ adopted: 0, retried: 1, forgotten: 0 });
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
    const error = await resolvePendingIntents(store, observe).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    expect(String(error)).toContain(`create user/b (intent ${b.id})`);
    expect(store.get('user/a')).toBeDefined();
    expect(store.pendingIntents()).toEqual([b]);
    expect(await resolvePendingIntents(store, world('user/b'))).toEqual({
      adopted: 1,
      retried: 0,
      forgotten: 0,
    });
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
    expect(summary).toEqual({ adopted: 1, retried: 0, forgotten: 0 });
    expect(after.get('bucket/logs')).toMatchObject({ origin: 'created', lastApplied: { region: 'eu' } });
    await after.close();

    const again = createFileStore({ dir, clock: new TestClock() });
    await again.open();
    expect(again.pendingIntents()).toEqual([]);
    expect(again.get('bucket/logs')?.origin).toBe('created');
    await again.close();
  });
});
