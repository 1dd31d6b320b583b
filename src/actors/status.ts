import type { ResourceKey } from '../contract/resource.js';
import type { PlannedAction } from '../diff/plan.js';
import { isBusy, type ResourcePhase } from './phase.js';

export type ConditionType = 'Ready' | 'Synced' | 'Progressing' | 'Degraded';

/** A Kubernetes-style condition: a named boolean with the reason it has that value. */
export interface Condition {
  readonly type: ConditionType;
  readonly status: boolean;
  readonly reason: string;
  /** What a person needs to know beyond the reason, when there is something (a hot loop's fields). */
  readonly message?: string;
}

/** Everything there is to know about one resource, as plain data. */
export interface ResourceStatus {
  readonly key: ResourceKey;
  readonly kind: string;
  readonly name: string;
  readonly phase: ResourcePhase;
  readonly conditions: readonly Condition[];
  /** Bumped each time the desired spec changes. */
  readonly generation: number;
  /** The generation the last completed pass acted on. */
  readonly observedGeneration: number;
  /** Failures since the last success. */
  readonly attempts: number;
  readonly lastError: string | undefined;
  readonly lastReconcileAt: number | undefined;
  readonly nextReconcileAt: number | undefined;
  /** What the last pass found to do; `undefined` when in sync. */
  readonly plan: PlannedAction | undefined;
  /** The last-good spec is applied instead of the desired one (rollback). */
  readonly rolledBack: boolean;
  /** How many times this resource's actor was restarted after a crash. */
  readonly restarts: number;
  /**
   * Whose object it is, from the inventory: `created` by this runtime, `adopted` (it existed,
   * and this runtime took it over); absent while it is not in the inventory (not yet, or a dry run).
   */
  readonly origin?: 'created' | 'adopted';
}

export interface ConditionInputs {
  readonly phase: ResourcePhase;
  readonly attempts: number;
  readonly degraded: boolean;
  readonly rolledBack: boolean;
  readonly lastError: string | undefined;
  /** The last observation found the object unhealthy, or still progressing past its deadline. */
  readonly unhealthy: boolean;
  /** Still progressing past its progress deadline. */
  readonly overdue: boolean;
  /** In a hot loop: what keeps changing; `undefined` when not. */
  readonly hotLoop: string | undefined;
  /** Why its target cannot be reached (`NodeUnreachable`); `undefined` when it can. */
  readonly unreachable?: string | undefined;
}

/** Derive the four conditions from the phase and a few flags (never stored: computed on read). */
export function conditionsOf(s: ConditionInputs): Condition[] {
  const ready = s.phase === 'synced';
  const synced = ready && !s.rolledBack;
  const progressing =
    !s.overdue &&
    (isBusy(s.phase) || s.phase === 'pending' || s.phase === 'progressing' || s.phase === 'waiting');
  const notReady = s.unreachable
    ? s.unreachable
    : s.overdue
      ? 'ProgressDeadlineExceeded'
      : s.unhealthy
        ? 'Unhealthy'
        : s.hotLoop !== undefined && s.phase === 'backoff'
          ? 'HotLoop'
          : reasonOf(s.phase);
  const degraded = s.degraded || s.hotLoop !== undefined;
  return [
    {
      type: 'Ready',
      status: ready,
      reason: ready ? (s.rolledBack ? 'RolledBack' : 'Synced') : notReady,
    },
    {
      type: 'Synced',
      status: synced,
      reason: synced ? 'Synced' : s.rolledBack ? 'RolledBack' : reasonOf(s.phase),
    },
    {
      type: 'Progressing',
      status: progressing,
      reason: progressing ? reasonOf(s.phase) : s.overdue ? 'ProgressDeadlineExceeded' : 'Idle',
    },
    degradedCondition(s, degraded),
  ];
}

function degradedCondition(s: ConditionInputs, degraded: boolean): Condition {
  if (!degraded) return { type: 'Degraded', status: false, reason: 'AsExpected' };
  if (!s.degraded) return { type: 'Degraded', status: true, reason: 'HotLoop', message: s.hotLoop! };
  const reason = s.rolledBack
    ? 'RolledBack'
    : s.overdue
      ? 'ProgressDeadlineExceeded'
      : s.unhealthy
        ? 'Unhealthy'
        : 'RetriesExhausted';
  return s.hotLoop === undefined
    ? { type: 'Degraded', status: true, reason }
    : { type: 'Degraded', status: true, reason, message: s.hotLoop };
}

function reasonOf(phase: ResourcePhase): string {
  switch (phase) {
    case 'pending':
      return 'Pending';
    case 'waiting':
      return 'WaitingForDependencies';
    case 'synced':
      return 'Synced';
    case 'outOfSync':
      return 'OutOfSync';
    case 'progressing':
      return 'Progressing';
    case 'backoff':
      return 'BackingOff';
    case 'degraded':
      return 'Degraded';
    case 'observing':
      return 'Observing';
    case 'applying':
      return 'Applying';
    case 'restarting':
      return 'Restarting';
    case 'deleting':
    case 'deleteBackoff':
      return 'Deleting';
    case 'deleted':
      return 'Deleted';
  }
}
