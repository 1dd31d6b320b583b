import type { CompareOptions, FieldChange } from '../contract/provider.js';
import { changesBetween, NO_CHANGES } from './compare.js';
import { type CompiledCompare, compileCompare, type PathTrie } from './compare-options.js';
import { appendSegment } from './path.js';

type Spec = Record<string, unknown>;

/**
 * The changes that bring `observed` to `desired`, knowing what setpoint applied last
 * (`lastApplied`): the fields of `desired` that differ, as `compareSpec` finds them, then one
 * removal per field that `lastApplied` set, `desired` no longer has and `observed` still holds,
 * as `{ path, old: observedValue, new: undefined }`. A field only `observed` has and
 * `lastApplied` never set belongs to someone else and is left alone, as kubectl's
 * last-applied-configuration does.
 *
 * ```ts
 * threeWayChanges({ role: 'dev', team: 'a' }, { role: 'dev' }, { role: 'dev', team: 'a', id: 7 });
 * // [{ path: 'team', old: 'a', new: undefined }]   (`id` was never ours: untouched)
 * ```
 *
 * A field desired holds as `undefined` counts as dropped. Objects on all three sides are
 * walked field by field; anything else (arrays included) is one value, removed whole. Paths
 * under `options.ignore` or `options.keep` are never removed, and when `options.equals` says
 * desired and observed agree, nothing differs. Applying the result with `applyChanges` gives an object
 * that matches desired, lacks every dropped field and keeps every other field of observed.
 */
export function threeWayChanges(
  lastApplied: Spec | undefined,
  desired: Spec,
  observed: Spec | undefined,
  options?: CompareOptions,
): readonly FieldChange[] {
  return changesWithRemovals(lastApplied, desired, observed, compileCompare(options));
}

/** `threeWayChanges` with options already compiled and specs already checked. */
export function changesWithRemovals(
  lastApplied: Spec | undefined,
  desired: Spec,
  observed: Spec | undefined,
  compiled: CompiledCompare,
): readonly FieldChange[] {
  const changes = changesBetween(desired, observed, compiled);
  // The cheap check first: most of the time what was applied last is what is desired now.
  if (lastApplied === undefined || observed === undefined || lastApplied === desired) return changes;
  const { ignore, keep } = compiled;
  if (ignore?.end === true || keep?.end === true) return changes;
  if (!dropsFields(lastApplied, desired, observed, ignore, keep)) return changes;
  if (compiled.equals?.(desired, observed) === true) return NO_CHANGES;
  const out = changes.length === 0 ? [] : [...changes];
  collectRemovals(lastApplied, desired, observed, ignore, keep, '', out);
  return out;
}

/**
 * Does `lastApplied` hold a field `desired` dropped and `observed` still has? Walks
 * `lastApplied`'s fields and allocates nothing.
 */
export function dropsFields(
  lastApplied: Spec,
  desired: Spec,
  observed: Spec,
  ignore?: PathTrie,
  keep?: PathTrie,
): boolean {
  for (const key in lastApplied) {
    const skip = ignore?.next.get(key);
    const kept = keep?.next.get(key);
    if (skip?.end === true || kept?.end === true || !present(observed, key)) continue;
    const want = desired[key];
    if (want === undefined) return true;
    const was = lastApplied[key];
    const have = observed[key];
    if (isRecord(was) && isRecord(want) && isRecord(have) && dropsFields(was, want, have, skip, kept)) {
      return true;
    }
  }
  return false;
}

/**
 * Could `desired` drop a field `lastApplied` has, whatever is observed? A field of last-applied
 * that desired lacks, at any depth where both hold an object. When not, no three-way diff of the
 * two can ever find a removal: a caller may skip it for as long as neither changes.
 */
export function mayDropFields(lastApplied: Spec, desired: Spec): boolean {
  for (const key in lastApplied) {
    const want = desired[key];
    if (want === undefined) return true;
    const was = lastApplied[key];
    if (isRecord(was) && isRecord(want) && mayDropFields(was, want)) return true;
  }
  return false;
}

function collectRemovals(
  lastApplied: Spec,
  desired: Spec,
  observed: Spec,
  ignore: PathTrie | undefined,
  keep: PathTrie | undefined,
  path: string,
  out: FieldChange[],
): void {
  for (const key in lastApplied) {
    const skip = ignore?.next.get(key);
    const kept = keep?.next.get(key);
    if (skip?.end === true || kept?.end === true || !present(observed, key)) continue;
    const want = desired[key];
    const here = appendSegment(path, key);
    if (want === undefined) {
      // A field desired holds as `undefined` is absent there: the two-way part removed it already.
      if (!Object.hasOwn(desired, key)) out.push({ path: here, old: observed[key], new: undefined });
      continue;
    }
    const was = lastApplied[key];
    const have = observed[key];
    if (isRecord(was) && isRecord(want) && isRecord(have)) {
      collectRemovals(was, want, have, skip, kept, here, out);
    }
  }
}

/** `observed` holds `key` as its own field, with a value. */
function present(observed: Spec, key: string): boolean {
  return Object.hasOwn(observed, key) && observed[key] !== undefined;
}

function isRecord(value: unknown): value is Spec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
