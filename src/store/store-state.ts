import type { Intent, IntentOutcome, InventoryEntry } from './state-store.js';

/**
 * The pure core every backend shares: the state held in memory and the changes that move it.
 *
 * A backend is this state plus a way to make each change durable. The file backend writes
 * changes as journal lines and replays them with {@link applyChange} on open; the memory
 * backend only applies them. Same changes, same state: that is why both pass one suite.
 */
export interface StoreState {
  readonly entries: Map<string, InventoryEntry>;
  /** Pending intents by id, in the order they were written. */
  readonly pending: Map<string, Intent>;
  /** The sequence number of the last change applied. */
  seq: number;
  /** The number the next intent id will carry. */
  nextIntent: number;
}

/**
 * One durable change, as the journal holds it. Each carries a sequence number, so a change
 * already folded into a snapshot is skipped on replay (a crash between writing a snapshot and
 * truncating the journal replays nothing twice).
 */
export type StoreChange =
  | { readonly seq: number; readonly t: 'record'; readonly entry: InventoryEntry }
  | {
      readonly seq: number;
      readonly t: 'good';
      readonly key: string;
      /** `undefined` only when read back from disk with seals that could not be opened: no target. */
      readonly spec: Record<string, unknown> | undefined;
      readonly at: number;
    }
  | { readonly seq: number; readonly t: 'forget'; readonly key: string }
  | { readonly seq: number; readonly t: 'intent'; readonly intent: Intent }
  | { readonly seq: number; readonly t: 'settle'; readonly id: string; readonly outcome: IntentOutcome };

export function emptyState(): StoreState {
  return { entries: new Map(), pending: new Map(), seq: 0, nextIntent: 1 };
}

/**
 * Fold one change into the state (in place: the state may hold 100,000 entries). A change
 * whose sequence number is not above the state's is already in it and is skipped.
 * Returns whether it was applied.
 */
export function applyChange(state: StoreState, change: StoreChange): boolean {
  if (change.seq <= state.seq) return false;
  state.seq = change.seq;
  switch (change.t) {
    case 'record':
      state.entries.set(change.entry.key, change.entry);
      break;
    case 'good': {
      const entry = state.entries.get(change.key);
      if (entry === undefined) break;
      state.entries.set(
        change.key,
        inventoryEntry({ ...entry, lastGood: change.spec, updatedAt: change.at }),
      );
      break;
    }
    case 'forget':
      state.entries.delete(change.key);
      break;
    case 'intent': {
      state.pending.set(change.intent.id, change.intent);
      // An id is a number, after the writer's prefix when several share a store (`a-17`).
      const n = Number(/(\d+)$/.exec(change.intent.id)?.[1]);
      if (Number.isSafeInteger(n) && n >= state.nextIntent) state.nextIntent = n + 1;
      break;
    }
    case 'settle':
      state.pending.delete(change.id);
      break;
  }
  return true;
}

/** Freeze a freshly parsed or copied JSON value, all the way down. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const field of Object.values(value)) deepFreeze(field);
  }
  return value;
}

/**
 * A frozen inventory entry with every field in place, in one order, `undefined` where absent. A
 * store holds one per resource, so its shape matters: an entry built field by field, by
 * spreading, in different orders, keeps its later fields in a second array (64 bytes more each).
 */
export function inventoryEntry(e: InventoryEntry): InventoryEntry {
  return Object.freeze({
    key: e.key,
    kind: e.kind,
    name: e.name,
    origin: e.origin,
    lastApplied: e.lastApplied,
    lastAppliedHash: e.lastAppliedHash,
    lastGood: e.lastGood,
    generation: e.generation,
    handle: e.handle,
    updatedAt: e.updatedAt,
  });
}
