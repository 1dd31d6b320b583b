import type { Clock, TimerHandle } from './clock.js';

/** Something that can be woken at a time: it remembers when it is due (`NaN`: not armed). */
export interface Tickable {
  tickDue: number;
  onTick(): void;
}

/**
 * One timer per distinct due time, shared by everything due then: 100,000 resources ticking
 * every second hold a few hundred timers between them, not 100,000, and re-arming one allocates
 * nothing but an array slot.
 *
 * Exact, unlike a hashed wheel: a tickable armed for `delay` fires at `now + delay`, as with
 * `clock.setTimeout`. Disarming is O(1) and lazy (the entry stays in its bucket and is skipped
 * when the bucket fires), so nothing is ever searched.
 */
export class TickTimers {
  readonly #clock: Clock;
  readonly #buckets = new Map<number, { readonly due: Tickable[]; readonly timer: TimerHandle }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Wake `t` after `delay` ms (replacing any earlier arming); `now`: the clock's time, if read already. */
  arm(t: Tickable, delay: number, now = this.#clock.now()): void {
    const at = now + delay;
    t.tickDue = at;
    const bucket = this.#buckets.get(at);
    if (bucket) {
      bucket.due.push(t);
      return;
    }
    const timer = this.#clock.setTimeout(() => this.#fire(at), delay);
    this.#buckets.set(at, { due: [t], timer });
  }

  disarm(t: Tickable): void {
    t.tickDue = Number.NaN;
  }

  /** Distinct due times with a timer armed. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Clear every timer: nothing fires any more. */
  close(): void {
    for (const bucket of this.#buckets.values()) this.#clock.clearTimeout(bucket.timer);
    this.#buckets.clear();
  }

  #fire(at: number): void {
    const bucket = this.#buckets.get(at);
    if (!bucket) return;
    this.#buckets.delete(at);
    for (const t of bucket.due) {
      if (t.tickDue !== at) continue; // disarmed, or armed again for another time
      t.tickDue = Number.NaN;
      t.onTick();
    }
  }
}
