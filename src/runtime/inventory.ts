import type { Logger } from 'pino';
import type { InventoryPort } from '../actors/ports.js';
import type { ResourceRecord } from '../actors/record.js';
import { sameSpec } from '../diff/compare.js';
import type { StateStore } from '../store/index.js';

/**
 * The actors' inventory port, on the state store: what this runtime created or adopted (only
 * those are ever deleted: the created ones, and the adopted ones under `pruneAdopted`), the
 * last-applied and last-good spec of each (for the three-way diff and rollback), and the
 * journal of intents written before every change, so a crash between "intend" and "done" is
 * found and resolved on the next start instead of leaking or duplicating an object.
 */
export class Inventory implements InventoryPort {
  constructor(
    private readonly store: StateStore,
    private readonly logger: Logger,
    private readonly policy: {
      readonly pruneAdopted: boolean;
      /** An object that existed was just taken into the inventory. */
      readonly adopted: (actor: ResourceRecord) => void;
    },
  ) {}

  manages(key: string): boolean {
    return this.store.get(key) !== undefined;
  }

  origin(key: string): 'created' | 'adopted' | undefined {
    return this.store.get(key)?.origin;
  }

  prunable(key: string): boolean {
    const origin = this.store.get(key)?.origin;
    return origin === 'created' || (origin === 'adopted' && this.policy.pruneAdopted);
  }

  forget(key: string): Promise<void> {
    return this.store.forget(key);
  }

  lastGood(key: string): Record<string, unknown> | undefined {
    return this.store.get(key)?.lastGood;
  }

  lastApplied(key: string): Record<string, unknown> | undefined {
    return this.store.get(key)?.lastApplied;
  }

  handle(key: string): string | undefined {
    return this.store.get(key)?.handle;
  }

  async journal<T>(
    actor: ResourceRecord,
    op: 'create' | 'update' | 'delete',
    spec: Record<string, unknown> | undefined,
    apply: () => Promise<T>,
    keep = false,
  ): Promise<T> {
    const store = this.store;
    // A delete carries the spec its object was found with, so recovery can look it up again
    // even once the entry is forgotten.
    const intended = spec ?? (op === 'delete' ? this.deleteSpec(actor) : undefined);
    const intent = await store.intend({ key: actor.key, op, ...(intended ? { spec: intended } : {}) });
    let result: T;
    try {
      result = await apply();
    } catch (error) {
      await store.settle(intent.id, 'failed');
      throw error;
    }
    if (op === 'delete') {
      if (!keep) await store.forget(actor.key);
    } else {
      const known = store.get(actor.key)?.origin;
      const origin = known ?? (op === 'create' ? 'created' : 'adopted');
      if (known === undefined && origin === 'adopted') this.policy.adopted(actor);
      // What the provider returned may name the object's server-assigned id; else what it observed.
      const handle = handleIn(actor, result) ?? handleIn(actor, actor.observed);
      await store.record({
        key: actor.key,
        kind: actor.kind,
        name: actor.name,
        origin,
        ...(spec ? { lastApplied: spec } : {}),
        generation: actor.generation,
        ...(handle ? { handle } : {}),
      });
    }
    await store.settle(intent.id, 'done');
    return result;
  }

  /** What a delete's object was found with: the desired spec of the actor, else the last applied. */
  private deleteSpec(actor: ResourceRecord): Record<string, unknown> | undefined {
    const spec = actor.desired?.spec;
    if (spec !== null && typeof spec === 'object') return spec as Record<string, unknown>;
    return this.store.get(actor.key)?.lastApplied;
  }

  /**
   * A pass found `actor` in sync: adopt it if this runtime did not create it (it existed and is
   * declared), with its spec as last applied, and, once an observation has `verified` it in sync
   * and healthy, keep its spec as last-good. A spec applied while rolled back is never last-good.
   */
  synced(actor: ResourceRecord, verified: boolean): void {
    const good = verified && !actor.rolledBack;
    const entry = this.store.get(actor.key);
    const handle = handleIn(actor, actor.observed);
    if (entry) {
      // The object's id changed (made again by someone else, found by name): remember the new one.
      if (handle !== undefined && handle !== entry.handle) {
        const { updatedAt: _, ...same } = entry;
        void this.store
          .record({ ...same, handle })
          .catch((error: unknown) => this.#failed(actor.kind, error));
      }
      if (good) this.markGood(actor);
      return;
    }
    const spec = actor.targetSpec();
    this.policy.adopted(actor);
    void this.store
      .record({
        key: actor.key,
        kind: actor.kind,
        name: actor.name,
        origin: 'adopted',
        lastApplied: spec,
        generation: actor.generation,
        ...(handle ? { handle } : {}),
      })
      .then(() => (good ? this.store.markGood(actor.key, spec) : undefined))
      .catch((error: unknown) => this.#failed(actor.kind, error));
  }

  /** A spec applied earlier is now seen in sync and healthy. */
  verified(actor: ResourceRecord): void {
    if (!actor.rolledBack) this.markGood(actor);
  }

  private markGood(actor: ResourceRecord): void {
    const spec = actor.targetSpec();
    const good = this.store.get(actor.key)?.lastGood;
    // Already the last-good spec (a fresh actor after a restart, a second sync): write nothing.
    if (good !== undefined && sameSpec(spec, good)) return;
    void this.store.markGood(actor.key, spec).catch((error: unknown) => this.#failed(actor.kind, error));
  }

  #failed(kind: string, error: unknown): void {
    this.logger.error({ kind, err: error }, 'state store write failed');
  }
}

/** The provider's own id in `value` (what a call returned, or observed), when its provider has ids. */
function handleIn(actor: ResourceRecord, value: unknown): string | undefined {
  const handleOf = actor.host.provider.handleOf;
  if (handleOf === undefined || value === null || typeof value !== 'object') return undefined;
  const handle = handleOf.call(actor.host.provider, value);
  return typeof handle === 'string' && handle !== '' ? handle : undefined;
}
