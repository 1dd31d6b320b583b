import type { FieldChange } from '../contract/provider.js';
import { parsePath } from '../diff/path.js';

/**
 * The body of an HTTP `PATCH`: a JSON merge patch (RFC 7396) that makes `current` agree with
 * the desired spec, and says nothing about what already agrees. Pure.
 *
 * ```ts
 * patchOf({ role: 'admin', env: { A: '1', C: '3' } }, { name: 'alice', role: 'guest', env: { A: '1', B: '2' } });
 * // { role: 'admin', env: { C: '3' } }
 * ```
 *
 * It follows the same rule as setpoint's diff: only what the spec names is compared, and a
 * field only the server has (an id, a timestamp, a default) is left alone, never removed.
 * - A field missing or different in `current` is sent; objects on both sides are patched
 *   field by field; anything else (arrays included) is sent whole.
 * - The law: merging the patch into `current` gives an object that agrees with the spec on
 *   every field the spec names, and keeps every other field of `current`.
 * - A merge patch cannot say "set this to `null`" (`null` means remove): for specs with `null`
 *   values, update with `PUT`.
 * - `changes` (the update's): a field to remove (`new: undefined`, a field setpoint set before
 *   and the spec dropped) is sent as `null`, which removes it.
 */
export function patchOf(
  desired: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
  changes: readonly FieldChange[] = [],
): Record<string, unknown> {
  const patch = differences(desired, current);
  for (const change of changes) if (change.new === undefined) removeIn(patch, change.path);
  return patch;
}

/** `null` at `path` in `patch`, the merge patch's word for "remove". Paths into arrays are skipped. */
function removeIn(patch: Record<string, unknown>, path: string): void {
  const segments = parsePath(path);
  if (segments === undefined || segments.length === 0) return;
  let here = patch;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i];
    if (typeof segment !== 'string') return;
    const next = here[segment];
    if (!isPlainObject(next)) here[segment] = {};
    here = here[segment] as Record<string, unknown>;
  }
  const last = segments[segments.length - 1];
  if (typeof last === 'string') here[last] = null;
}

function differences(
  desired: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(desired)) {
    const want = desired[key];
    const have = current[key];
    if (!Object.hasOwn(current, key)) {
      patch[key] = want;
    } else if (isPlainObject(want) && isPlainObject(have)) {
      const inner = differences(want, have);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else if (!sameJson(want, have)) {
      patch[key] = want;
    }
  }
  return patch;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values (key order does not matter). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  return keys.every((key) => Object.hasOwn(rb, key) && sameJson(ra[key], rb[key]));
}
