import { exponentialBackoff } from '../backoff/backoff.js';
import type { Random } from '../time/random.js';

/**
 * Restart backoff, after Akka's `restartWithBackoff`: instead of restarting a crashed child at
 * once, wait, and wait longer each time it crashes again soon after its restart.
 *
 * The n-th consecutive restart of a child waits `min(maxMs, minMs · 2^(n-1) · (1 + r · randomFactor))`
 * ms, with `r` drawn from the supervisor's `random`. Unlike Akka, the random factor is applied
 * before the cap, so a delay never exceeds `maxMs`. A child that has run for `resetAfterMs`
 * since its last (re)start is considered healthy again: its next crash starts from `minMs`.
 *
 * Restart intensity still applies: backoff spaces restarts out, intensity decides when to give up.
 *
 * ```ts
 * const b = restartBackoff({ minMs: 100, maxMs: 1000, randomFactor: 0, resetAfterMs: 5000 }, random);
 * [1, 2, 3, 4, 5].map((n) => b.delay(n)); // [100, 200, 400, 800, 1000]
 * ```
 */
export interface RestartBackoffOptions {
  /** The delay before the first restart, in ms. */
  readonly minMs: number;
  /** No delay is ever above this, in ms. */
  readonly maxMs: number;
  /** Up to this fraction is added at random to each delay (0.2 adds 0–20 %), to spread restarts. */
  readonly randomFactor: number;
  /** After running this long without a crash, a child's count of consecutive crashes resets. */
  readonly resetAfterMs: number;
}

export interface RestartBackoff {
  /** The delay before the `consecutive`-th consecutive restart (1 for the first), in whole ms. */
  delay(consecutive: number): number;
  /**
   * The consecutive-restart count after a child that was (re)started at `startedAt` exits at
   * `now`, given the count so far: one more, or 1 if it had run for `resetAfterMs`.
   */
  next(consecutive: number, startedAt: number, now: number): number;
}

/** Build the restart delays for `options`, drawing the random factor from `random`. */
export function restartBackoff(options: RestartBackoffOptions, random: Random): RestartBackoff {
  const { minMs, maxMs, randomFactor, resetAfterMs } = options;
  const base = exponentialBackoff({ baseMs: minMs, capMs: maxMs, factor: 2, jitter: 'none', random });
  return {
    delay(consecutive) {
      const grown = base.delay(Math.max(0, consecutive - 1));
      const spread = randomFactor > 0 ? 1 + random() * randomFactor : 1;
      return Math.min(maxMs, Math.round(grown * spread));
    },
    next(consecutive, startedAt, now) {
      return now - startedAt >= resetAfterMs ? 1 : consecutive + 1;
    },
  };
}
