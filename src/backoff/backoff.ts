import { describe } from '../contract/describe.js';
import type { Random } from '../time/random.js';
import { applyJitter, JITTER_MODES, type JitterMode } from './jitter.js';

export interface BackoffOptions {
  /** Delay for the first retry (attempt 0), in ms. Default 1000. */
  baseMs?: number;
  /** No delay is ever above this, in ms. Default 60000. */
  capMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Default `full`. */
  jitter?: JitterMode;
  /**
   * Source of randomness for jitter: `systemRandom` in production, a `seededRandom` in tests.
   * Needed by every jitter but `none`; without it, `delay` throws a `TypeError` saying so.
   */
  random?: Random;
}

/** A backoff policy: an immutable value that answers "how long before retry n?". */
export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  readonly factor: number;
  readonly jitter: JitterMode;
  /**
   * The delay before retry `attempt` (0 for the first retry), in whole ms.
   * Always within [`floorMs`, max(`capMs`, `floorMs`)] (the floor rounded up to whole ms):
   * `retryAfterMs` from a server is a floor, and a server's explicit floor wins over our cap.
   * A negative floor is no floor. Attempts past the point where the cap is reached (even
   * `Infinity`) give the cap; a `NaN` attempt, floor or `previousMs` throws a TypeError.
   *
   * `previousMs` is the delay actually waited before this retry. Only the `decorrelated` mode
   * reads it, and it reads nothing else: its delay grows from the last one (up to three times
   * it), not from `attempt`. Without `previousMs` it draws as for a first retry, from
   * [base, min(cap, 3·base)], whatever the attempt, so a caller that retries in a row passes
   * the delay it used last time on every retry after the first.
   */
  delay(attempt: number, options?: { floorMs?: number; previousMs?: number }): number;
  /** The un-jittered capped delay for `attempt`: min(base·factor^attempt, cap). */
  ceiling(attempt: number): number;
}

export const DEFAULT_BACKOFF = { baseMs: 1000, capMs: 60_000, factor: 2, jitter: 'full' } as const;

/** What `none` jitter is given: it never draws. */
const noRandom: Random = () => 0;

/**
 * Capped exponential backoff: `min(baseMs · factor^attempt, capMs)`, then jitter.
 *
 * ```ts
 * const b = exponentialBackoff({ baseMs: 100, capMs: 1000, jitter: 'none' });
 * [0, 1, 2, 3, 4, 5].map((n) => b.delay(n)); // [100, 200, 400, 800, 1000, 1000]
 * ```
 */
export function exponentialBackoff(options: BackoffOptions = {}): Backoff {
  const baseMs = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const capMs = options.capMs ?? DEFAULT_BACKOFF.capMs;
  const factor = options.factor ?? DEFAULT_BACKOFF.factor;
  const jitter = options.jitter ?? DEFAULT_BACKOFF.jitter;
  const random = options.random;

  if (typeof baseMs !== 'number' || !Number.isFinite(baseMs) || baseMs < 0) {
    throw new TypeError(`Expected \`baseMs\` to be a finite number >= 0, got ${describe(baseMs)}`);
  }
  // A cap is required to be finite: an infinite delay would reach a timer as `Infinity`, which
  // Node and the TestClock both run at once, turning "wait forever" into a retry storm.
  if (typeof capMs !== 'number' || !Number.isFinite(capMs) || capMs < baseMs) {
    throw new TypeError(
      `Expected \`capMs\` to be a finite number >= \`baseMs\` (${baseMs}), got ${describe(capMs)}; raise capMs or lower baseMs`,
    );
  }
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    throw new TypeError(`Expected \`factor\` to be a finite number >= 1, got ${describe(factor)}`);
  }
  if (!JITTER_MODES.includes(jitter)) {
    throw new TypeError(
      `Expected \`jitter\` to be one of ${JITTER_MODES.join(', ')}, got ${describe(jitter)}`,
    );
  }
  if (random !== undefined && typeof random !== 'function') {
    throw new TypeError(`Expected \`random\` to be a function returning [0, 1), got ${describe(random)}`);
  }

  // Overflow-safe: past the attempt where base·factor^n reaches the cap, the answer is the cap.
  const ceiling = (attempt: number): number => {
    if (typeof attempt !== 'number' || Number.isNaN(attempt)) {
      throw new TypeError(
        `Expected \`attempt\` to be a number >= 0 (0 for the first retry), got ${describe(attempt)}`,
      );
    }
    const n = Math.max(0, Math.floor(attempt));
    if (baseMs === 0) return 0;
    if (factor === 1) return Math.min(baseMs, capMs);
    const raw = baseMs * factor ** n; // Infinity for huge n, which min() turns into the cap
    return Math.min(raw, capMs);
  };

  return Object.freeze({
    baseMs,
    capMs,
    factor,
    jitter,
    ceiling,
    delay(attempt: number, opts: { floorMs?: number; previousMs?: number } = {}): number {
      const ceil = ceiling(attempt);
      // No previous delay: the first of a chain, as if the last wait had been the base.
      const { floorMs, previousMs = baseMs } = opts;
      if (floorMs !== undefined && (typeof floorMs !== 'number' || !Number.isFinite(floorMs))) {
        throw new TypeError(`Expected \`floorMs\` to be a finite number of ms, got ${describe(floorMs)}`);
      }
      if (typeof previousMs !== 'number' || Number.isNaN(previousMs)) {
        throw new TypeError(`Expected \`previousMs\` to be a number of ms, got ${describe(previousMs)}`);
      }
      if (random === undefined && jitter !== 'none') {
        throw new TypeError(
          `Expected \`random\` for \`${jitter}\` jitter, got none: pass exponentialBackoff({ random: systemRandom }), or a seededRandom in tests`,
        );
      }
      const jittered = applyJitter(jitter, ceil, random ?? noRandom, { baseMs, capMs, previousMs });
      if (Number.isNaN(jittered)) {
        throw new TypeError('Expected `random` to return a number in [0, 1), got `NaN` (number)');
      }
      // Whole ms, never above the cap: the cap itself is rounded down when it is fractional.
      const bounded = Math.min(Math.max(0, Math.round(jittered)), Math.floor(capMs));
      const floor = floorMs !== undefined && floorMs > 0 ? Math.ceil(floorMs) : 0;
      return Math.max(bounded, floor);
    },
  });
}
