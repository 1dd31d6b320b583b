import type { Logger } from 'pino';
import { ABORTED, type ProviderContext } from '../contract/provider.js';
import type { Clock } from '../time/clock.js';
import type { OperationClient, OperationQueue, OperationWork } from './operation-queue.js';

/** One operation; it is also the provider's `ctx`. */
export class Operation implements ProviderContext {
  /**
   * When it started and was admitted, in ms since its queue's `epoch` (`undefined`: not yet):
   * small integers, which cost no box per operation as times since 1970 would.
   */
  startedAt: number | undefined = undefined;
  done = false;
  urgent = false;
  next: Operation | undefined = undefined;
  /** When it began waiting for a slot, like `startedAt` (`undefined`: it started on admission); for the queue's stats. */
  queuedAt: number | undefined = undefined;
  #started = false;
  #controller: AbortController | undefined = undefined;
  #abortReason: unknown = undefined;

  constructor(
    private readonly queue: OperationQueue,
    readonly clock: Clock,
    readonly key: string,
    readonly name: string,
    private readonly client: OperationClient,
    private readonly work: OperationWork<OperationClient>,
  ) {}

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  get log(): Logger {
    return this.client.log();
  }

  get handle(): string | undefined {
    return this.client.handle?.();
  }

  get [ABORTED](): boolean {
    return this.#abortReason !== undefined;
  }

  launch(): void {
    this.#started = true;
    let pending: Promise<unknown>;
    try {
      pending = this.work(this.client, this);
    } catch (error) {
      pending = Promise.reject(error); // reported asynchronously, like any failure
    }
    pending.then(
      (value) => this.succeed(value),
      (error: unknown) => {
        this.fail(error);
        this.queue.keyFree(this);
      },
    );
  }

  succeed(value: unknown): void {
    if (this.done) {
      this.queue.keyFree(this); // timed out before: the provider is done with the key only now
      return;
    }
    this.done = true;
    // The client first: the change it submits now for the same key is admitted (urgent) when
    // the key is free, and takes the slot this operation frees, ahead of passes not started.
    try {
      this.client.settled(false, value);
    } finally {
      this.queue.keyFree(this);
      this.queue.released(this, this.#started);
    }
  }

  /** Fail now (timeout, shutdown) or from the provider's rejection; the client hears it once. */
  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.#abortReason = error ?? new Error('aborted');
    this.#controller?.abort(this.#abortReason);
    this.queue.released(this, this.#started);
    if (!this.#started && this.queue.holds(this)) this.queue.keyFree(this);
    // Never inside the caller's own stack (shutdown runs in an abort listener).
    queueMicrotask(() => this.client.settled(true, error));
  }
}
