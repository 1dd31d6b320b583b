/**
 * Errors a provider throws to steer the reconcile loop.
 *
 * | what the provider throws     | what the resource actor does                                   |
 * |------------------------------|----------------------------------------------------------------|
 * | anything                     | a failure: retried with backoff; Degraded after `maxRetries`   |
 * | `RetryableError` + retryAfter| a failure whose next retry waits at least `retryAfterMs`       |
 * |                              | (and slows the whole provider, not only this key)              |
 * | `PermanentError`             | not retried: Degraded at once, until the spec changes          |
 * | `UnreachableError`           | the target cannot be reached (a node is offline): not a        |
 * |                              | failure of the resource, so it does not count towards          |
 * |                              | `maxRetries`; the next try waits `retryAfterMs` (default the   |
 * |                              | backoff's cap), or until the provider's `watch` wakes it       |
 *
 * An exception anywhere else in the actor (a bug, a broken hook) is a crash: the actor's
 * supervisor restarts it. So is a provider that breaks its contract by returning a value it must
 * not: that is a {@link ProviderContractError}.
 *
 * Every error class in setpoint carries a `kind` and a static `is()` guard, which also
 * recognises an error by its `kind` when it crossed a realm (a worker, another copy of the
 * package) and `instanceof` cannot.
 */

/** Does `error` carry this `kind`? The guard behind every `is()`. */
export function hasKind(error: unknown, kind: string): boolean {
  return isObject(error) && error.kind === kind;
}

export class RetryableError extends Error {
  readonly kind = 'retryable' as const;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryableError';
    this.retryAfterMs = options.retryAfterMs;
  }

  static is(error: unknown): error is RetryableError {
    return error instanceof RetryableError || hasKind(error, 'retryable');
  }
}

export class PermanentError extends Error {
  readonly kind = 'permanent' as const;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PermanentError';
  }

  static is(error: unknown): error is PermanentError {
    return error instanceof PermanentError || hasKind(error, 'permanent');
  }
}

/**
 * The thing the provider talks to cannot be reached now (a node that stopped answering): the
 * resource is not failing, its target is away. The actor keeps its attempts, shows `reason`
 * (e.g. `NodeUnreachable`) on its Ready condition, tries again after `retryAfterMs` (default:
 * the backoff's cap) and at once when the provider's `watch` names it (the target is back).
 */
export class UnreachableError extends Error {
  readonly kind = 'unreachable' as const;
  readonly reason: string;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { reason?: string; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UnreachableError';
    this.reason = options.reason ?? 'Unreachable';
    this.retryAfterMs = options.retryAfterMs;
  }

  static is(error: unknown): error is UnreachableError {
    return error instanceof UnreachableError || hasKind(error, 'unreachable');
  }
}

/** The operation ran past its timeout and was aborted. Retried like any failure. */
export class TimeoutError extends Error {
  readonly kind = 'timeout' as const;
  constructor(operation: string, ms: number) {
    super(`${operation} timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }

  static is(error: unknown): error is TimeoutError {
    return error instanceof TimeoutError || hasKind(error, 'timeout');
  }
}

/**
 * A provider broke its contract (returned a value it must not): a bug, so the actor crashes and
 * its supervisor starts a fresh one, which looks at the world again.
 */
export class ProviderContractError extends TypeError {
  readonly kind = 'provider-contract' as const;
  override readonly name = 'ProviderContractError';

  static is(error: unknown): error is ProviderContractError {
    return error instanceof ProviderContractError || hasKind(error, 'provider-contract');
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
