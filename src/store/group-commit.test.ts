import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempStateDirs } from '../../test/helpers/state-dirs.js';
import { TestClock } from '../time/test-clock.js';
import { createFileStore, type FileStoreOptions } from './file-store.js';
import { nodeStoreFs, type StoreFs } from './store-fs.js';

// Group commit, seen from outside: count the fsyncs the real file system is asked for.

const stateDir = tempStateDirs('setpoint-group-commit-');

function fileStore(dir: string, options: Partial<FileStoreOptions> = {}) {
  return createFileStore({ dir, clock: new TestClock(), ...options });
}

const alice = { key: 'user/alice', kind: 'user', name: 'alice', origin: 'created' as const };
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('group commit', () => {
  function countingFs(): { fs: StoreFs; syncs: () => number } {
    let syncs = 0;
    const fs: StoreFs = {
      ...nodeStoreFs,
      open: async (path, flags) => {
        const file = await nodeStoreFs.open(path, flags);
        return {
          ...file,
          sync: async () => {
            syncs++;
            await file.sync();
          },
        };
      },
    };
    return { fs, syncs: () => syncs };
  }

  it('makes 1,000 concurrent intents durable with a handful of fsyncs', async () => {
    const dir = await stateDir();
    const { fs, syncs } = countingFs();
    const store = fileStore(dir, { fs });
    await store.open();
    const before = syncs();
    const intents = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => store.intend({ key: `user/u${i}`, op: 'create', spec: { i } })),
    );
    expect(syncs() - before).toBeLessThanOrEqual(2);
    expect(store.stats().journalWrites).toBeLessThanOrEqual(2);
    expect(new Set(intents.map((intent) => intent.id)).size).toBe(1000);
    await store.close();
  });

  it('still fsyncs once per write when writes come one after another', async () => {
    const dir = await stateDir();
    const { fs, syncs } = countingFs();
    const store = fileStore(dir, { fs });
    await store.open();
    const before = syncs();
    for (let i = 0; i < 20; i++) await store.intend({ key: `user/u${i}`, op: 'delete' });
    expect(syncs() - before).toBe(20);
    await store.close();
  });

  it('resolves an intent only after its fsync has completed', async () => {
    const dir = await stateDir();
    let release: () => void = () => {};
    let gate: Promise<void> | undefined;
    const fs: StoreFs = {
      ...nodeStoreFs,
      open: async (path, flags) => {
        const file = await nodeStoreFs.open(path, flags);
        return {
          ...file,
          sync: async () => {
            await gate;
            await file.sync();
          },
        };
      },
    };
    const store = fileStore(dir, { fs });
    await store.open();
    gate = new Promise((resolve) => {
      release = resolve;
    });
    let resolved = false;
    const pending = store.intend({ key: 'user/a', op: 'delete' }).then(() => {
      resolved = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(false);
    release();
    await pending;
    expect(resolved).toBe(true);
    gate = undefined;
    await store.close();
  });

  it('rejects the failed write and every later one, and can be reopened', async () => {
    const dir = await stateDir();
    let broken = false;
    const fs: StoreFs = {
      ...nodeStoreFs,
      open: async (path, flags) => {
        const file = await nodeStoreFs.open(path, flags);
        return {
          ...file,
          write: async (data) => {
            if (broken) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
            await file.write(data);
          },
        };
      },
    };
    const store = fileStore(dir, { fs });
    await store.open();
    await store.record(alice);
    broken = true;
    await expect(store.intend({ key: 'user/a', op: 'delete' })).rejects.toThrow(/no space left/);
    await expect(store.forget('user/alice')).rejects.toThrow(/stopped after a failed write/);
    await expect(store.close()).rejects.toThrow(/stopped after a failed write/);
    expect(await exists(join(dir, 'lock'))).toBe(false);
    broken = false;
    await store.open();
    expect(store.get('user/alice')).toBeDefined();
    await store.close();
  });
});
