import { keyOf, type Resource } from '../contract/resource.js';
import type { ResourceStatus } from '../runtime/index.js';

export interface ApplyFailure {
  readonly key: string;
  readonly reason: string;
}

/** Where one `apply` stands: every key in exactly one of the four lists. */
export interface ApplyVerdict {
  /** Desired and in sync. */
  readonly synced: readonly string[];
  /** Gave up: Degraded, out of sync by policy, or a delete that failed for good or too often. */
  readonly failed: readonly ApplyFailure[];
  /** Waiting on a dependency that failed or is itself blocked: will not move on its own. */
  readonly blocked: readonly ApplyFailure[];
  /** Still working: observing, applying, backing off, waiting on a working dependency, deleting. */
  readonly pending: readonly string[];
  /** Nothing is pending: the pass is over, successful or not. */
  readonly done: boolean;
  /** The first dependency wave that is not wholly in sync (`waves.length` when all are). */
  readonly wave: number;
}

export interface ApplyState {
  /** The desired set. */
  readonly desired: readonly Resource[];
  /** Its dependency waves (`orderByDependencies(desired).waves`). */
  readonly waves: readonly (readonly string[])[];
  /** Managed resources being pruned. */
  readonly pruning: readonly string[];
  /** The runtime's status of a key; `undefined` when it has no actor (not started, or gone). */
  readonly status: (key: string) => ResourceStatus | undefined;
  /** Failures before a delete counts as given up (deletes are never Degraded). */
  readonly maxRetries: number;
}

/**
 * Judge one convergence pass from the runtime's status. Pure: the same statuses give the same
 * verdict. `apply` asks after every event and stops when `done`.
 *
 * A desired resource is pending until it is Ready (`synced`) or gives up (`degraded`, or
 * `outOfSync` when the drift policy only reports). One that is `waiting` is blocked when a
 * dependency failed or is blocked, which the waves let us decide in a single pass. A pruned
 * resource is pending until it is gone, or until its delete failed permanently (no retry is
 * scheduled) or `maxRetries` times.
 */
export function judgeApply(state: ApplyState): ApplyVerdict {
  const synced: string[] = [];
  const failed: ApplyFailure[] = [];
  const blocked: ApplyFailure[] = [];
  const pending: string[] = [];
  const stuck = new Map<string, string>(); // key -> the failed key at the root of it
  const byKey = new Map(state.desired.map((r) => [keyOf(r), r]));
  let wave = state.waves.length;

  state.waves.forEach((keys, index) => {
    for (const key of keys) {
      const status = state.status(key);
      const phase = status?.phase;
      if (phase === 'synced') {
        synced.push(key);
        continue;
      }
      wave = Math.min(wave, index);
      if (phase === 'degraded' || phase === 'outOfSync') {
        const reason =
          phase === 'degraded'
            ? (status?.lastError ?? 'retries exhausted')
            : 'out of sync, and its drift policy only reports';
        failed.push({ key, reason });
        stuck.set(key, key);
        continue;
      }
      const cause =
        phase === 'waiting'
          ? (byKey.get(key)?.dependsOn ?? []).map((dep) => stuck.get(dep)).find((root) => root !== undefined)
          : undefined;
      if (cause !== undefined) {
        blocked.push({ key, reason: `waits for ${cause}, which failed` });
        stuck.set(key, cause);
      } else {
        pending.push(key);
      }
    }
  });

  for (const key of state.pruning) {
    const status = state.status(key);
    if (status === undefined) continue; // deleted
    const gaveUp =
      status.phase === 'deleteBackoff' &&
      status.lastError !== undefined &&
      status.nextReconcileAt === undefined;
    if (gaveUp || (status.attempts >= state.maxRetries && status.lastError !== undefined)) {
      failed.push({ key, reason: `delete: ${status.lastError}` });
    } else {
      pending.push(key);
    }
  }
  return { synced, failed, blocked, pending, done: pending.length === 0, wave };
}
