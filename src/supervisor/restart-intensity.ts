/**
 * Restart intensity: how many restarts a supervisor tolerates before it gives up.
 *
 * A supervisor that keeps restarting a child which keeps crashing only hides the fault. So,
 * as in OTP, it counts its restarts in a sliding window: more than `maxRestarts` restarts
 * within `withinMs` and it stops all its children and fails itself, handing the problem to
 * its parent (which may restart the whole subtree, or give up in turn).
 *
 * The window is a plain list of timestamps, newest first, trimmed to the period on every
 * restart (Erlang's `supervisor.erl` keeps its restarts the same way). The decision is a pure
 * function of that list, the time, and the limits:
 *
 * ```ts
 * const limits = { maxRestarts: 3, withinMs: 5000 };
 * let window: readonly number[] = [];
 * for (const now of [0, 1000, 2000]) ({ window } = recordRestart(window, now, limits)); // 'ok' each time
 * recordRestart(window, 3000, limits).verdict; // 'give-up': a 4th restart within 5 s
 * recordRestart(window, 5500, limits).verdict; // 'ok': the restart at 0 has left the window
 * ```
 */

/** The limits: more than `maxRestarts` restarts within `withinMs` is too many. */
export interface Intensity {
  /** Restarts tolerated within the window. `0` gives up at the first exit that needs a restart. */
  readonly maxRestarts: number;
  /** The window's length in ms. A restart exactly `withinMs` ago has left the window. */
  readonly withinMs: number;
}

/** `ok`: go ahead and restart. `give-up`: too many restarts; stop everything and fail. */
export type Verdict = 'ok' | 'give-up';

/** Elixir's defaults (Erlang's are 1 in 5 s). */
export const DEFAULT_INTENSITY: Intensity = { maxRestarts: 3, withinMs: 5000 };

/**
 * Record a restart at `now` and decide whether it is one too many.
 *
 * Returns the new window (newest first; the restart at `now` included, restarts at or before
 * `now - withinMs` dropped) and the verdict. With `maxRestarts: Infinity` nothing is recorded:
 * such a supervisor never gives up, and keeps no list that could grow without bound.
 */
export function recordRestart(
  window: readonly number[],
  now: number,
  limits: Intensity,
): { readonly window: readonly number[]; readonly verdict: Verdict } {
  if (limits.maxRestarts === Number.POSITIVE_INFINITY) return { window, verdict: 'ok' };
  const threshold = now - limits.withinMs;
  // Newest first, so everything still in the period is a prefix.
  let keep = 0;
  while (keep < window.length && window[keep]! > threshold) keep++;
  const next = new Array<number>(keep + 1);
  next[0] = now;
  for (let i = 0; i < keep; i++) next[i + 1] = window[i]!;
  return { window: next, verdict: next.length > limits.maxRestarts ? 'give-up' : 'ok' };
}

/**
 * The same decision as {@link recordRestart}, kept in place: O(1) amortised per restart however
 * large `maxRestarts` is. A dynamic supervisor holding 100,000 children may be given a large
 * intensity, and copying its window on every restart would make a restart storm quadratic.
 * Times must not go backwards (they come from one clock).
 */
export class RestartWindow {
  readonly limits: Intensity;
  // Oldest first; entries before `#head` have left the period.
  #times: number[] = [];
  #head = 0;

  constructor(limits: Intensity) {
    this.limits = limits;
  }

  /** Record a restart at `now`; `give-up` if it is one too many. */
  record(now: number): Verdict {
    const { maxRestarts, withinMs } = this.limits;
    if (maxRestarts === Number.POSITIVE_INFINITY) return 'ok';
    const threshold = now - withinMs;
    const times = this.#times;
    while (this.#head < times.length && times[this.#head]! <= threshold) this.#head++;
    times.push(now);
    if (this.#head > 64 && this.#head * 2 > times.length) {
      this.#times = times.slice(this.#head);
      this.#head = 0;
    }
    return this.#times.length - this.#head > maxRestarts ? 'give-up' : 'ok';
  }

  /** The restarts still in the window after the last `record`, newest first (as `recordRestart` keeps them). */
  toArray(): number[] {
    return this.#times.slice(this.#head).reverse();
  }
}
