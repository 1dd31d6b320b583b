/**
 * Time, injected; and the one place that touches the real clock and real randomness.
 *
 * Nothing else in `src/` reads the wall clock, arms a real timer or calls `Math.random`:
 * everything takes a {@link Clock} and a `Random` (see `random.ts`). In production those are
 * {@link systemClock} and {@link systemRandom}, which only the shell (the runtime's options, the
 * command line) hands in; in tests they are a `TestClock` (see `test-clock.ts`) and a
 * `seededRandom`, which run hours of reconciling, crashes and backoff in milliseconds, the same
 * way every time.
 */
import type { Random } from './random.js';

/** An opaque timer handle: whatever the clock's `setTimeout` returned. */
export type TimerHandle = unknown;

/** The one source of time. Compatible with xstate's `clock` option. */
export interface Clock {
  /** Milliseconds since an arbitrary epoch (Unix epoch for the system clock). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node fires any delay above 2^31-1 ms (about 24.8 days) after 1 ms; longer waits are chained. */
const MAX_NODE_DELAY = 2 ** 31 - 1;

interface LongTimer {
  t: ReturnType<typeof setTimeout>;
}

/** The real clock. The only place in `src/` that touches real time. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    if (ms > MAX_NODE_DELAY) {
      const handle: LongTimer = { t: undefined as unknown as ReturnType<typeof setTimeout> };
      const due = Date.now() + ms;
      const arm = () => {
        const left = due - Date.now();
        handle.t = setTimeout(left > MAX_NODE_DELAY ? arm : fn, Math.min(left, MAX_NODE_DELAY));
        handle.t.unref?.();
      };
      arm();
      return handle;
    }
    const t = setTimeout(fn, ms);
    // A reconciler's tick must never keep a process alive on its own.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => {
    if (typeof handle === 'object' && handle !== null && 't' in handle) clearTimeout((handle as LongTimer).t);
    else clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** The real source of randomness. */
export const systemRandom: Random = () => Math.random();
