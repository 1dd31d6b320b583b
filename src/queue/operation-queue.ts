import type { Logger } from 'pino';
import { createTokenBucket, type TokenBucket } from '../backoff/token-bucket.js';
import { TimeoutError } from '../contract/errors.js';
import type { ProviderContext } from '../contract/provider.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import { Fifo } from './fifo.js';
import { Operation } from './operation.js';
import { QueueStats } from './queue-stats.js';

export interface RateLimit {
  /** Operations per second, sustained. */
  readonly ratePerSec: number;
  /** Operations allowed at once after a quiet period. Default: `ratePerSec` rounded up. */
  readonly burst?: number;
}

/** Who asked for an operation: names it in logs and hears how it ended. */
export interface OperationClient {
  log(): Logger;
  /** The provider's id for the client's object, when one is known (`ProviderContext.handle`). */
  handle?(): string | undefined;
  /** The operation ended: with a value, or (`failed`) with an error. Called once, asynchronously. */
  settled(failed: boolean, result: unknown): void;
}

/** The work of one operation: a shared function of the client, so a call allocates no closure. */
export type OperationWork<C> = (client: C, ctx: ProviderContext) => Promise<unknown>;

/**
 * Every provider operation of one kind goes through this queue, which keeps four promises:
 *
 * - **one at a time per key**: an operation starts only once the previous one for the same key
 *   has truly ended — when the provider's own promise settled, not when a timeout gave up on
 *   it — so a provider that keeps working after its signal aborted never overlaps the next call;
 * - **admission**: at most `concurrency` in flight (Terraform's `-parallelism`), an optional
 *   token bucket, and a provider-wide pause when any call says `Retry-After`;
 * - **a deadline**: each operation's `ctx.signal` aborts and its result is a `TimeoutError`
 *   after `timeoutMs`, even if the provider ignores the signal;
 * - **shutdown**: everything running or queued fails at once with the shutdown's reason.
 *
 * It is the hot path of every tick, so it is built to allocate little: one object per operation
 * (which is also the provider's `ctx`; its `AbortController` is made only if the provider reads
 * `ctx.signal`), callbacks instead of promises, and one timer for all deadlines — operations
 * start in deadline order, since they share one timeout, so the oldest is always due first.
 */
export class OperationQueue {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  /** A whole-ms time of the clock when the queue was made: operations keep their times from it. */
  readonly #epoch: number;
  readonly #concurrency: number;
  readonly #bucket: TokenBucket | undefined;
  /** The operation holding each key (from submit until its provider settles), and who waits. */
  readonly #holders = new Map<string, Operation>();
  /** Started and not yet settled by us, in start (= deadline) order. */
  readonly #running = new Set<Operation>();
  readonly #ready = new Fifo<Operation>();
  /** Changes of passes already under way go first: finish what was started (see `submit`). */
  readonly #urgent = new Fifo<Operation>();
  #active = 0;
  #pausedUntil = 0;
  #pauseTimer: TimerHandle | undefined = undefined;
  #sweepTimer: TimerHandle | undefined = undefined;
  #closed: unknown = undefined;
  #isClosed = false;
  /** Admissions, waits and work, counted for the workqueue metrics (read when scraped). */
  readonly stats = new QueueStats();

  constructor(options: {
    clock: Clock;
    timeoutMs: number;
    concurrency: number;
    rateLimit?: RateLimit | undefined;
  }) {
    this.#clock = options.clock;
    this.#epoch = Math.floor(options.clock.now());
    this.#timeoutMs = options.timeoutMs;
    this.#concurrency = options.concurrency;
    const rate = options.rateLimit;
    this.#bucket = rate
      ? createTokenBucket({
          ratePerSec: rate.ratePerSec,
          burst: rate.burst ?? Math.max(1, Math.ceil(rate.ratePerSec)),
          clock: options.clock,
        })
      : undefined;
  }

  /** Operations started and not yet ended. */
  get active(): number {
    return this.#active;
  }

