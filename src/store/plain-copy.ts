/** What {@link plainCopy} answers for a value it leaves to `JSON.stringify` and `JSON.parse`. */
export const NOT_PLAIN: unique symbol = Symbol('not plain JSON data');

/** Deeper than this, a value is handed to JSON (which also names a cycle). */
const MAX_DEPTH = 256;

/**
 * A deeply frozen copy of `value` equal to `JSON.parse(JSON.stringify(value))`, made without the
 * text, when `value` is plain JSON data: plain objects and arrays of strings, finite numbers,
 * booleans and `null`, with `undefined` fields (which JSON drops). Strings are shared, not copied
 * (they cannot change), so a copy costs only its objects: the store keeps one for every resource.
 *
 * Anything else answers {@link NOT_PLAIN} and is left to JSON, which knows the rest of its rules:
 * a `toJSON` (a `Date`), a class instance, a `Map`, a non-finite number, an `undefined` in an
 * array, a hole, a function, a symbol, a `BigInt`, a field named `__proto__`, a cycle.
 */
export function plainCopy(value: unknown): unknown {
  return copy(value, 0);
}

function copy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) return NOT_PLAIN;
      return value === 0 ? 0 : value; // -0 is 0 in JSON
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) return NOT_PLAIN;
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) return NOT_PLAIN;
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return NOT_PLAIN;
      const item: unknown = value[i];
      if (item === undefined) return NOT_PLAIN; // JSON makes it null
      const c = copy(item, depth + 1);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out[i] = c;
    }
    return Object.freeze(out);
  }
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const record = value as Record<string, unknown>;
  if (typeof record.toJSON === 'function') return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (key === '__proto__') return NOT_PLAIN;
    const field = record[key];
    if (field === undefined) continue;
    const c = copy(field, depth + 1);
    if (c === NOT_PLAIN) return NOT_PLAIN;
    out[key] = c;
  }
  return Object.freeze(out);
}
