/**
 * Errors a provider throws to steer the reconcile loop.
 *
 * | what the provider throws     | what the resource actor does                                   |
 * |------------------------------|----------------------------------------------------------------|
 * | anything                     | a failure: retried with backoff; Degraded after `maxRetries`   |
 * | `RetryableError` + retryAfter| a failure whose next retry waits at least `retryAfterMs`       |
 * |                              | (and slows the whole provider, not only this key)              |
 * | `PermanentError`             | not retried: Degraded at once, until the spec changes          |
 *
 * An exception anywhere else in the actor (a bug, a broken hook) is a crash: the actor's
 * supervisor restarts it.
 */

export class RetryableError extends Error {
  readonly kind = 'retryable' as const;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryableError';
    this.retryAfterMs = options.retryAfterMs;
  }

  static is(error: unknown): error is RetryableError {
    return error instanceof RetryableError || (isObject(error) && error.kind === 'retryable');
  }
}

export class PermanentError extends Error {
  readonly kind = 'permanent' as const;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PermanentError';
  }

  static is(error: unknown): error is PermanentError {
    return error instanceof PermanentError || (isObject(error) && error.kind === 'permanent');
  }
}

/** The operation ran past its timeout and was aborted. Retried like any failure. */
export class TimeoutError extends Error {
  readonly kind = 'timeout' as const;
  constructor(operation: string, ms: number) {
    super(`${operation} timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The floor a failed call puts on the next delay, if it carries one. */
export function retryAfterOf(error: unknown): number | undefined {
  if (!isObject(error)) return undefined;
  const ms = error.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** A short, single-line description of an error for status and events. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
