import type { Clock } from './clock.js';
import { TimeoutError } from './errors.js';

/**
 * Run one provider operation under a deadline.
 *
 * The operation gets an `AbortSignal` that fires on whichever comes first: its own timeout
 * (`timeoutMs` on the injected clock) or `shutdown`. The returned promise settles as soon as
 * the signal fires, even if the provider ignores it: a hung call never wedges its actor.
 */
export function runWithTimeout<T>(
  clock: Clock,
  name: string,
  timeoutMs: number,
  shutdown: AbortSignal,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const signal = controller.signal;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      clock.clearTimeout(timer);
      shutdown.removeEventListener('abort', onShutdown);
    };
    const onShutdown = () => {
      if (settled) return;
      finish();
      const reason = shutdown.reason ?? new Error(`${name} aborted: shutting down`);
      controller.abort(reason);
      reject(reason);
    };
    const timer = clock.setTimeout(() => {
      if (settled) return;
      finish();
      const error = new TimeoutError(name, timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    if (shutdown.aborted) {
      onShutdown();
      return;
    }
    shutdown.addEventListener('abort', onShutdown, { once: true });
    let pending: Promise<T>;
    try {
      pending = fn(signal);
    } catch (error) {
      finish();
      reject(error);
      return;
    }
    pending.then(
      (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        finish();
        reject(error);
      },
    );
  });
}
