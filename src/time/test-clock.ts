import type { Clock, TimerHandle } from './clock.js';

interface VirtualTimer {
  readonly id: number;
  readonly at: number;
  readonly seq: number;
  fn: (() => void) | undefined;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface TestClockOptions {
  /** The virtual time to start at, in ms. Default 0. */
  start?: number;
  /**
   * How many event-loop turns to give pending work after each timer. Each turn drains every
   * queued microtask (whole promise chains) and one round of `setImmediate` callbacks. Default 3.
   */
  settleTurns?: number;
}

/**
 * A virtual clock for tests and simulation.
 *
 * ```ts
 * const clock = new TestClock();
 * clock.setTimeout(() => console.log('tick at', clock.now()), 1000);
 * await clock.advance(5000); // prints "tick at 1000"
 * ```
 *
 * - `advance(ms)` runs every timer due within the next `ms`, in time order (ties in the order
 *   they were set), moving `now()` to each timer's time before running it, and lets pending
 *   promises settle after each one, so async work started by a timer finishes before the next
 *   timer fires, as it would on a real clock with fast I/O.
 * - `runUntilIdle()` keeps going until no timer is left (with a safety limit, since a
 *   reconciler re-arms its tick forever: prefer `advance` for those).
 *
 * Timers set with 0 or negative delays run at the current time, after those already due.
 */
export class TestClock implements Clock {
  #now: number;
  #seq = 0;
  #nextId = 1;
  // A binary min-heap ordered by (at, seq); cancelled timers are dropped lazily.
  #heap: VirtualTimer[] = [];
  #live = new Map<number, VirtualTimer>();
  readonly #turns: number;

  constructor(options: TestClockOptions = {}) {
    this.#now = options.start ?? 0;
    this.#turns = Math.max(1, options.settleTurns ?? 3);
  }

  /** Let pending promises settle (see `settleTurns`) without moving time. */
  async settle(): Promise<void> {
    for (let i = 0; i < this.#turns; i++) await turn();
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: VirtualTimer = { id: this.#nextId++, at: this.#now + delay, seq: this.#seq++, fn };
    this.#live.set(timer.id, timer);
    this.#push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle !== 'number') return;
    const timer = this.#live.get(handle);
    if (timer) {
      timer.fn = undefined;
      this.#live.delete(handle);
    }
  }

  /** How many timers are armed. */
  pending(): number {
    return this.#live.size;
  }

  /** The time of the next armed timer, or `undefined`. */
  nextAt(): number | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.at;
  }

  /**
   * Move virtual time forward by `ms`, running every timer that falls due, in order.
   * Resolves once time has reached `now() + ms` and the last timer's work has settled.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new TypeError(`Expected \`ms\` to be a number >= 0, got \`${ms}\``);
    const target = this.#now + ms;
    await this.settle();
    for (;;) {
      this.#dropCancelled();
      const next = this.#heap[0];
      if (!next || next.at > target) break;
      this.#fire();
      await this.settle();
    }
    this.#now = Math.max(this.#now, target);
    await this.settle();
  }

  /** Advance to the given absolute virtual time. */
  async advanceTo(at: number): Promise<void> {
    await this.advance(Math.max(0, at - this.#now));
  }

  /**
   * Run timers until none is left. Throws after `maxTimers` (default 100,000) so that a
   * timer that re-arms itself forever fails the test instead of hanging it.
   */
  async runUntilIdle(options: { maxTimers?: number } = {}): Promise<void> {
    const limit = options.maxTimers ?? 100_000;
    let ran = 0;
    await this.settle();
    for (;;) {
      this.#dropCancelled();
      if (this.#heap.length === 0) return;
      if (ran++ >= limit) {
        throw new Error(
          `TestClock.runUntilIdle: still busy after ${limit} timers (something re-arms itself forever); use advance(ms) instead`,
        );
      }
      this.#fire();
      await this.settle();
    }
  }

  #fire(): void {
    const timer = this.#pop();
    if (!timer) return;
    this.#now = Math.max(this.#now, timer.at);
    const fn = timer.fn;
    this.#live.delete(timer.id);
    timer.fn = undefined;
    fn?.();
  }

  #dropCancelled(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.fn === undefined) this.#pop();
  }

  #less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(timer: VirtualTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): VirtualTimer | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.#less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.#less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
