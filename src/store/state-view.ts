import { parseLockHolder } from './lock-file.js';
import { checkStateDir, readStoredState, stateDirPaths } from './state-dir.js';
import type { Intent, InventoryEntry } from './state-store.js';
import type { LockHolder } from './store-errors.js';
import { nodeStoreFs } from './store-fs.js';

/** A state directory as {@link readStateDir} found it. */
export interface StateView {
  /** Whether the state directory holds any state yet. */
  readonly exists: boolean;
  /** The inventory, sorted by key. */
  readonly entries: InventoryEntry[];
  /** Intents written and never settled: a crash left them; the next start resolves them. */
  readonly pending: Intent[];
  /** Who holds the lock, when someone does (and the lock file names them). */
  readonly lock: LockHolder | undefined;
}

/**
 * Read a file store's state directory without opening it: no lock is taken and nothing is
 * written, so it works while another process (a `setpoint run`) holds the state. The snapshot
 * is read and the journal replayed over it exactly as the file store's `open()` does; a torn
 * last line is ignored, not cut off.
 *
 * ```ts
 * const view = await readStateDir('.setpoint');
 * if (view.lock) console.log(`in use by pid ${view.lock.pid}`);
 * ```
 *
 * Rejects with `StateCorruptError` when a file is damaged in a way a crash cannot explain.
 */
export async function readStateDir(dir: string): Promise<StateView> {
  checkStateDir(dir);
  const paths = stateDirPaths(dir);
  const { state, hasSnapshot, hasJournal } = await readStoredState(nodeStoreFs, paths);
  const lock = await nodeStoreFs.readFile(paths.lock);
  return {
    exists: hasSnapshot || hasJournal,
    entries: [...state.entries.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    pending: [...state.pending.values()],
    lock: lock === undefined ? undefined : parseLockHolder(lock),
  };
}
