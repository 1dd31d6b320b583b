import { describe } from '../contract/describe.js';
import type { CompareOptions, FieldChange } from '../contract/provider.js';
import { type CompiledCompare, compileCompare, type PathTrie } from './compare-options.js';
import { appendSegment, isPrefixOf, type PathSegment, parsePath } from './path.js';

export { applyChanges } from './apply-changes.js';

/** Returned whenever nothing differs: one shared, frozen array, so being in sync allocates nothing. */
export const NO_CHANGES: readonly FieldChange[] = Object.freeze([]);

const ABSENT: Record<string, unknown> = Object.freeze({});

/**
 * The fields of `desired` that `observed` does not match, in the order of desired's fields.
 *
 * Desired is what you declared; observed is what the provider read back, which usually carries
 * more (ids, timestamps, defaults the server filled in). So only what desired says is compared:
 *
 * - a field only in observed is not a difference, at any depth;
 * - nested objects are compared field by field the same way;
 * - an array is one value: when the lengths differ the change is the whole array
 *   (`ports: [80] -> [80, 443]`); when they match, elements are compared one by one and a
 *   change names the index (`ports[1].port`);
 * - anything else with `Object.is`, except that `0` and `-0` are equal; a `Date` by its time;
 *   a field desired holds as `undefined` matches an absent one;
 * - paths in `options.ignore` never count; `options.equals`, when given, decides alone
 *   (see `CompareOptions`).
 *
 * When `observed` is `undefined` (the object does not exist) every field of desired is a
 * change from `undefined`.
 *
 * ```ts
 * compareSpec({ replicas: 3, env: { A: '1' } }, { replicas: 2, env: { A: '1' }, uid: 'x' });
 * // [{ path: 'replicas', old: 2, new: 3 }]
 * ```
 *
 * Being in sync, the common case on every reconcile pass, costs one walk over desired and
 * allocates nothing.
 */
export function compareSpec(
  desired: Record<string, unknown>,
  observed: Record<string, unknown> | undefined,
  options?: CompareOptions,
): readonly FieldChange[] {
  checkSpec(desired, 'desired');
  if (observed !== undefined) checkSpec(observed, 'observed');
  return changesBetween(desired, observed, compileCompare(options));
}

/** True when `observed` exists and no field differs: `compareSpec(...)` would be empty. */
export function isInSync(
  desired: Record<string, unknown>,
  observed: Record<string, unknown> | undefined,
  options?: CompareOptions,
): boolean {
  checkSpec(desired, 'desired');
  if (observed === undefined) return false;
  checkSpec(observed, 'observed');
  const compiled = compileCompare(options);
  if (compiled.equals !== undefined) return compiled.equals(desired, observed);
  return compiled.ignore?.end === true || sameRecord(desired, observed, compiled.ignore);
}

/**
 * Two specs hold the same value: every field of each matches the other, under the rules of
 * `compareSpec` (key order aside). Allocates nothing.
 */
export function sameSpec(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return a === b || (sameValue(a, b) && sameValue(b, a));
}

/** `compareSpec` with options already compiled and specs already checked. */
export function changesBetween(
  desired: Record<string, unknown>,
  observed: Record<string, unknown> | undefined,
  compiled: CompiledCompare,
): readonly FieldChange[] {
  const ignore = compiled.ignore;
  if (ignore?.end === true) return NO_CHANGES;
  const actual = observed ?? ABSENT;
  if (compiled.equals !== undefined && observed !== undefined) {
    if (compiled.equals(desired, observed)) return NO_CHANGES;
    const out: FieldChange[] = [];
    if (!sameRecord(desired, actual, ignore)) collectRecord(desired, actual, ignore, '', out);
    return out.length > 0 ? out : [{ path: '', old: observed, new: desired }];
  }
  if (sameRecord(desired, actual, ignore)) return NO_CHANGES;
  const out: FieldChange[] = [];
  collectRecord(desired, actual, ignore, '', out);
  return out.length > 0 ? out : NO_CHANGES;
}

/**
 * True when one of `changes` touches a path listed in `options.replaceOn`: the change itself
 * is under that path, or it replaces a whole value that contains the path and the value there
 * differs.
 */
export function requiresReplace(changes: readonly FieldChange[], options?: CompareOptions): boolean {
  return needsReplace(changes, compileCompare(options));
}

