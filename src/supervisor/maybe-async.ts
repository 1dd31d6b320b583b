/**
 * Values that may or may not be promises.
 *
 * A child's `start` and `stop` may return at once or return a promise. The supervisor follows
 * suit: when every child it touches answers synchronously, a restart completes within the call
 * that reported the exit, with no promise and no timer; it only goes asynchronous when a child
 * does. These helpers keep that style readable.
 */

/** Is `value` a promise (or any thenable)? */
export function isPromiseLike<T = unknown>(value: unknown): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Run `next` after `value` settles: at once if it is not a promise, else when it resolves. */
export function andThen<T>(value: unknown, next: () => T | PromiseLike<T>): T | Promise<T> {
  if (isPromiseLike(value)) return Promise.resolve(value).then(next);
  return next() as T | Promise<T>;
}

/** Report an error that must not disturb the caller: re-throw it on a fresh microtask. */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
