/**
 * Exercise 02 — capped exponential backoff with full jitter. Read README.md first; then make
 * `npm run exercise -- 02` pass.
 *
 * This version doubles the delay and nothing else. Each `TODO(you)` marks a gap.
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
  // TODO(you): never above the cap, even for attempt 10,000.
  return policy.baseMs * policy.factor ** attempt;
}

/** Full jitter: a delay drawn uniformly from [0, ceiling], rounded to whole ms. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, _random: Random): number {
  // TODO(you): every client that failed at the same moment would retry at the same moment.
  // Draw the delay with `random`, so they spread out.
  return ceilingFor(attempt, policy);
}

/**
 * The delay before retry `attempt` after a failure that may carry a `Retry-After`: the jittered
 * backoff, but never less than `retryAfterMs` (rounded up), even when that is above the cap.
 */
export function retryDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: Random,
  _retryAfterMs?: number,
): number {
  // TODO(you): the server said when to come back; do not come back sooner.
  return backoffDelay(attempt, policy, random);
}
