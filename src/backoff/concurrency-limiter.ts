/**
 * A concurrency limiter: at most `concurrency` async tasks run at once; the rest wait their
 * turn, first come, first served.
 *
 * ```ts
 * const limiter = createConcurrencyLimiter({ concurrency: 10 });
 * const user = await limiter.run(() => api.getUser('alice'), signal);
 * await limiter.idle(); // nothing running, nothing waiting
 * ```
 *
 * `signal` governs the wait only: a task whose signal aborts while it is queued is removed
 * and its promise rejects with `signal.reason`; once a task runs, cancelling it is `fn`'s
 * business (hand it the same signal).
 *
 * It sits on the path of every provider call, so it stays light: when a slot is free, `run`
 * calls `fn` at once and returns `fn`'s own promise, adding only the one reaction that frees
 * the slot; the queue is an array read from a moving head, so dequeuing is O(1).
 */

export interface ConcurrencyLimiterOptions {
  /** How many tasks may run at once: an integer >= 1. */
  concurrency: number;
}

export interface ConcurrencyLimiter {
  /**
   * Run `fn` when a slot is free and settle as it settles. Rejects with `signal.reason`,
   * without running `fn`, if `signal` is aborted before `fn` starts.
   */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly pending: number;
  /** Resolves once nothing runs and nothing waits (at once if that is so already). */
  idle(): Promise<void>;
}

interface Task {
  readonly fn: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  const concurrency = options?.concurrency;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(
      `Expected \`concurrency\` to be an integer from 1 and up, got \`${String(concurrency)}\` (${typeof concurrency})`,
    );
  }
  let active = 0;
  let pending = 0;
  // FIFO: an array read from `head`; tasks aborted while queued are marked done and skipped.
  let queue: (Task | undefined)[] = [];
  let head = 0;
  let idleWaiters: (() => void)[] = [];

  const compact = (): void => {
    if (pending === 0) {
      queue.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 >= queue.length) {
      queue = queue.slice(head);
      head = 0;
    } else if (queue.length - head > 1024 + 2 * pending) {
      queue = queue.slice(head).filter((task) => task !== undefined && !task.done); // many aborted
      head = 0;
    }
  };

  const notifyIdle = (): void => {
    if (active !== 0 || pending !== 0 || idleWaiters.length === 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  // Start queued tasks while slots are free. A loop, not recursion: a long run of tasks that
  // throw synchronously must not grow the stack.
  const startQueued = (): void => {
    while (active < concurrency && pending > 0) {
      const task = queue[head];
      queue[head++] = undefined; // let it be collected
      if (task === undefined || task.done) continue;
      task.done = true;
      pending--;
      if (task.onAbort) task.signal?.removeEventListener('abort', task.onAbort);
      active++;
      let result: unknown;
      try {
        result = task.fn();
      } catch (error) {
        active--;
        task.reject(error);
        continue;
      }
      if (isThenable(result)) result.then(release, release);
      else active--;
      task.resolve(result);
    }
    compact();
    notifyIdle();
  };

  function release(): void {
    active--;
    startQueued();
  }

  return {
    run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (typeof fn !== 'function') {
        throw new TypeError(
          `Expected \`fn\` to be a function returning a promise, got \`${String(fn)}\` (${typeof fn})`,
        );
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (active < concurrency) {
        // The fast path: no queue, no wrapper promise.
        active++;
        let result: Promise<T>;
        try {
          result = fn();
        } catch (error) {
          release();
          return Promise.reject(error);
        }
        if (isThenable(result)) {
          result.then(release, release);
          return result;
        }
        release();
        return Promise.resolve(result);
      }
      return new Promise<T>((resolve, reject) => {
        const task: Task = {
          fn,
          resolve: resolve as (value: unknown) => void,
          reject,
          signal,
          onAbort: undefined,
          done: false,
        };
        if (signal) {
          task.onAbort = () => {
            if (task.done) return;
            task.done = true;
            pending--;
            reject(signal.reason);
            compact();
            notifyIdle();
          };
          signal.addEventListener('abort', task.onAbort, { once: true });
        }
        queue.push(task);
        pending++;
      });
    },
    get active() {
      return active;
    },
    get pending() {
      return pending;
    },
    idle() {
      if (active === 0 && pending === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