/** `requiresReplace` with options already compiled. */
export function needsReplace(changes: readonly FieldChange[], compiled: CompiledCompare): boolean {
  const targets = compiled.replaceOn;
  if (targets.length === 0) return false;
  for (const change of changes) {
    const segments = parsePath(change.path);
    if (segments === undefined) {
      throw new TypeError(`Expected a change's \`path\` to be a field path, got ${describe(change.path)}`);
    }
    for (const target of targets) {
      if (isPrefixOf(target, segments)) return true;
      if (
        isPrefixOf(segments, target) &&
        !sameValue(valueAt(change.new, target, segments.length), valueAt(change.old, target, segments.length))
      ) {
        return true;
      }
    }
  }
  return false;
}

/** Whether `observed` matches `desired` under the rules of `compareSpec`. Allocates nothing. */
export function sameValue(desired: unknown, observed: unknown, ignore?: PathTrie): boolean {
  if (desired === observed) return true;
  if (typeof desired !== 'object' || desired === null) {
    // Equal primitives were caught above (and `0 === -0`); what is left equal is NaN and NaN.
    return Number.isNaN(desired) && Number.isNaN(observed);
  }
  if (typeof observed !== 'object' || observed === null) return false;
  if (Array.isArray(desired)) return Array.isArray(observed) && sameArray(desired, observed, ignore);
  if (Array.isArray(observed)) return false;
  if (desired instanceof Date) return observed instanceof Date && Object.is(+desired, +observed);
  if (observed instanceof Date) return false;
  return sameRecord(desired as Record<string, unknown>, observed as Record<string, unknown>, ignore);
}

function sameRecord(desired: Record<string, unknown>, observed: Record<string, unknown>, ignore?: PathTrie) {
  if (ignore === undefined) {
    for (const key in desired) if (!sameValue(desired[key], observed[key])) return false;
    return true;
  }
  for (const key in desired) {
    const skip = ignore.next.get(key);
    if (skip?.end !== true && !sameValue(desired[key], observed[key], skip)) return false;
  }
  return true;
}

function sameArray(desired: readonly unknown[], observed: readonly unknown[], ignore?: PathTrie): boolean {
  if (desired.length !== observed.length) return false;
  for (let i = 0; i < desired.length; i++) {
    const skip = ignore?.next.get(i);
    if (skip?.end !== true && !sameValue(desired[i], observed[i], skip)) return false;
  }
  return true;
}

// The slow path, taken only when `sameValue` has found a difference: walk again, descending
// only into what differs, and name each difference. Here an inherited field of observed
// (`constructor`, `toString`) is read as absent.

function collect(
  desired: unknown,
  observed: unknown,
  ignore: PathTrie | undefined,
  path: string,
  out: FieldChange[],
) {
  if (isRecord(desired) && isRecord(observed)) {
    collectRecord(desired, observed, ignore, path, out);
  } else if (Array.isArray(desired) && Array.isArray(observed) && desired.length === observed.length) {
    for (let i = 0; i < desired.length; i++) {
      const skip = ignore?.next.get(i);
      if (skip?.end === true || sameValue(desired[i], observed[i], skip)) continue;
      collect(desired[i], observed[i], skip, appendSegment(path, i), out);
    }
  } else {
    out.push({ path, old: observed, new: desired });
  }
}

function collectRecord(
  desired: Record<string, unknown>,
  observed: Record<string, unknown>,
  ignore: PathTrie | undefined,
  path: string,
  out: FieldChange[],
) {
  for (const key in desired) {
    const skip = ignore?.next.get(key);
    if (skip?.end === true) continue;
    const value = desired[key];
    const old = Object.hasOwn(observed, key) ? observed[key] : undefined;
    if (!sameValue(value, old, skip)) collect(value, old, skip, appendSegment(path, key), out);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The value at `path[from..]` inside `value`, or `undefined` when it is not there. */
function valueAt(value: unknown, path: readonly PathSegment[], from: number): unknown {
  let here = value;
  for (let i = from; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    if (
      typeof segment === 'number' ? !Array.isArray(here) : !isRecord(here) || !Object.hasOwn(here, segment)
    ) {
      return undefined;
    }
    here = (here as Record<PathSegment, unknown>)[segment];
  }
  return here;
}

/** A spec is a plain object: not null, not an array. */
export function isSpec(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkSpec(value: unknown, name: string): void {
  if (!isSpec(value)) {
    throw new TypeError(
      `Expected \`${name}\` to be a spec object like { replicas: 3 }, got ${describe(value)}`,
    );
  }
}
