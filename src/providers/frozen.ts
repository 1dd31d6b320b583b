/**
 * Deeply frozen copies of JSON-like values, made once and then shared.
 *
 * The memory provider stores specs this way so that `observe` can hand out the stored object
 * itself (no copy per call) without any caller being able to change the store by accident.
 * Plain objects and arrays are copied and frozen all the way down; anything else (a `Date`, a
 * class instance) is kept as it is.
 */

// Values this module made: they are frozen all the way down and can be shared as they are.
const madeHere = new WeakSet<object>();

/** A deeply frozen copy of `value`, or `value` itself when this module already froze it. */
export function frozenCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null || madeHere.has(value)) return value;
  let copy: object;
  if (Array.isArray(value)) {
    copy = value.map(frozenCopy);
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = frozenCopy((value as Record<string, unknown>)[key]);
    copy = out;
  }
  Object.freeze(copy);
  madeHere.add(copy);
  return copy as T;
}
