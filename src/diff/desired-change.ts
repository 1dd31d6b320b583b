import { describe } from '../contract/describe.js';
import type { Resource } from '../contract/resource.js';
import { cyclesThrough } from './cycles.js';
import { checkShapes } from './resource-shapes.js';
import { breach, type DesiredSetError, isKeyList, RULES } from './rules.js';

/** A change to part of the desired set: resources to add or replace, keys to take out. */
export interface DesiredChange {
  readonly set?: readonly Resource[];
  readonly remove?: readonly string[];
}

/** What the check needs to know about the set in force. */
export interface DesiredView {
  /** The resource in force for `key` (not one already leaving), if any. */
  current(key: string): Resource | undefined;
  /** Keys whose resources in force depend on `key`. */
  dependents(key: string): Iterable<string>;
}

/**
 * Check a change against the set in force, touching only what it names and what their
 * dependencies reach, at a cost that does not grow with the size of the set. The rules and
 * their words are those of `validateDesiredSet`: a change is accepted exactly when the whole
 * set it leads to would be. It knows two things the whole set cannot: a key both set and
 * removed, and a dependency that the change itself removes (`RULES.noOrphan`). A cycle is
 * named as the whole set names it, and filed under the first of its keys the change sets.
 *
 * The set in force is taken to keep the rules already (it was checked when it came in), so a
 * cycle can only pass through a resource the change sets.
 */
export function validateDesiredChange(
  change: DesiredChange,
  view: DesiredView,
  knownKinds: ReadonlySet<string>,
): { ok: true; set: Map<string, Resource>; remove: Set<string> } | { ok: false; errors: DesiredSetError[] } {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    throw new TypeError(
      `Expected \`change\` to be an object like { set: [resource], remove: ["kind/name"] }, got ${describe(change)}`,
    );
  }
  const { errors, byKey: set } = checkShapes(change.set ?? [], knownKinds, 'set');
  const remove = removals(change.remove ?? [], set, view, errors);
  /** The resource for `key` once the change is made. */
  const after = (key: string): Resource | undefined =>
    remove.has(key) ? undefined : (set.get(key) ?? view.current(key));

  const linked: string[] = [];
  for (const [key, resource] of set) {
    const deps: unknown = resource.dependsOn ?? [];
    if (!isKeyList(deps)) {
      errors.push(breach(RULES.dependsOnList, key, deps));
      continue;
    }
    linked.push(key);
    deps.forEach((dep, j) => {
      if (deps.indexOf(dep) !== j) return; // listed twice: one breach
      if (dep === key) errors.push(breach(RULES.noSelfDependency, key));
      else if (remove.has(dep)) errors.push(breach(RULES.noOrphan, key, dep));
      else if (after(dep) === undefined) errors.push(breach(RULES.dependencyDeclared, key, dep));
    });
  }
  for (const cycle of cyclesThrough(linked, after)) {
    const key = cycle.keys.find((k) => set.has(k)) ?? (cycle.keys[0] as string);
    errors.push({ code: cycle.code, key, message: cycle.message });
  }
  for (const key of remove) {
    for (const dependent of view.dependents(key)) {
      if (set.has(dependent)) continue; // its new version was checked above
      if (after(dependent)?.dependsOn?.includes(key)) errors.push(breach(RULES.noOrphan, dependent, key));
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, set, remove };
}

/**
 * The keys the change takes out that are in force (taking out one that is not is no change).
 * A key the change also sets breaks `RULES.uniqueKey`.
 */
function removals(
  keys: readonly string[],
  set: ReadonlyMap<string, Resource>,
  view: DesiredView,
  errors: DesiredSetError[],
): Set<string> {
  if (!Array.isArray(keys)) {
    throw new TypeError(
      `Expected \`remove\` to be an array of keys like ["user/alice"], got ${describe(keys)}`,
    );
  }
  const remove = new Set<string>();
  for (const key of keys) {
    if (typeof key !== 'string') {
      throw new TypeError(`Expected \`remove\` to hold keys like "user/alice", got ${describe(key)}`);
    }
    if (set.has(key)) errors.push(breach(RULES.uniqueKey, key, 'in both `set` and `remove`'));
    else if (view.current(key) !== undefined) remove.add(key);
  }
  return remove;
}
