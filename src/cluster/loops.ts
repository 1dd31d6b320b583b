import type { Clock, TimerHandle } from '../time/clock.js';

/**
 * The rhythm of an instance: work that must run one thing at a time on its database sessions
 * (`serial`), and timers that run work again `ms` after each run ends (`every`), until `stop`.
 */
export class Loops {
  #queue: Promise<void> = Promise.resolve();
  /** The pending timer of each loop, by name: one per loop, however long it runs. */
  readonly #timers = new Map<string, TimerHandle>();
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (during: string, error: unknown) => void,
  ) {}

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Run `work` after everything queued before it, whether that succeeded or not. */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /** Run `work` every `ms` (counted from the end of the run before); a failure is reported. */
  every(ms: number, work: () => Promise<void>, during: string): void {
    const again = () => {
      if (this.#stopped) return;
      this.#timers.set(
        during,
        this.clock.setTimeout(() => {
          void work()
            .catch((error) => this.onError(during, error))
            .finally(again);
        }, ms),
      );
    };
    again();
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) this.clock.clearTimeout(timer);
    this.#timers.clear();
  }
}
