import { hostname } from 'node:os';
import { pidIsRunning, processStartTicks } from '../contract/process-identity.js';
import type { Clock } from '../time/clock.js';
import { createBackedStore } from './backed-store.js';
import { parseLockHolder } from './lock-file.js';
import { createSealer } from './seal.js';
import { checkStateDir, readStateKey, readStoredState, stateDirPaths } from './state-dir.js';
import type { StateStore } from './state-store.js';
import { type LockHolder, StateLockedError } from './store-errors.js';
import { nodeStoreFs, type StoreFs } from './store-fs.js';

export interface ReadOnlyStoreOptions {
  /** The state directory. It is never created, locked or written. */
  readonly dir: string;
  readonly clock: Clock;
  /** The state key, when one is given (`SETPOINT_STATE_KEY`); else `state.key` if it exists. */
  readonly key?: Uint8Array;
  /** The file operations to use. Default: the real file system. */
  readonly fs?: StoreFs;
  /** Called once the state is read: the secrets its seals held, and how many seals could not be opened. */
  readonly onOpen?: (info: { readonly secretsFound: readonly string[]; readonly sealsLost: number }) => void;
}

export interface ReadOnlyStateStore extends StateStore {
  readonly dir: string;
}

/**
 * A state store for looking only, as `setpoint plan` and `apply --dry-run` do: `open()` reads
 * the state exactly as the file store does, and the state directory stays byte for byte as it
 * was: nothing is created (not even the directory), no lock is taken, no key is made, the
 * journal is not compacted on `close()`, and a torn journal tail is ignored, not cut off.
 *
 * Seals are opened when a key is at hand (the one given, or an existing `state.key`), so the
 * secrets they hold can be redacted from what is printed; without a key they stay redacted.
 * Every write rejects: a runtime over this store can plan, never apply.
 *
 * The lock is not taken, but it is looked at: while a live process holds it, `open()` rejects
 * with {@link StateLockedError}, as the file store's would. That process is changing the world
 * and the state together, so a plan from what it last wrote could show as still to do what it
 * is doing right now (or a delete of what it just created); better no plan than a wrong one.
 * A lock its process left behind (the pid is gone, or reused by another program) is ignored.
 */
export function createReadOnlyStore(options: ReadOnlyStoreOptions): ReadOnlyStateStore {
  const { dir, clock } = options;
  checkStateDir(dir);
  const fs = options.fs ?? nodeStoreFs;
  const paths = stateDirPaths(dir);

  const refuse = (): Promise<never> =>
    Promise.reject(
      new Error(`the state in ${dir} was opened read-only (for a plan): nothing may be written to it`),
    );

  const store = createBackedStore(
    {
      async open() {
        const lock = await fs.readFile(paths.lock);
        if (lock !== undefined) {
          const holder = parseLockHolder(lock);
          if (holder === undefined || (await looksAlive(holder))) {
            throw new StateLockedError(dir, paths.lock, holder);
          }
        }
        const key = options.key ?? (await readStateKey(fs, paths));
        const sealer = createSealer(key, () => []);
        const stored = await readStoredState(fs, paths, sealer);
        options.onOpen?.({ secretsFound: sealer.found(), sealsLost: sealer.lost() });
        return stored.state;
      },
      persist: refuse,
      async close() {},
    },
    clock,
  );
  return { ...store, dir };
}

/**
 * Whether the process a lock names may still hold it: on another host it cannot be checked,
 * so yes; on this one, when its pid runs and (where the lock records it) is the same process.
 * This process holds no lock the read-only store would look at.
 */
async function looksAlive(holder: LockHolder): Promise<boolean> {
  if (holder.hostname !== hostname()) return true;
  if (holder.pid === process.pid || !pidIsRunning(holder.pid)) return false;
  if (holder.processStart === undefined) return true;
  const now = await processStartTicks(holder.pid);
  return now === undefined || now === holder.processStart;
}
