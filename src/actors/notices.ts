import type { DriftPolicy } from '../contract/resource.js';
import type { PlannedAction } from '../diff/plan.js';

/**
 * What a resource actor tells its host. The actor decides; the host (the runtime) turns each
 * notice into its side effects: events, metrics, inventory writes, waking dependents.
 */
export type ActorNotice =
  | { type: 'pass-start' }
  | { type: 'pass-done'; result: PassResult; durationMs: number }
  | {
      type: 'applied';
      action: AppliedAction;
      durationMs: number;
      spec: Record<string, unknown>;
    }
  | FailedNotice
  | { type: 'synced'; recovered: boolean; verified: boolean }
  /** A spec applied earlier is now seen in sync and healthy: it is last-good. */
  | { type: 'verified' }
  | { type: 'drift'; policy: DriftPolicy; changes: number }
  | { type: 'degraded'; reason: string; rollback: boolean }
  /** The object is unhealthy, or still progressing past its deadline: a failed attempt. */
  | { type: 'unhealthy'; reason: 'unhealthy' | 'progress-deadline'; attempt: number; restart: boolean }
  /** Applied more than the hot-loop limit at one generation: applies are throttled from now. */
  | { type: 'hot-loop'; applies: number; sinceMs: number; fields: readonly string[] }
  | { type: 'hot-loop-ended'; applies: number }
  | { type: 'planned'; action: PlannedAction }
  | { type: 'deleted' }
  | { type: 'crashed'; error: unknown };

/**
 * What an applied change did to the world. An adoption that changes fields is an `update`; the
 * adoption itself is told by the inventory (`resource:adopted`).
 */
export type AppliedAction = Exclude<PlannedAction['action'], 'adopt'> | 'restart';

export interface FailedNotice {
  readonly type: 'failed';
  readonly operation: string;
  readonly error: unknown;
  /** When the actor tries again; `undefined` after a permanent error. */
  readonly delayMs: number | undefined;
  readonly permanent: boolean;
  readonly retryAfterMs: number | undefined;
}

/** How a pass ended. */
export type PassResult = 'in-sync' | 'applied' | 'failed' | 'planned' | 'waiting' | 'progressing';

export const PASS_START: ActorNotice = Object.freeze({ type: 'pass-start' });

/**
 * The notices raised during one step of the machine, held back until the step is over: a
 * listener then reads the phase and the next tick the step ended in, not the one it left.
 */
export class NoticeBatch {
  readonly notices: ActorNotice[] = [];
  /** The step's failure, which a rollback decided later in the same step may revise. */
  failed: FailedNotice | undefined = undefined;

  push(notice: ActorNotice): void {
    this.notices.push(notice);
  }

  /** A rollback applies the last-good spec at once: the failure says it retries now. */
  retryNow(): void {
    const failed = this.failed;
    const at = failed === undefined ? -1 : this.notices.indexOf(failed);
    if (at >= 0) this.notices[at] = { ...failed!, delayMs: 0 };
  }
}
