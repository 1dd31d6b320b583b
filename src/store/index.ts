/**
 * The state store: what the runtime remembers between runs (the inventory, the last applied
 * and last good specs, and the intents a crash may leave pending).
 *
 * This is what other layers use; the rest of the folder (the journal, the snapshot codec,
 * the lock, the layout of the state directory) is the file store's own business.
 */

export {
  createFileStore,
  type FileStateStore,
  type FileStoreOptions,
  type FileStoreStats,
} from './file-store.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export {
  createReadOnlyStore,
  type ReadOnlyStateStore,
  type ReadOnlyStoreOptions,
} from './read-only-store.js';
export {
  type ObserveIntent,
  type RecoverySummary,
  resolvePendingIntents,
  type UnresolvedIntent,
} from './resolve-pending-intents.js';
export { parseStateKey, STATE_KEY_BYTES } from './seal.js';
export { specHash } from './spec-hash.js';
export type {
  Intent,
  IntentOp,
  IntentOutcome,
  IntentRequest,
  InventoryEntry,
  InventoryRecord,
  StateStore,
} from './state-store.js';
export { readStateDir, type StateView } from './state-view.js';
export { type LockHolder, StateCorruptError, StateLockedError } from './store-errors.js';
