import { describeError, PermanentError, retryAfterOf, UnreachableError } from '../contract/errors.js';
import type { Observed } from '../contract/provider.js';
import { assess } from './assess.js';
import {
  F_CHANGED,
  F_DEGRADED,
  F_DELETE,
  F_DIRTY,
  F_DRIFT,
  F_INPASS,
  F_NODROPS,
  F_OVERDUE,
  F_PERMANENT,
  F_ROLLBACK,
  F_UNHEALTHY,
  F_UNREACHABLE,
  F_UNVERIFIED,
} from './flags.js';
import { maxRetriesOf, noteUnhealthy, overdue, trackProgress } from './health.js';
import { holdDelay, noteInSync, throttled } from './hot-loop.js';
import type { FailedNotice } from './notices.js';
import { startApply, startDelete, startObserve, startRestart } from './provider-calls.js';
import type { ResourceShell } from './resource.machine.js';
import type { ResourceActor } from './resource-actor.js';
import { backoffDelay, failureDelay } from './schedule.js';

/**
 * The steps the resource machine asks for, carried out on one actor's record: the machine
 * decides which state comes next, these record what happened and start what comes next. Made
 * when the machine wakes; the hibernated fast path calls the two it needs, `recordObservation`
 * and `markSynced`, directly.
 */
export class PassSteps implements ResourceShell {
  constructor(private readonly a: ResourceActor) {}

  // ── what the machine's guards read ───────────────────────────────────────────────────────
  get assessment() {
    return this.a.assessment;
  }
  get dirty() {
    return (this.a.flags & F_DIRTY) !== 0;
  }
  get deleteRequested() {
    return (this.a.flags & F_DELETE) !== 0;
  }
  get permanentFailure() {
    return (this.a.flags & F_PERMANENT) !== 0;
  }
  get retriesExhausted() {
    return this.a.attempts >= maxRetriesOf(this.a);
  }
  get dependentsRemain() {
    return this.a.host.dependentsRemain(this.a);
  }
  get checksHealth() {
    return this.a.host.provider.health !== undefined;
  }
  get verifying() {
    return (this.a.flags & F_CHANGED) !== 0;
  }
  get overdue() {
    return overdue(this.a);
  }
  get canRestart() {
    return this.a.host.provider.restart !== undefined && this.a.observed !== undefined;
  }
  get throttled() {
    return throttled(this.a);
  }

  // ── steps that start an operation ────────────────────────────────────────────────────────
  startObserve(): void {
    startObserve(this.a);
  }

  recordObservation(event: { observed: Observed | undefined }): void {
    recordObservation(this.a, event.observed);
  }

  startApply(): void {
    startApply(this.a);
  }

  startRestart(): void {
    startRestart(this.a);
  }

  startDelete(): void {
    this.a.host.tracing?.beginDelete(this.a);
    startDelete(this.a);
  }

  clearDirty(): void {
    this.a.flags &= ~F_DIRTY;
  }

  // ── steps that record how a pass ended ──────────────────────────────────────────────────
  onSynced(): void {
    markSynced(this.a);
  }

  onUnhealthy(): void {
    noteUnhealthy(this.a, this.canRestart);
  }

  endUnhealthy(): void {
    this.a.endPass('failed');
  }

  onThrottled(): void {
    // Like a plan reported and not applied, resting until the hold ends.
    this.a.nextDelayMs = holdDelay(this.a);
    this.onOutOfSync();
  }

  /** Just changed (or restarted), or in sync and still coming up: look again soon, backing off. */
  onProgressing(): void {
    const a = this.a;
    a.observedGeneration = a.generation;
    a.lastReconcileAt = a.host.clock.now();
    const changed = (a.flags & F_CHANGED) !== 0;
    a.flags &= ~F_CHANGED;
    const previous = a.progressPolls > 0 ? a.nextDelayMs : undefined;
    a.nextDelayMs = backoffDelay(a.host.backoff, a.progressPolls++, previous);
    a.endPass(changed ? 'applied' : 'progressing');
  }

