/**
 * Exercise 10 — three-way merge: a solution.
 *
 * Two walks: one over desired for the fields that differ (exercise 01's diff, reaching into
 * nested objects), then one over last-applied for the fields desired dropped and observed
 * still holds.
 */

/** A value in a spec: what JSON can hold. */
export type Value = string | number | boolean | null | readonly Value[] | Spec;

/**
 * A spec: field name to value. Names are plain words, so a path is names joined by dots
 * (`labels.owner`). Only desired may hold a field as `undefined`.
 */
export interface Spec {
  readonly [field: string]: Value | undefined;
}

/**
 * One change to observed: the value at `path` must become `new`; `new: undefined` removes the
 * field. `old` is observed's value there (`undefined` when observed lacks it).
 */
export interface Change {
  readonly path: string;
  readonly old: Value | undefined;
  readonly new: Value | undefined;
}

/** The changes that bring `observed` to `desired`, knowing what was applied last. See README.md. */
export function threeWayChanges(lastApplied: Spec | undefined, desired: Spec, observed: Spec): Change[] {
  const changes: Change[] = [];
  declared(desired, observed, '', changes);
  // No last-applied: nothing was ever ours, so nothing is ours to remove.
  if (lastApplied !== undefined) dropped(lastApplied, desired, observed, '', changes);
  return changes;
}

/** The fields `desired` holds a value for that `observed` does not match, at any depth. */
function declared(desired: Spec, observed: Spec, path: string, out: Change[]): void {
  for (const [field, want] of Object.entries(desired)) {
    if (want === undefined) continue; // not declared: dropped, which is the other walk's business
    const have = fieldOf(observed, field);
    const here = join(path, field);
    if (isObject(want) && isObject(have)) declared(want, have, here, out);
    else if (!sameValue(want, have)) out.push({ path: here, old: have, new: want });
  }
}

/** The fields `lastApplied` set, `desired` no longer has and `observed` still holds, at any depth. */
function dropped(lastApplied: Spec, desired: Spec, observed: Spec, path: string, out: Change[]): void {
  for (const [field, was] of Object.entries(lastApplied)) {
    const have = fieldOf(observed, field);
    if (have === undefined) continue; // already gone: nothing to do
    const want = fieldOf(desired, field);
    const here = join(path, field);
    if (want === undefined) out.push({ path: here, old: have, new: undefined });
    else if (isObject(was) && isObject(want) && isObject(have)) dropped(was, want, have, here, out);
  }
}

/** `spec[field]` when it is the spec's own field; `undefined` otherwise (`constructor`, say). */
function fieldOf(spec: Spec, field: string): Value | undefined {
  return Object.hasOwn(spec, field) ? spec[field] : undefined;
}

/** A nested object (not an array, not `null`). */
function isObject(value: Value | undefined): value is Spec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The same value, compared deeply: arrays element by element, objects field by field. */
function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item: Value, i: number) => sameValue(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const field of fields) if (!sameValue(fieldOf(a, field), fieldOf(b, field))) return false;
  return true;
}

function join(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}
