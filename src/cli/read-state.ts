import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJournal } from '../store/journal.js';
import { decodeSnapshot } from '../store/state-codec.js';
import type { Intent, InventoryEntry } from '../store/state-store.js';
import { type LockHolder, StateCorruptError } from '../store/store-errors.js';
import { applyChange, emptyState, type StoreState } from '../store/store-state.js';

export interface StateView {
  /** Whether the state directory holds any state yet. */
  readonly exists: boolean;
  /** The inventory, sorted by key. */
  readonly entries: InventoryEntry[];
  /** Intents written and never settled: a crash left them; the next start resolves them. */
  readonly pending: Intent[];
  /** Who holds the lock, when someone does. */
  readonly lock: LockHolder | undefined;
}

/**
 * Read a file store's state directory without opening it: no lock is taken and nothing is
 * written, so it works while a `setpoint run` holds the state. The snapshot is read, then the
 * journal replayed over it (a torn last line is ignored, as `open()` would).
 */
export async function readStateDir(dir: string): Promise<StateView> {
  const snapshotPath = join(dir, 'inventory.json');
  const journalPath = join(dir, 'journal.log');
  const snapshot = await readOrUndefined(snapshotPath);
  const journal = await readOrUndefined(journalPath);
  let state: StoreState = emptyState();
  if (snapshot !== undefined) {
    const decoded = decodeSnapshot(new TextDecoder().decode(snapshot));
    if (typeof decoded === 'string') throw new StateCorruptError(snapshotPath, decoded);
    state = decoded;
  }
  if (journal !== undefined) {
    for (const change of parseJournal(journal, journalPath).changes) applyChange(state, change);
  }
  const lock = await readOrUndefined(join(dir, 'lock'));
  return {
    exists: snapshot !== undefined || journal !== undefined,
    entries: [...state.entries.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    pending: [...state.pending.values()],
    lock: lock === undefined ? undefined : parseHolder(lock),
  };
}

async function readOrUndefined(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(bytes: Uint8Array): LockHolder | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LockHolder>;
    return typeof value.pid === 'number' ? (value as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}
