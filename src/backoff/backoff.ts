import { type Random, systemRandom } from '../runtime/clock.js';
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
  /** Source of randomness for jitter. Default: the system's. */
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
   * Always within [`floorMs`, max(`capMs`, `floorMs`)]: `retryAfterMs` from a server is a floor,
   * and a server's explicit floor wins over our cap.
   * `previousMs` feeds the `decorrelated` mode (default: the un-jittered delay of attempt-1).
   */
  delay(attempt: number, options?: { floorMs?: number; previousMs?: number }): number;
  /** The un-jittered capped delay for `attempt`: min(base·factor^attempt, cap). */
  ceiling(attempt: number): number;
}

export const DEFAULT_BACKOFF = { baseMs: 1000, capMs: 60_000, factor: 2, jitter: 'full' } as const;

function describe(value: unknown): string {
  return `\`${String(value)}\` (${typeof value})`;
}

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
  const random = options.random ?? systemRandom;

  if (typeof baseMs !== 'number' || !Number.isFinite(baseMs) || baseMs < 0) {
    throw new TypeError(`Expected \`baseMs\` to be a finite number >= 0, got ${describe(baseMs)}`);
  }
  if (typeof capMs !== 'number' || Number.isNaN(capMs) || capMs < baseMs) {
    throw new TypeError(
      `Expected \`capMs\` to be a number >= \`baseMs\` (${baseMs}), got ${describe(capMs)}; raise capMs or lower baseMs`,
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
  if (typeof random !== 'function') {
    throw new TypeError(`Expected \`random\` to be a function returning [0, 1), got ${describe(random)}`);
  }

  // Overflow-safe: past the attempt where base·factor^n reaches the cap, the answer is the cap.
  const ceiling = (attempt: number): number => {
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
      const previousMs = opts.previousMs ?? (attempt > 0 ? ceiling(attempt - 1) : baseMs);
      const jittered = applyJitter(jitter, ceil, random, { baseMs, capMs, previousMs });
      const bounded = Math.min(Math.max(0, Math.round(jittered)), capMs);
      const floor = opts.floorMs !== undefined && opts.floorMs > 0 ? Math.ceil(opts.floorMs) : 0;
      return Math.max(bounded, floor);
    },
  });
}
