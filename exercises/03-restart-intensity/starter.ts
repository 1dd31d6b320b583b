/**
 * Exercise 03 — restart intensity. Read README.md first; then make `npm run exercise -- 03`
 * pass.
 *
 * This version counts every restart there ever was. Each `TODO(you)` marks a gap.
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
  // TODO(you): restarts older than `withinMs` no longer count; drop them. A restart exactly
  // `withinMs` ago has left the window.
  // TODO(you): with `maxRestarts: Infinity` nothing can ever be too many: keep no list at all.
  const kept = [now, ...window];
  return { window: kept, verdict: kept.length > limits.maxRestarts ? 'give-up' : 'ok' };
}