  /**
   * A call failed. A target that is away (`UnreachableError`) is not a failure of the resource:
   * its attempts stay as they were, so it never degrades for it, and it tries again slowly (the
   * error's `retryAfterMs`, else the backoff's cap) on its own delay, not as a pause of the whole
   * provider (its other targets answer, and the provider's `watch` must wake it at once).
   */
  onFailed(event: { error: unknown }): void {
    const a = this.a;
    const error = event.error;
    const away = UnreachableError.is(error);
    const permanent = !away && PermanentError.is(error);
    a.flags = away ? a.flags | F_UNREACHABLE : a.flags & ~F_UNREACHABLE;
    if (permanent) a.flags |= F_PERMANENT;
    a.flags &= ~F_CHANGED;
    let floor: number | undefined;
    if (away) {
      a.lastError = `${error.reason}: ${error.message}`; // the reason is read back by `status()`
      a.nextDelayMs = retryAfterOf(error) ?? a.host.backoff.capMs;
    } else {
      a.attempts++;
      a.lastError = describeError(error);
      floor = retryAfterOf(error);
      // Degraded or not, the delay keeps following the backoff, which the cap bounds.
      a.nextDelayMs = failureDelay(a.host.backoff, a.attempts, permanent, floor, a.nextDelayMs);
    }
    a.lastReconcileAt = a.host.clock.now();
    const notice: FailedNotice = {
      type: 'failed',
      operation: a.operation,
      error,
      delayMs: Number.isFinite(a.nextDelayMs) ? a.nextDelayMs : undefined,
      permanent,
      retryAfterMs: floor,
    };
    if (a.batch) a.batch.failed = notice;
    a.emit(notice);
    if (a.flags & F_DELETE) {
      // A delete that cannot succeed is Degraded too; it waits in deleteBackoff (for ever, if
      // permanent, until `reconcile(key)`).
      if (!away && (permanent || this.retriesExhausted) && !(a.flags & F_DEGRADED)) {
        a.flags |= F_DEGRADED;
        a.emit({ type: 'degraded', reason: a.lastError, rollback: false });
      }
      a.host.tracing?.end(a, 'failed');
      return;
    }
    a.endPass('failed');
  }

  onDegraded(): void {
    const a = this.a;
    const first = (a.flags & F_DEGRADED) === 0;
    a.flags |= F_DEGRADED;
    const lastGood = a.host.rollback || a.desired.policy?.rollback ? a.host.lastGood(a.key) : undefined;
    const rollback = !a.rolledBack && lastGood !== undefined && !sameJson(lastGood, a.desired.spec);
    if (rollback) {
      // Apply the last-good spec now, with a progress deadline (and, once applied, attempts) of its own.
      a.flags = (a.flags | F_ROLLBACK) & ~(F_OVERDUE | F_UNHEALTHY | F_NODROPS);
      a.progressSince = -1;
      a.progressPolls = 0;
      a.nextDelayMs = 0;
      a.batch?.retryNow();
    }
    if (first || rollback) a.emit({ type: 'degraded', reason: a.lastError ?? 'unknown', rollback });
  }

  onOutOfSync(): void {
    const a = this.a;
    a.observedGeneration = a.generation;
    a.lastReconcileAt = a.host.clock.now();
    if (a.plan) a.emit({ type: 'planned', action: a.plan });
    a.endPass('planned');
  }

  onWaiting(): void {
    this.a.lastReconcileAt = this.a.host.clock.now();
    this.a.endPass('waiting');
  }

  onDeleted(): void {
    this.a.flags &= ~F_INPASS;
    this.a.host.tracing?.end(this.a, 'deleted');
    this.a.emit({ type: 'deleted' });
  }
}

/** Keep what was observed and what it means; report drift once per episode. */
export function recordObservation(a: ResourceActor, observed: Observed | undefined): void {
  a.observed = observed;
  a.flags &= ~F_UNREACHABLE; // it answered
  const { assessment, plan, drift } = assess(a, observed, a.host);
  a.plan = plan;
  a.assessment = assessment;
  trackProgress(a);
  if (assessment === 'in-sync' && !plan) noteInSync(a);
  if (!plan) {
    a.flags &= ~F_DRIFT;
  } else if (drift !== undefined && !(a.flags & F_DRIFT)) {
    a.flags |= F_DRIFT; // reported once per episode, not on every tick
    a.emit({ type: 'drift', policy: drift, changes: plan.action === 'update' ? plan.changes.length : 1 });
  }
}

/** Success: reset the attempts, record the generation in sync, tell the host. */
export function markSynced(a: ResourceActor): void {
  const rolledBack = a.rolledBack;
  const recovered = (a.flags & F_DEGRADED) !== 0 && !rolledBack;
  if (!rolledBack) {
    a.flags &= ~F_DEGRADED;
    a.syncedGeneration = a.generation;
  }
  a.flags &= ~(F_PERMANENT | F_UNHEALTHY | F_OVERDUE);
  a.progressSince = -1;
  a.attempts = 0;
  a.lastError = undefined;
  a.observedGeneration = a.generation;
  a.lastReconcileAt = a.host.clock.now();
  const applied = a.assessment === 'changes' || (a.flags & F_CHANGED) !== 0;
  a.flags &= ~F_CHANGED;
  a.plan = undefined;
  a.progressPolls = 0;
  // Just applied: the spec is last-good only once an observation shows it in sync and healthy.
  // (A provider without `health` calls everything healthy: applied is good.)
  const verified = a.assessment === 'in-sync' || !a.host.provider.health;
  if (verified) a.flags &= ~F_UNVERIFIED;
  a.emit({ type: 'synced', recovered, verified });
  a.endPass(applied ? 'applied' : 'in-sync');
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
