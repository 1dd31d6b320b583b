import { RUNTIME_DEFAULTS } from '../runtime/index.js';
import type { Intensity } from './checks/supervision-check.js';

/**
 * The numbers the simulation holds the runtime to, and where each comes from. They are
 * functions of the runtime's own settings, so a faster interval or a lower cap tightens them.
 */

/** Outages last one to five minutes unless told otherwise. */
export const DEFAULT_OUTAGE_MS: readonly [number, number] = [60_000, 300_000];

/**
 * Slack on top of `interval·1.1 + cap + timeout`: every delay is rounded to a whole ms (one
 * ms per delay on the critical path, of which there are at most three), and the TestClock runs
 * timers due at the same time one after the other without moving time. One second covers that
 * with room to spare and is far below any period the bound is made of.
 */
export const CONVERGENCE_SLACK_MS = 1000;

/**
 * How long after the faults stop the world must have converged: one resync (interval + 10 %
 * jitter) to notice what a swallowed call left wrong, plus the longest backoff (the cap, or a
 * larger `Retry-After`) after a failure still in flight, or the longest a hot loop holds its
 * next apply (the cap too), plus the timeout of a call that hung when the faults stopped, plus
 * the longest a zombie runs on past that timeout (`zombieMs`, while it holds its key, the next
 * call for it waits), plus the longest an undo by another writer drawn before the faults stopped
 * may still come after (`flapMs`: a resync then finds it, and the hold, begun at the apply it
 * undoes, is over by the time the undo lands or ends within the cap), plus
 * {@link CONVERGENCE_SLACK_MS}.
 */
export function convergenceBound(o: {
  interval: number;
  capMs: number;
  timeout: number;
  retryAfterMs: number;
  zombieMs?: number;
  flapMs?: number;
}): number {
  return (
    Math.ceil(o.interval * 1.1) +
    Math.max(o.capMs, o.retryAfterMs) +
    o.timeout +
    (o.zombieMs ?? 0) +
    (o.flapMs ?? 0) +
    CONVERGENCE_SLACK_MS
  );
}

/**
 * The default per-kind intensity: enough that random crashes at `crashRate` never add up to an
 * escalation, so escalation stays a signal. `λ` is the expected number of crashes in one
 * window: every resource of the kind observing once (the start, or the end of an outage, when
 * all retry together) or at the steady rate of about four calls per interval under faults.
 * `4λ + 10` is many standard deviations above λ for a Poisson count.
 */
export function defaultIntensity(o: {
  resources: number;
  kinds: number;
  interval: number;
  crashRate: number;
  withinMs: number;
}): Intensity {
  const perKind = Math.ceil(o.resources / o.kinds);
  const steady = (o.crashRate * perKind * 4 * o.withinMs) / (0.9 * o.interval);
  const burst = o.crashRate * perKind * 1.5;
  const lambda = Math.max(steady, burst);
  const floor = RUNTIME_DEFAULTS.supervision.maxRestarts;
  return {
    maxRestarts: lambda === 0 ? floor : Math.max(floor, Math.ceil(4 * lambda + 10)),
    withinMs: o.withinMs,
  };
}
