import type { Resource } from '../contract/resource.js';
import { checkShapes } from './desired-set.js';
import type { DesiredSetError } from './events.js';

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
 * dependencies reach: the same rules as a whole set (shapes, known kinds, declared and acyclic
 * dependencies), at a cost that does not grow with the size of the set.
 */
export function validateDesiredChange(
  change: DesiredChange,
  view: DesiredView,
  knownKinds: ReadonlySet<string>,
): { ok: true; set: Map<string, Resource>; remove: Set<string> } | { ok: false; errors: DesiredSetError[] } {
  if (typeof change !== 'object' || change === null) {
    throw new TypeError('Expected a change such as { set: [resource], remove: ["kind/name"] }');
  }
  const { errors, byKey: set } = checkShapes(change.set ?? [], knownKinds);
  const remove = new Set<string>();
  for (const key of change.remove ?? []) {
    if (typeof key !== 'string') {
      throw new TypeError(`Expected \`remove\` to hold keys such as "user/alice", got ${typeof key}`);
    }
    if (set.has(key)) {
      errors.push({ code: 'duplicate-key', key, message: `${key} is both set and removed` });
    } else if (view.current(key) !== undefined) {
      remove.add(key);
    }
  }
  /** The resource for `key` once the change is made. */
  const after = (key: string): Resource | undefined =>
    remove.has(key) ? undefined : (set.get(key) ?? view.current(key));

  for (const [key, resource] of set) {
    const deps: unknown = resource.dependsOn ?? [];
    if (!Array.isArray(deps) || deps.some((d) => typeof d !== 'string')) {
      errors.push({
        code: 'invalid-resource',
        key,
        message: `${key}: \`dependsOn\` must be an array of keys like ['db/main']`,
      });
      continue;
    }
    for (const dep of deps as string[]) {
      if (dep === key) errors.push({ code: 'self-dependency', key, message: `${key}: depends on itself` });
      else if (after(dep) === undefined) {
        errors.push({
          code: 'missing-dependency',
          key,
          message: `${key}: depends on ${dep}, which is not declared`,
        });
      }
    }
    if (reaches(deps as string[], key, after)) {
      errors.push({ code: 'cycle', key, message: `${key}: its dependencies lead back to it (a cycle)` });
    }
  }
  for (const key of remove) {
    for (const dependent of view.dependents(key)) {
      if (after(dependent)?.dependsOn?.includes(key)) {
        errors.push({
          code: 'missing-dependency',
          key: dependent,
          message: `${dependent}: depends on ${key}, which the change removes`,
        });
      }
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, set, remove };
}

/** Does following dependencies from `from` lead to `target`? */
function reaches(
  from: readonly string[],
  target: string,
  after: (key: string) => Resource | undefined,
): boolean {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (key === target) return true;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const dep of after(key)?.dependsOn ?? []) stack.push(dep);
  }
  return false;
}
