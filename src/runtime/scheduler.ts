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
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** No operation starts before this absolute clock time. */
  pause(untilMs: number): void;
  /** Let everything waiting through at once (shutdown). */
  release(): void;
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
  let released = false;
  // Everyone waiting for the same pause shares one timer and one promise.
  let gate: { until: number; promise: Promise<void>; open: () => void } | undefined;

  const waitForPause = (): Promise<void> => {
    if (gate && gate.until === pausedUntil) return gate.promise;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    const current = { until: pausedUntil, promise, open };
    gate = current;
    const timer = clock.setTimeout(() => {
      if (gate === current) gate = undefined;
      current.open();
    }, pausedUntil - clock.now());
    current.open = () => {
      clock.clearTimeout(timer);
      open();
    };
    return promise;
  };

  const admit = async <T>(fn: () => Promise<T>): Promise<T> => {
    while (!released && pausedUntil > clock.now()) await waitForPause();
    if (bucket && !released) await bucket.take(1);
    return fn();
  };

  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      // The pause is checked when the operation is admitted, not when it was queued.
      return limiter.run(() => ((bucket || pausedUntil > clock.now()) && !released ? admit(fn) : fn()));
    },
    pause(untilMs: number): void {
      if (untilMs > pausedUntil) pausedUntil = untilMs;
      bucket?.pause(untilMs);
    },
    release(): void {
      released = true;
      gate?.open();
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
