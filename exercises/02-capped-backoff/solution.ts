/**
 * Exercise 02 — capped exponential backoff with full jitter: a solution.
 */

/** A source of randomness: a number in [0, 1). */
export type Random = () => number;

export interface BackoffPolicy {
  /** The ceiling for the first retry (attempt 0), in ms. */
  readonly baseMs: number;
  /** No ceiling is ever above this, in ms. */
  readonly capMs: number;
  /** Growth per attempt, e.g. 2. */
  readonly factor: number;
}

/** The un-jittered delay before retry `attempt`: `min(baseMs · factor^attempt, capMs)`. */
export function ceilingFor(attempt: number, policy: BackoffPolicy): number {
  // A base of 0 stays 0: without this line, 0 * Infinity (a large attempt) would be NaN.
  if (policy.baseMs === 0) return 0;
  // factor ** attempt is Infinity for a large attempt; min() then gives the cap.
  return Math.min(policy.baseMs * policy.factor ** attempt, policy.capMs);
}

/** Full jitter: a delay drawn uniformly from [0, ceiling], rounded to whole ms. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: Random): number {
  return Math.round(random() * ceilingFor(attempt, policy));
}

/**
 * The delay before retry `attempt` after a failure that may carry a `Retry-After`: the jittered
 * backoff, but never less than `retryAfterMs` (rounded up), even when that is above the cap.
 */
export function retryDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: Random,
  retryAfterMs?: number,
): number {
  const delay = backoffDelay(attempt, policy, random);
  if (retryAfterMs === undefined || !(retryAfterMs > 0)) return delay;
  return Math.max(delay, Math.ceil(retryAfterMs));
}
