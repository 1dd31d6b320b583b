import { type Backoff, exponentialBackoff } from './backoff.js';

/**
 * A per-key failure limiter: each key backs off on its own, and a success resets it.
 *
 * It answers the question a retry loop asks after each failure: "how long before I try this
 * key again?". The answer is the backoff delay for that key's attempt count, which grows with
 * every failure and goes back to the first delay once the key is forgotten. It keeps one small
 * record per failing key and none for a key that is doing fine.
 *
 * ```ts
 * const limiter = createFailureLimiter({ backoff: exponentialBackoff({ baseMs: 100, jitter: 'none' }) });
 * limiter.when('user/alice'); // 100  (first failure: attempt 0)
 * limiter.when('user/alice'); // 200
 * limiter.when('user/bob');   // 100  (keys do not share a count)
 * limiter.forget('user/alice'); // it succeeded
 * limiter.when('user/alice'); // 100
 * ```
 *
 * After client-go's `ItemExponentialFailureRateLimiter` (`When`, `Forget`, `NumRequeues`).
 */

export interface FailureLimiterOptions {
  /** The delay policy. Default: `exponentialBackoff()` (1 s, ×2, cap 60 s, full jitter). */
  backoff?: Backoff;
}

export interface FailureLimiter<K = string> {
  /**
   * Record a failure of `key` and return how long to wait before retrying it, in whole ms:
   * the backoff delay for the key's attempt count before this failure (0 for the first),
   * never less than `floorMs` (a server's retry-after). In `decorrelated` mode each delay
   * grows from the key's previous one.
   */
  when(key: K, options?: { floorMs?: number }): number;
  /** The key succeeded: reset its count and drop its record. Unknown keys are ignored. */
  forget(key: K): void;
  /** How many failures of `key` were recorded since it was last forgotten. */
  attempts(key: K): number;
  /** How many keys have a failure on record. */
  size(): number;
}

interface Failures {
  attempts: number;
  lastMs: number;
}

export function createFailureLimiter<K = string>(options: FailureLimiterOptions = {}): FailureLimiter<K> {
  const backoff = options.backoff ?? exponentialBackoff();
  if (typeof backoff !== 'object' || backoff === null || typeof backoff.delay !== 'function') {
    throw new TypeError(
      `Expected \`backoff\` to be a Backoff such as exponentialBackoff({ baseMs: 1000 }), got \`${String(backoff)}\` (${typeof backoff})`,
    );
  }
  const failures = new Map<K, Failures>();

  return {
    when(key, opts = {}) {
      const record = failures.get(key);
      if (record === undefined) {
        const ms = backoff.delay(0, { floorMs: opts.floorMs });
        failures.set(key, { attempts: 1, lastMs: ms });
        return ms;
      }
      const ms = backoff.delay(record.attempts, { floorMs: opts.floorMs, previousMs: record.lastMs });
      record.attempts++;
      record.lastMs = ms;
      return ms;
    },
    forget(key) {
      failures.delete(key);
    },
    attempts(key) {
      return failures.get(key)?.attempts ?? 0;
    },
    size() {
      return failures.size;
    },
  };
}
