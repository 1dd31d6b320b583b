/**
 * Exercise 03 — restart intensity: a solution.
 */

/** More than `maxRestarts` restarts within `withinMs` is too many. */
export interface Intensity {
  readonly maxRestarts: number;
  readonly withinMs: number;
}

export type Verdict = 'ok' | 'give-up';

/**
 * Record a restart at `now`. `window` holds the earlier restarts still counted, newest first.
 * Returns the new window (this restart first, restarts at or before `now - withinMs` gone) and
 * whether this restart is one too many.
 */
export function recordRestart(
  window: readonly number[],
  now: number,
  limits: Intensity,
): { readonly window: readonly number[]; readonly verdict: Verdict } {
  // A supervisor that never gives up needs no memory, and must not grow one.
  if (limits.maxRestarts === Number.POSITIVE_INFINITY) return { window, verdict: 'ok' };
  const threshold = now - limits.withinMs;
  const kept = [now, ...window.filter((t) => t > threshold)];
  return { window: kept, verdict: kept.length > limits.maxRestarts ? 'give-up' : 'ok' };
}
