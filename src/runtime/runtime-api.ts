import type { ResourceStatus } from '../actors/status.js';
import type { Resource } from '../contract/resource.js';
import type { DesiredChange } from '../diff/desired-change.js';
import type { Plan } from '../diff/plan.js';
import type { StateStore } from '../store/index.js';
import type { SupervisorTree } from '../supervisor/index.js';
import type { HeldDeletion } from './deletion-budget.js';
import type { SetDesiredResult } from './desired-table.js';
import type { RuntimeEvents } from './events.js';
import type { RuntimeMetrics } from './metrics.js';

/** What a runtime answers to: the interface `createRuntime` returns (see `runtime.ts`). */
export type RuntimeState = 'new' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface Runtime {
  start(): Promise<void>;
  /**
   * Replace the whole desired set. Invalid sets are rejected whole, with every error. Handing
   * over the same array again with a few resources replaced (the others the same objects, at
   * the same places) costs what was replaced, not the set's size.
   */
  setDesired(resources: readonly Resource[]): SetDesiredResult;
  /**
   * Change part of the desired set: add or replace `set`, take out `remove` (keys). Checked by
   * the same rules as a whole set, at a cost that does not grow with its size: for a process
   * holding many resources and changing a few at a time. Rejected whole, with every error.
   */
  updateDesired(change: DesiredChange): SetDesiredResult;
  /** Reconcile one resource now. Returns false for an unknown key. */
  reconcile(key: string): boolean;
  /**
   * `owns` answers differently now: start actors for the keys this runtime gained, stop those
   * of the keys it lost (deleting nothing). Returns how many of each.
   */
  ownershipChanged(): { started: number; stopped: number };
  /**
   * Resolves once every actor stopped so far without deleting (keys no longer owned, keys
   * released) has finished the operation it had in flight: before another instance may take
   * the keys over.
   */
  released(): Promise<void>;
  /**
   * Settle the pending intents of the keys `only` picks (and no actor here runs) as a start
   * does: for keys just gained from another instance, whose last operation may not have been
   * recorded. Call it after the store has read what the other instance wrote, and before
   * `ownershipChanged()` starts their actors. Resolves with how many are left pending.
   */
  recoverIntents(only: (key: string) => boolean): Promise<number>;
  status(): ResourceStatus[];
  status(key: string): ResourceStatus | undefined;
  /** Observe everything once and return what would change. */
  plan(): Promise<Plan>;
  /**
   * Resolves once every resource of the current desired set has finished a pass at its
   * current generation — in sync, failed and backing off, Degraded, waiting for a dependency —
   * and every resource that left it is deleted (or blocked, or held by the deletion budget).
   * The outcome is in `status()`.
   * For scripts and tests; a long-running process just lets the runtime run.
   */
  settled(): Promise<void>;
  on<E extends keyof RuntimeEvents>(event: E, fn: RuntimeEvents[E]): () => void;
  /**
   * Deletes held by the deletion budget: resources that left the desired set and are kept,
   * as they are, until approved. Their status says so (`Synced` false, reason `DeletionHeld`).
   */
  heldDeletions(): HeldDeletion[];
  /**
   * Let held deletes go ahead: those of `keys` (default: all). Returns the keys approved; keys
   * not held are ignored. Dependents are still deleted before what they depend on.
   */
  approveDeletions(keys?: readonly string[]): string[];
  /** The supervision tree, as data. */
  tree(): SupervisorTree | undefined;
  /**
   * Where the runtime is in its life. `failed`: the root supervisor gave up (`runtime:failed`);
   * nothing reconciles any more, and `status()` shows each resource as it was last seen.
   */
  readonly state: RuntimeState;
  readonly metrics: RuntimeMetrics;
  readonly store: StateStore;
  /** Graceful: in-flight operations finish or are aborted at the shutdown timeout. */
  stop(): Promise<void>;
}
