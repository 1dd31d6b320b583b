import { describe } from '../contract/describe.js';
import type { Clock, TimerHandle } from '../time/clock.js';

/**
 * A token bucket: a rate limit that allows short bursts.
 *
 * The bucket holds at most `burst` tokens and starts full. Tokens flow back in continuously
 * (fractions included) at `ratePerSec`. Each call to a rate-limited system takes a token; when
 * none is left, `tryTake` says no and `take` waits its turn. Over any window of `t` ms, no more
 * than `burst + ratePerSec · t / 1000` tokens are handed out.
 *
 * ```ts
 * const bucket = createTokenBucket({ ratePerSec: 10, burst: 5, clock });
 * bucket.tryTake();     // true: 4 left
 * await bucket.take(4); // at once: 0 left
 * await bucket.take();  // waits 100 ms for the next token
 * bucket.pause(clock.now() + 30_000); // the server said "Retry-After: 30"
 * ```
 *
 * Waiters are served first come, first served: a waiting `take(5)` is not overtaken by a later
 * `take(1)`, and `tryTake` says no while anyone waits. Time is read from the injected clock
 * only; if it steps backwards, no tokens are added for the span it skipped back over.
 */

export interface TokenBucketOptions {
  /** Tokens added per second, continuously. Any finite number > 0 (0.5 is one every 2 s). */
  ratePerSec: number;
  /** The most tokens the bucket holds, and so the largest burst: an integer >= 1. */
  burst: number;
  /** Where time comes from: `systemClock` in production, a `TestClock` in tests. */
  clock: Clock;
}

export interface TokenBucket {
  /** Take `n` tokens now if they are there (and nobody is waiting); never waits. */
  tryTake(n?: number): boolean;
  /**
   * Take `n` tokens, waiting on the clock until they are there and everyone who asked
   * earlier has been served. Rejects with `signal.reason` if `signal` aborts first; an
   * aborted wait takes nothing.
   */
  take(n?: number, signal?: AbortSignal): Promise<void>;
  /** How long a `take(n)` made now would wait (queue and pause included), in whole ms rounded up. */
  msUntil(n?: number): number;
  /** Tokens in the bucket now, fractions included (they accrue during a pause too). */
  available(): number;
  /**
   * Hand out no token before the absolute clock time `untilMs` (a provider-wide
   * `Retry-After`). A pause never shortens an earlier, longer one. Tokens keep accruing
   * meanwhile, up to `burst`.
   */
  pause(untilMs: number): void;
}

interface Waiter {
  readonly n: number;
  readonly resolve: () => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
}

// Float arithmetic may leave a bucket a hair short of a whole token at the very moment it
// should be full; this much shortfall still counts as "there" (a billionth of a token).
const EPSILON = 1e-9;

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { ratePerSec, burst, clock } = options;
  if (typeof ratePerSec !== 'number' || !Number.isFinite(ratePerSec) || ratePerSec <= 0) {
    throw new TypeError(
      `Expected \`ratePerSec\` to be a finite number > 0 (tokens added per second), got ${describe(ratePerSec)}`,
    );
  }
  if (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 1) {
    throw new TypeError(
      `Expected \`burst\` to be an integer from 1 and up (the most tokens the bucket holds), got ${describe(burst)}`,
    );
  }
  if (typeof clock?.now !== 'function' || typeof clock.setTimeout !== 'function') {
    throw new TypeError(
      `Expected \`clock\` to be a Clock such as systemClock or new TestClock(), got ${describe(clock)}`,
    );
  }
  const msPerToken = 1000 / ratePerSec;

  let tokens = burst;
  let last = clock.now();
  let pausedUntil = Number.NEGATIVE_INFINITY;
  // FIFO of waiters: an array read from `head`; aborted waiters are marked done and skipped.
  let queue: Waiter[] = [];
  let head = 0;
  let waiting = 0;
  let queuedTokens = 0;
  let timer: TimerHandle | undefined;

  const checkN = (n: number): void => {
    if (!Number.isInteger(n) || n < 1 || n > burst) {
      throw new TypeError(
        `Expected \`n\` to be an integer from 1 to \`burst\` (${burst}), got ${describe(n)}`,
      );
    }
  };

  const refill = (now: number): void => {
    if (now > last) tokens = Math.min(burst, tokens + (now - last) / msPerToken);
    last = now;
  };

  const front = (): Waiter | undefined => {
    while (head < queue.length && queue[head]!.done) head++;
    return queue[head];
  };

  const finish = (waiter: Waiter): void => {
    waiter.done = true;
    waiting--;
    queuedTokens -= waiter.n;
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  };

  const compact = (): void => {
    if (head > 64 && head * 2 >= queue.length) {
      queue = queue.slice(head);
      head = 0;
    } else if (queue.length - head > 64 + 2 * waiting) {
      queue = queue.slice(head).filter((w) => !w.done); // many aborted waiters behind a blocked one
      head = 0;
    }
  };

  // Serve every waiter that can be served now, then arm one timer for the next.
  const drain = (fromTimer: boolean): void => {
    const now = clock.now();
    refill(now);
    let served = 0;
    for (let w = front(); w !== undefined; w = front()) {
      if (now < pausedUntil || tokens + EPSILON < w.n) break;
      tokens = Math.max(0, tokens - w.n);
      finish(w);
      served++;
      w.resolve();
    }
    compact();
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    const next = front();
    if (next === undefined) return;
    const wait = Math.max(pausedUntil - now, (next.n - tokens) * msPerToken);
    // A timer that fired and served nobody (float rounding) waits at least 1 ms next, so time moves.
    timer = clock.setTimeout(onTimer, fromTimer && served === 0 ? Math.max(wait, 1) : wait);
  };
  const onTimer = (): void => {
    timer = undefined;
    drain(true);
  };

  const tryTake = (n = 1): boolean => {
    checkN(n);
    if (waiting > 0) return false;
    const now = clock.now();
    if (now < pausedUntil) return false;
    refill(now);
    if (tokens + EPSILON < n) return false;
    tokens = Math.max(0, tokens - n);
    return true;
  };

  return {
    tryTake,
    take(n = 1, signal) {
      checkN(n);
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (tryTake(n)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { n, resolve, signal, onAbort: undefined, done: false };
        if (signal) {
          waiter.onAbort = () => {
            if (waiter.done) return;
            finish(waiter);
            reject(signal.reason);
            drain(false); // the next in line may be servable now
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        queue.push(waiter);
        waiting++;
        queuedTokens += n;
        if (waiting === 1) drain(false);
      });
    },
    msUntil(n = 1) {
      checkN(n);
      const now = clock.now();
      refill(now);
      const wait = Math.max(pausedUntil - now, (queuedTokens + n - tokens - EPSILON) * msPerToken);
      return wait > 1e-9 ? Math.ceil(wait - 1e-9) : 0;
    },
    available() {
      refill(clock.now());
      return tokens;
    },
    pause(untilMs) {
      if (typeof untilMs !== 'number' || !Number.isFinite(untilMs)) {
        throw new TypeError(`Expected \`untilMs\` to be a finite clock time in ms, got ${describe(untilMs)}`);
      }
      if (untilMs <= pausedUntil) return;
      pausedUntil = untilMs;
      if (waiting > 0) drain(false);
    },
  };
}
