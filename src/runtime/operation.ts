import type { Logger } from 'pino';
import type { Clock, TimerHandle } from './clock.js';
import { TimeoutError } from './errors.js';
import type { ProviderContext } from './provider.js';

/**
 * Provider operations under a deadline, for one provider.
 *
 * Each operation gets a context whose `signal` fires on whichever comes first: its own timeout
 * (on the injected clock) or shutdown. The operation's promise settles as soon as that happens,
 * even if the provider ignores the signal, so a hung call never wedges its actor.
 *
 * Cheap on the hot path: the `AbortController` is created only if the provider reads
 * `ctx.signal`, and shutdown walks the set of running operations instead of every operation
 * adding a listener to one shared signal (which is O(n) per add in Node).
 */
export interface Operations {
  run<T>(name: string, fn: (ctx: ProviderContext) => Promise<T>, log: () => Logger): Promise<T>;
  /** Operations running now. */
  readonly size: number;
}

export function createOperations(clock: Clock, timeoutMs: number, shutdown: AbortSignal): Operations {
  const running = new Set<RunningOperation>();
  const onShutdown = () => {
    const reason = shutdown.reason ?? new Error('shutting down');
    for (const op of [...running]) op.fail(reason);
  };
  shutdown.addEventListener('abort', onShutdown, { once: true });

  return {
    run<T>(name: string, fn: (ctx: ProviderContext) => Promise<T>, log: () => Logger): Promise<T> {
      if (shutdown.aborted) return Promise.reject(shutdown.reason ?? new Error(`${name}: shutting down`));
      return new Promise<T>((resolve, reject) => {
        const op = new RunningOperation(clock, log, running, resolve as (v: unknown) => void, reject);
        running.add(op);
        op.timer = clock.setTimeout(() => op.fail(new TimeoutError(name, timeoutMs)), timeoutMs);
        let pending: Promise<T>;
        try {
          pending = fn(op);
        } catch (error) {
          op.fail(error);
          return;
        }
        pending.then(
          (value) => op.succeed(value),
          (error: unknown) => op.fail(error),
        );
      });
    },
    get size() {
      return running.size;
    },
  };
}

/** One running operation; it is also the provider's `ctx`. */
class RunningOperation implements ProviderContext {
  timer: TimerHandle | undefined = undefined;
  #controller: AbortController | undefined = undefined;
  #abortReason: unknown = undefined;
  #settled = false;

  constructor(
    readonly clock: Clock,
    private readonly makeLog: () => Logger,
    private readonly running: Set<RunningOperation>,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  get log(): Logger {
    return this.makeLog();
  }

  succeed(value: unknown): void {
    if (this.#settled) return;
    this.#finish();
    this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.#settled) return;
    this.#finish();
    this.#abortReason = error ?? new Error('aborted');
    this.#controller?.abort(this.#abortReason);
    this.reject(error);
  }

  #finish(): void {
    this.#settled = true;
    this.running.delete(this);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }
}
