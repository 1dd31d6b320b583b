import type { Clock } from '../time/clock.js';

/**
 * Waiting that gives way to an `AbortSignal`: the building blocks that let a provider honour
 * `ctx.signal` (abort → reject at once) while its time comes from the injected clock.
 *
 * ```ts
 * await wait(ctx.clock, 250, ctx.signal); // 250 ms of clock time, or the abort reason
 * ```
 */

/** Throws the signal's reason if it is already aborted. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

/**
 * Resolves after `ms` of `clock` time; rejects with `signal.reason` as soon as the signal
 * aborts, and then cancels the timer so nothing is left armed.
 */
export function wait(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Never resolves; rejects with `signal.reason` when the signal aborts. A hung call. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
