import type { Backoff } from '../backoff/backoff.js';
import type { Random } from '../time/random.js';
import type { ResourcePhase } from './phase.js';

/**
 * When a resting resource looks again. Pure but for the `random` passed in.
 *
 * | resting in                           | next tick after                                  |
 * |--------------------------------------|--------------------------------------------------|
 * | `pending`                            | 0: the first pass runs at once                   |
 * | `synced`, `outOfSync`, `waiting`     | the resync interval, ±10 % jitter                |
 * | `deleteBackoff`                      | the failure delay, or the interval if none failed |
 * | `progressing`, `backoff`, `degraded` | the delay the pass computed (backoff)            |
 * | `deleted`                            | never                                            |
 *
 * The jitter spreads resources that were created together, so that they do not all tick in the
 * same millisecond for ever after (controller-runtime jitters its resyncs the same way).
 */
export const RESYNC_JITTER = 0.1;

export interface RestingTimes {
  /** The resync interval for this resource (its policy's, else its kind's). */
  readonly intervalMs: number;
  /** The kind's resync interval (a delete that has not failed waits this long). */
  readonly kindIntervalMs: number;
  /** The delay the last pass computed (`Infinity`: wait for a new spec). */
  readonly nextDelayMs: number;
  /** The last operation failed. */
  readonly failed: boolean;
}

/** The delay before the next tick of a resource resting in `phase`, in ms (`Infinity`: none). */
export function restingDelay(phase: ResourcePhase, times: RestingTimes, random: Random): number {
  switch (phase) {
    case 'pending':
      return 0;
    case 'synced':
    case 'outOfSync':
    case 'waiting':
      return Math.round(times.intervalMs * (1 - RESYNC_JITTER + 2 * RESYNC_JITTER * random()));
    case 'deleteBackoff':
      return times.failed ? times.nextDelayMs : times.kindIntervalMs;
    case 'deleted':
      return Number.POSITIVE_INFINITY;
    default:
      return times.nextDelayMs;
  }
}

/**
 * The delay after the `attempts`-th failure in a row: the backoff's, never sooner than a
 * server's `Retry-After` (`floorMs`); `Infinity` after a permanent error, which waits for a new
 * spec (or an explicit reconcile). `lastDelayMs` is the delay this resource computed last time
 * (what it waited, unless something woke it sooner); from the second failure in a row on it is
 * handed to the backoff as the previous delay, which `decorrelated` jitter grows from.
 */
export function failureDelay(
  backoff: Backoff,
  attempts: number,
  permanent: boolean,
  floorMs: number | undefined,
  lastDelayMs?: number,
): number {
  if (permanent) return Number.POSITIVE_INFINITY;
  return backoffDelay(backoff, attempts - 1, attempts > 1 ? lastDelayMs : undefined, floorMs);
}

/**
 * `backoff.delay(retry)` (0 for the first retry), given the delay used before it when there
 * was one (`previousMs`) and a server's floor when there is one.
 */
export function backoffDelay(
  backoff: Backoff,
  retry: number,
  previousMs: number | undefined,
  floorMs?: number,
): number {
  if (previousMs === undefined) return backoff.delay(retry, floorMs === undefined ? undefined : { floorMs });
  return backoff.delay(retry, floorMs === undefined ? { previousMs } : { floorMs, previousMs });
}
