import type { Observed } from '../contract/provider.js';

/**
 * Events the resource machine understands. Only the actor's shell sends them: timers and
 * triggers become `TICK`, removal from the desired set becomes `DELETE`, and each provider
 * operation reports back exactly once with its outcome.
 */
export type ResourceEvent =
  /** Time to reconcile: the tick, a new generation, or an explicit `reconcile(key)`. */
  | { type: 'TICK' }
  /** The resource left the desired set. */
  | { type: 'DELETE' }
  /** `observe` finished; `observed` is `undefined` when the object is absent. */
  | { type: 'OBSERVED'; observed: Observed | undefined }
  /** The hibernated fast check observed and recorded a difference: plan from it. */
  | { type: 'ASSESSED' }
  /** The create / update / replace / restart finished. */
  | { type: 'APPLIED' }
  /** The desired spec changed while the apply waited for a slot: plan again. */
  | { type: 'SUPERSEDED' }
  /** The delete finished (or the object was already gone). */
  | { type: 'DELETED' }
  /** A provider operation failed (thrown, timed out, or rejected as permanent). */
  | { type: 'FAILED'; error: unknown };
