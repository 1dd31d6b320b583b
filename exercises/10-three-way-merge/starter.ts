/**
 * Exercise 10 — three-way merge. Read README.md first; then make `npm run exercise -- 10` pass.
 *
 * This version is the two-way diff of exercise 01, reaching into nested objects: it sets what
 * desired declares, and never removes anything. The helpers at the end are given. Each
 * `TODO(you)` marks a gap.
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
  // TODO(you): the removals, after the declared changes, in the order of last-applied's fields.
  // A field last-applied set, desired no longer has and observed still holds was yours, and
  // you dropped it: remove it, as { path, old: observed's value, new: undefined }. A field
  // last-applied never set is someone else's (the server's `id`, another team's label): leave
  // it. No last-applied at all: nothing is yours to remove.
  // TODO(you): inside a nested object that all three hold, remove the one dropped field, not
  // the whole object.
  void lastApplied;
  return changes;
}

/** The fields of `desired` that `observed` does not match, at any depth. */
function declared(desired: Spec, observed: Spec, path: string, out: Change[]): void {
  for (const [field, want] of Object.entries(desired)) {
    // TODO(you): a field desired holds as `undefined` is no value to set: skip it here. It counts
    // as a field desired lacks; the walk over last-applied decides whether it is removed.
    const have = fieldOf(observed, field);
    const here = join(path, field);
    if (isObject(want) && isObject(have)) declared(want, have, here, out);
    else if (!sameValue(want, have)) out.push({ path: here, old: have, new: want });
  }
}

// Given: small helpers.

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

/** `path` followed by `field`: `join('', 'labels')` is `labels`, `join('labels', 'owner')` is `labels.owner`. */
function join(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}
