/**
 * How a value shows in an error message. Misuse throws a `TypeError` that names the option,
 * shows what it got and says what is allowed; every such message in setpoint shows the value
 * the same way:
 *
 * ```text
 * Expected `maxRestarts` to be an integer >= 0 (or Infinity), got `-1` (number)
 * Expected `strategy` to be one of oneForOne, oneForAll, restForOne, got `"one_for_all"` (string)
 * ```
 */

/** A short, single-line rendering of a value: `` `0` (number) ``, `` `"x"` (string) ``. */
export function describe(value: unknown): string {
  if (value === null) return '`null` (null)';
  if (Array.isArray(value)) return `\`${clip(safeJson(value))}\` (array)`;
  if (typeof value === 'object') return `\`${clip(safeJson(value))}\` (object)`;
  if (typeof value === 'string') return `\`${clip(JSON.stringify(value))}\` (string)`;
  if (typeof value === 'function') return 'a function';
  return `\`${String(value)}\` (${typeof value})`;
}

/**
 * What sort of value it is, without showing it: `null`, `an array`, `an object`, `a string`…
 * For a value returned where none (or another sort) was expected, or one that may be a secret.
 */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
