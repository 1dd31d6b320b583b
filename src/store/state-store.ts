/**
 * The state store: what the runtime remembers between runs.
 *
 * The world is the source of truth for what *exists*; the store is the source of truth for
 * what *this runtime is responsible for*. It keeps:
 *
 * - the **inventory**: every object the runtime created or adopted. Only these may ever be
 *   pruned, so a runtime never deletes what it does not own.
 * - per object, the **last applied** spec and its hash, and the **last good** spec (synced and
 *   healthy), which rollback re-applies when a new spec keeps failing.
 * - a **journal of intents**: before each create, update or delete the runtime writes what it
 *   is about to do, and settles it afterwards. An intent still pending at start-up means the
 *   process died in between; {@link resolvePendingIntents} looks at the world and resolves it,
 *   so a crash neither leaks an object (created but never recorded) nor duplicates one.
 *
 * The call sequence around every provider operation:
 *
 * ```ts
 * const intent = await store.intend({ key, op: 'create', spec }); // durable first
 * try {
 *   await provider.create(desired, ctx);
 * } catch (error) {
 *   await store.settle(intent.id, 'failed');
 *   throw error;
 * }
 * await store.record({ key, kind, name, origin: 'created', lastApplied: spec, generation });
 * await store.settle(intent.id, 'done');
 * ```
 *
 * Reads are synchronous and come from memory: a store holds the whole inventory once open.
 * Writes resolve once durable. Specs are stored as JSON: they are copied on the way in
 * (later changes to the caller's object do not leak in) and handed out frozen.
 */

/** One object the runtime owns. */
export interface InventoryEntry {
  /** `kind/name`. */
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  /** `created` by this runtime, or `adopted` (it existed and the runtime took it over). */
  readonly origin: 'created' | 'adopted';
  /** The spec last applied to the world. */
  readonly lastApplied?: Record<string, unknown>;
  /** {@link specHash} of `lastApplied`; computed by the store when not given. */
  readonly lastAppliedHash?: string;
  /** The last spec that was synced and healthy: the rollback target. */
  readonly lastGood?: Record<string, unknown>;
  /** The desired-state generation that was applied. */
  readonly generation?: number;
  /** The provider's own id for the object (a server-assigned id); kept when a record omits it. */
  readonly handle?: string;
  /** When the entry last changed, from the store's clock. */
  readonly updatedAt: number;
}

export type IntentOp = 'create' | 'update' | 'delete';

/** A provider operation about to happen, written down before it does. */
export interface Intent {
  /** Unique within the state; assigned by the store. */
  readonly id: string;
  readonly key: string;
  readonly op: IntentOp;
  /** The spec being applied. Required for `create` and `update`. */
  readonly spec?: Record<string, unknown>;
  /** When the intent was written, from the store's clock. */
  readonly at: number;
}

export type IntentOutcome = 'done' | 'failed';

/** What {@link StateStore.record} takes: an entry without its timestamp. */
export type InventoryRecord = Omit<InventoryEntry, 'updatedAt'>;

/** What {@link StateStore.intend} takes: an intent without its id and timestamp. */
export type IntentRequest = Omit<Intent, 'id' | 'at'>;

/**
 * The store's contract. Every backend (memory, files, a database) behaves the same way; the
 * shared behaviour suite in `src/store/state-store.test.ts` is the definition.
 *
 * | call | when the runtime calls it | what changes |
 * |---|---|---|
 * | `record` | after a successful create, update or adopt | the entry is replaced; `lastGood` and `handle` are kept when omitted |
 * | `markGood` | when the object is synced and healthy | the entry's `lastGood` (the key must be in the inventory) |
 * | `forget` | after a successful delete | the entry is removed (no-op if absent) |
 * | `intend` | before a provider create, update or delete | a pending intent is added; resolves once durable |
 * | `settle` | after that provider call, whatever its result | the intent is no longer pending |
 *
 * Writes before `open()` or after `close()` reject with a `TypeError`.
 */
export interface StateStore {
  /** Load the state and, for backends that have one, take the lock. */
  open(): Promise<void>;
  /** Flush everything and release the lock. Idempotent. The store can be opened again. */
  close(): Promise<void>;
  /** The whole inventory, by key. Synchronous, from memory. Do not mutate. */
  inventory(): ReadonlyMap<string, InventoryEntry>;
  get(key: string): InventoryEntry | undefined;
  record(entry: InventoryRecord): Promise<void>;
  markGood(key: string, spec: Record<string, unknown>): Promise<void>;
  forget(key: string): Promise<void>;
  /** Write an intent; resolves only once it is durable, so call the provider after. */
  intend(intent: IntentRequest): Promise<Intent>;
  settle(intentId: string, outcome: IntentOutcome): Promise<void>;
  /** Intents written and never settled, oldest first. Non-empty at start-up after a crash. */
  pendingIntents(): readonly Intent[];
}
