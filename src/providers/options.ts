import { describe, kindOf } from '../contract/describe.js';

/**
 * Option checking shared by the built-in providers.
 *
 * Misuse is a bug in the caller, so it throws a `TypeError` that names the option, shows the
 * value it got and says what is allowed:
 *
 * ```text
 * Expected `options.root` of the `file` provider to be a directory path like './out', got `undefined` (undefined)
 * ```
 */

/** A `TypeError` saying `option` should have been `expected`, and what it got instead. */
export function optionError(option: string, value: unknown, expected: string): TypeError {
  return new TypeError(`Expected \`${option}\` to be ${expected}, got ${describe(value)}`);
}

/** Like {@link optionError}, but never shows the value: for options that may hold secrets. */
export function secretOptionError(option: string, value: unknown, expected: string): TypeError {
  return new TypeError(`Expected \`${option}\` to be ${expected}, got ${kindOf(value)} (not shown)`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws when `options` has a key outside `allowed` (a typo is better caught than ignored). */
export function rejectUnknownKeys(options: object, allowed: readonly string[], name: string): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(
        `Unknown option \`${name}.${key}\`: the allowed options are ${allowed.map((k) => `\`${k}\``).join(', ')}`,
      );
    }
  }
}

/** A finite number >= `min`, or a `TypeError` naming `option`. */
export function checkNumber(value: unknown, option: string, min: number, example: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw optionError(option, value, `a finite number >= ${min}, like ${example}`);
  }
  return value;
}

/** A non-empty string, or a `TypeError` naming `option`. */
export function checkString(value: unknown, option: string, example: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw optionError(option, value, `a non-empty string, like ${example}`);
  }
  return value;
}