  /** Operations admitted to the queue and waiting for a slot. */
  get pending(): number {
    return this.#ready.size + this.#urgent.size;
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /**
   * Run `work` for `key` on behalf of `client`, who hears the outcome through `settled`. An
   * `urgent` operation (the apply of a pass that has observed already) waits ahead of the
   * others: with many resources starting at once, creates start as soon as their observations
   * are done, instead of after every other observation.
   */
  submit<C extends OperationClient>(
    key: string,
    name: string,
    client: C,
    work: OperationWork<C>,
    urgent = false,
  ): void {
    const op = new Operation(this, this.#clock, key, name, client, work as OperationWork<OperationClient>);
    op.urgent = urgent;
    if (this.#isClosed) {
      queueMicrotask(() => op.fail(this.#closed));
      return;
    }
    const holder = this.#holders.get(key);
    if (holder) {
      let last = holder;
      while (last.next) last = last.next;
      last.next = op;
      return;
    }
    this.#holders.set(key, op);
    this.#admit(op);
  }

  /** No operation starts before this absolute clock time (a `Retry-After`). */
  pause(untilMs: number): void {
    if (untilMs <= this.#pausedUntil) return;
    this.#pausedUntil = untilMs;
    this.#bucket?.pause(untilMs);
  }

  /** Fail everything running or waiting with `reason`; nothing starts any more. */
  close(reason: unknown): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#closed = reason ?? new Error('shutting down');
    if (this.#pauseTimer !== undefined) this.#clock.clearTimeout(this.#pauseTimer);
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    const doomed: Operation[] = [...this.#running, ...this.#urgent.takeAll(), ...this.#ready.takeAll()];
    for (const holder of this.#holders.values()) {
      for (let op = holder.next; op; op = op.next) doomed.push(op);
      holder.next = undefined;
    }
    for (const op of doomed) op.fail(this.#closed);
  }

  /** The ages in ms at `now` of the work started and not yet settled: their sum and the oldest. */
  inProgress(now: number): { totalMs: number; longestMs: number } {
    let totalMs = 0;
    let longestMs = 0;
    for (const op of this.#running) {
      const age = this.#age(op, now);
      totalMs += age;
      longestMs = Math.max(longestMs, age);
    }
    return { totalMs, longestMs };
  }

  /** Does `op` hold its key (rather than wait in line for it)? */
  holds(op: Operation): boolean {
    return this.#holders.get(op.key) === op;
  }

  // ── internals, called by Operation ─────────────────────────────────────────────────────────

  #admit(op: Operation): void {
    this.stats.adds++;
    if (this.#active < this.#concurrency && this.pending === 0 && this.#open()) {
      if (this.#bucket) op.queuedAt = this.#clock.now() - this.#epoch;
      this.#start(op);
    } else {
      op.queuedAt = this.#clock.now() - this.#epoch;
      if (op.urgent) this.#urgent.push(op);
      else this.#ready.push(op);
      this.#drain();
    }
  }

  /** May an operation start now (no pause in force)? Arms the wake-up when not. */
  #open(): boolean {
    if (this.#pausedUntil === 0) return true; // never paused: no need to read the clock
    const now = this.#clock.now();
    if (this.#pausedUntil <= now) return true;
    if (this.#pauseTimer === undefined) {
      this.#pauseTimer = this.#clock.setTimeout(() => {
        this.#pauseTimer = undefined;
        this.#drain();
      }, this.#pausedUntil - now);
    }
    return false;
  }

  #drain(): void {
    while (this.#active < this.#concurrency && this.pending > 0 && this.#open()) {
      const op = this.#urgent.size > 0 ? this.#urgent.shift() : this.#ready.shift();
      if (!op.done) this.#start(op);
    }
  }

  #start(op: Operation): void {
    this.#active++;
    if (this.#bucket) {
      this.#bucket.take(1).then(
        () => (op.done ? undefined : this.#launch(op)),
        (error: unknown) => op.fail(error),
      );
      return;
    }
    this.#launch(op);
  }

  #launch(op: Operation): void {
    if (this.#isClosed) {
      op.fail(this.#closed);
      return;
    }
    const now = this.#clock.now();
    const at = now - this.#epoch;
    this.stats.waits.observe(op.queuedAt === undefined ? 0 : at - op.queuedAt);
    op.startedAt = at;
    this.#running.add(op);
    if (this.#sweepTimer === undefined) this.#armSweep(now + this.#timeoutMs);
    op.launch();
  }

  #armSweep(at: number): void {
    this.#sweepTimer = this.#clock.setTimeout(() => this.#sweep(), Math.max(0, at - this.#clock.now()));
  }

  /** Time out what is due; then wait for the oldest still running. */
  #sweep(): void {
    this.#sweepTimer = undefined;
    const now = this.#clock.now();
    for (const op of this.#running) {
      const deadline = this.#epoch + (op.startedAt ?? 0) + this.#timeoutMs;
      if (deadline > now) {
        this.#armSweep(deadline);
        return;
      }
      op.fail(new TimeoutError(`${op.key} ${op.name}`, this.#timeoutMs));
    }
  }

  /** How long the started operation `op` has been running at `now`. */
  #age(op: Operation, now: number): number {
    return now - this.#epoch - (op.startedAt ?? 0);
  }

  /** We settled `op` (value, error, timeout or shutdown): free its slot. */
  released(op: Operation, started: boolean): void {
    if (!started) return;
    if (this.#running.delete(op)) {
      this.stats.work.observe(this.#age(op, this.#clock.now()));
    }
    this.#active--;
    // The deadline sweep stays armed when the last operation ends: it fires once and finds
    // nothing. Clearing it here and arming it again for the next operation cost a timer of the
    // runtime's for every idle tick, where operations come one at a time.
    if (this.pending > 0) this.#drain();
  }

  /** The provider's own promise for `op` settled (or it never started): the key is free. */
  keyFree(op: Operation): void {
    const next = op.next;
    op.next = undefined;
    if (!next) {
      if (this.#holders.get(op.key) === op) this.#holders.delete(op.key);
      return;
    }
    this.#holders.set(op.key, next);
    if (this.#isClosed) next.fail(this.#closed);
    else this.#admit(next);
  }
}
