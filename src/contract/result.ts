/**
 * A result: either a value or every error that stopped it, as data.
 *
 * Pure functions in setpoint report bad input this way instead of throwing, so a caller sees
 * all problems at once (a config with two duplicate keys and a cycle gets three errors, not
 * one) and nothing is swallowed by a stray `catch`.
 *
 * ```ts
 * const result = diff(desired, current);
 * if (!result.ok) {
 *   for (const e of result.errors) console.error(e.message);
 * } else {
 *   console.log(renderPlan(result.value));
 * }
 * ```
 *
 * Misuse (an option of the wrong type, a function called with the wrong arguments) is a bug in
 * the caller, not bad input: that still throws a `TypeError`.
 */
export type Result<T, E> = Ok<T> | Err<E>;

export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Err<E> {
  readonly ok: false;
  /** Every problem found, in a stable order; never empty. */
  readonly errors: readonly E[];
}

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/** A failed result. Throws a `TypeError` when given no errors: a failure always says why. */
export function err<E>(errors: readonly E[]): Err<E> {
  if (!Array.isArray(errors) || errors.length === 0) {
    throw new TypeError('Expected `errors` to be a non-empty array: a failed result always says why');
  }
  return { ok: false, errors };
}

/**
 * The value of an ok result; for a failed one, throws an `Error` whose message lists every
 * error's `message`. For scripts and tests, where a failure should stop everything.
 */
export function unwrap<T, E extends { readonly message: string }>(result: Result<T, E>): T {
  if (result.ok) return result.value;
  throw new Error(result.errors.map((e) => e.message).join('\n'));
}
