import { type ConcurrencyLimiter, createConcurrencyLimiter } from '../backoff/concurrency-limiter.js';
import { createTokenBucket, type TokenBucket } from '../backoff/token-bucket.js';
import type { Clock } from './clock.js';

export interface RateLimit {
  /** Operations per second, sustained. */
  readonly ratePerSec: number;
  /** Operations allowed at once after a quiet period. Default: `ratePerSec` rounded up. */
  readonly burst?: number;
}

/**
 * The admission control shared by every actor of one provider: at most `concurrency`
 * operations in flight (Terraform's `-parallelism`), an optional token bucket, and a
 * provider-wide pause when any call says `Retry-After`: one 429 slows the whole provider,
 * not only the key that saw it.
 */
export interface ProviderScheduler {
  run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T>;
  /** No operation starts before this absolute clock time. */
  pause(untilMs: number): void;
  readonly pausedUntil: number;
  readonly active: number;
  readonly pending: number;
}

export function createProviderScheduler(options: {
  concurrency: number;
  rateLimit?: RateLimit | undefined;
  clock: Clock;
}): ProviderScheduler {
  const { clock } = options;
  const limiter: ConcurrencyLimiter = createConcurrencyLimiter({ concurrency: options.concurrency });
  const bucket: TokenBucket | undefined = options.rateLimit
    ? createTokenBucket({
        ratePerSec: options.rateLimit.ratePerSec,
        burst: options.rateLimit.burst ?? Math.max(1, Math.ceil(options.rateLimit.ratePerSec)),
        clock,
      })
    : undefined;
  let pausedUntil = 0;

  const waitUntil = (at: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      const onAbort = () => {
        clock.clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, at - clock.now());
      signal.addEventListener('abort', onAbort, { once: true });
    });

  const admit = async <T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> => {
    while (pausedUntil > clock.now()) await waitUntil(pausedUntil, signal);
    if (bucket) await bucket.take(1, signal);
    return fn();
  };

  return {
    run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
      // The pause is checked when the operation is admitted, not when it was queued.
      return limiter.run(() => (bucket || pausedUntil > clock.now() ? admit(fn, signal) : fn()), signal);
    },
    pause(untilMs: number): void {
      if (untilMs > pausedUntil) pausedUntil = untilMs;
      bucket?.pause(untilMs);
    },
    get pausedUntil() {
      return pausedUntil;
    },
    get active() {
      return limiter.active;
    },
    get pending() {
      return limiter.pending;
    },
  };
}
