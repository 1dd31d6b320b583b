import { isPromiseLike, rethrowLater } from './maybe-async.js';

/** One unit of supervisor work: done when it returns, or when the promise it returns settles. */
export type Operation = () => unknown;

/**
 * The supervisor's mailbox: operations run one at a time, in the order they were posted, as an
 * OTP supervisor handles one message at a time.
 *
 * An exit reported while the supervisor is busy (say, waiting for a sibling to stop during a
 * `oneForAll` restart) waits its turn; by then the child that reported it may have been
 * replaced, and the exit is recognised as stale. An operation that finishes synchronously lets
 * the next one run at once, so a supervisor whose children answer synchronously never waits on
 * a promise. An operation must not throw; if one does, that is a bug, reported as uncaught, and
 * the mailbox carries on.
 */
export class Mailbox {
  #queue: ({ op: Operation; after: (() => void) | undefined } | undefined)[] = [];
  #head = 0;
  #running = false;

  /** Is an operation running (or waiting for its promise)? */
  get busy(): boolean {
    return this.#running;
  }

  /**
   * Run `op` now if idle, else after those posted before it. `after` runs once `op` is done,
   * before the next operation starts (a caller resolving a promise there sees the mailbox idle
   * when its continuation runs, unless more work was posted).
   */
  post(op: Operation, after?: () => void): void {
    this.#queue.push({ op, after });
    if (!this.#running) this.#drain();
  }

  #drain(): void {
    this.#running = true;
    while (this.#head < this.#queue.length) {
      const { op, after } = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined;
      let result: unknown;
      try {
        result = op();
      } catch (error) {
        rethrowLater(error);
      }
      if (isPromiseLike(result)) {
        result.then(
          () => {
            after?.();
            this.#drain();
          },
          (error) => {
            rethrowLater(error);
            after?.();
            this.#drain();
          },
        );
        return;
      }
      after?.();
    }
    this.#queue = [];
    this.#head = 0;
    this.#running = false;
  }
}
