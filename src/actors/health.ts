import { formatDuration } from '../contract/duration-text.js';
import { F_CHANGED, F_OVERDUE, F_UNHEALTHY } from './flags.js';
import type { ResourceRecord } from './record.js';
import { failureDelay } from './schedule.js';

/**
 * Health after a change, the part of a pass that looks past "in sync".
 *
 * A resource is Ready only once an observation shows it in sync **and** its provider calls it
 * healthy. So a pass that applies a change to a provider with `health` observes once more to
 * verify it (a difference then means the change has not landed yet: it is never applied twice
 * in one pass), and a restart is followed by `progressing`; until it is healthy the actor looks
 * again soon, backing off, and it is:
 *
 * - **healthy**: `synced`, Ready; dependents go ahead;
 * - **progressing**: keep looking, within the **progress deadline** (default 10 minutes, per
 *   resource `policy.progressDeadlineMs`, per kind or for the runtime); past it the change has
 *   failed: Degraded, reason `ProgressDeadlineExceeded`, and with rollback on, back to last-good;
 * - **unhealthy**: one failed attempt. The provider's `restart` runs if it has one; if not, the
 *   object is reported (condition and event) and looked at again after the backoff. After
 *   `maxRetries` attempts the resource is Degraded and, with rollback on, goes back to its
 *   last-good spec: "retry N times, then fail or roll back" holds for sick objects as it does for
 *   thrown errors, and no object is restarted for ever.
 */

/** The progress deadline of `a`, in ms: its policy's, else its kind's. */
export function progressDeadlineMs(a: ResourceRecord): number {
  return a.desired.policy?.progressDeadlineMs ?? a.host.progressDeadlineMs;
}

/** Still progressing past the deadline. */
export function overdue(a: ResourceRecord): boolean {
  return a.assessment === 'progressing' && a.host.clock.now() - a.progressSince > progressDeadlineMs(a);
}

/** The observation was assessed: start or stop the progress clock. */
export function trackProgress(a: ResourceRecord): void {
  if (a.assessment === 'progressing') {
    if (a.progressSince < 0) a.progressSince = a.host.clock.now();
  } else if (a.assessment === 'in-sync') {
    a.progressSince = -1;
    a.flags &= ~(F_UNHEALTHY | F_OVERDUE);
  }
}

/** A change or restart was just made: its deadline starts now. */
export function changeMade(a: ResourceRecord): void {
  a.flags |= F_CHANGED;
  a.progressSince = a.host.clock.now();
}

/**
 * The object is unhealthy, or still progressing past its deadline: count a failed attempt,
 * report it, and set the delay before the next look. The machine then restarts it, backs off,
 * or (out of attempts, or past the deadline) degrades it.
 */
export function noteUnhealthy(a: ResourceRecord, canRestart: boolean): void {
  const late = overdue(a);
  a.flags = (a.flags | F_UNHEALTHY) & ~F_CHANGED;
  if (late) a.flags |= F_OVERDUE;
  a.attempts++;
  const now = a.host.clock.now();
  a.lastError = late
    ? `still progressing ${formatDuration(Math.round(now - a.progressSince))} after the change: past its progress deadline of ${formatDuration(progressDeadlineMs(a))}`
    : 'the provider reports the object unhealthy';
  a.observedGeneration = a.generation;
  a.lastReconcileAt = now;
  a.nextDelayMs = failureDelay(a.host.backoff, a.attempts, false, undefined, a.nextDelayMs);
  const restart = canRestart && !late && a.attempts < maxRetriesOf(a);
  a.emit({
    type: 'unhealthy',
    reason: late ? 'progress-deadline' : 'unhealthy',
    attempt: a.attempts,
    restart,
  });
}

export function maxRetriesOf(a: ResourceRecord): number {
  return a.desired.policy?.maxRetries ?? a.host.maxRetries;
}
