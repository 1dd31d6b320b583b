import { describe } from '../contract/describe.js';
import type { FieldChange } from '../contract/provider.js';
import { type PathSegment, parsePath } from './path.js';

/**
 * `observed` with `changes` applied: each `path` set to its `new` value (or removed, when
 * `new` is `undefined`). Returns a new object and leaves `observed` untouched: only the
 * objects and arrays on a changed path are copied, the rest is shared. The values put in are
 * the changes' own values, not copies.
 *
 * This is the law the diff keeps: for any desired and observed specs,
 * `compareSpec(desired, applyChanges(observed, compareSpec(desired, observed)))` is empty.
 * The memory provider applies updates this way.
 *
 * ```ts
 * applyChanges({ env: { A: '1' }, uid: 'x' }, [{ path: 'env.A', old: '1', new: '2' }]);
 * // { env: { A: '2' }, uid: 'x' }
 * ```
 *
 * A missing or mistyped container on the way is created (`{}` for a field, `[]` for an index).
 * The path `''` replaces the whole spec. Throws a `TypeError` for a malformed path.
 */
export function applyChanges(
  observed: Readonly<Record<string, unknown>> | undefined,
  changes: readonly FieldChange[],
): Record<string, unknown> {
  let root: Record<string, unknown> = { ...observed };
  // Containers already copied by this call, which may therefore be written in place.
  let owned = new Set<object>([root]);
  for (const change of changes) {
    const path = parsePath(change.path);
    if (path === undefined) {
      throw new TypeError(`Expected a change's \`path\` to be a field path, got ${describe(change.path)}`);
    }
    if (path.length === 0) {
      if (typeof change.new !== 'object' || change.new === null || Array.isArray(change.new)) {
        throw new TypeError(
          `Expected the change of the whole spec (path '') to hold an object, got ${describe(change.new)}`,
        );
      }
      root = { ...change.new };
      owned = new Set<object>([root]);
      continue;
    }
    let parent: Record<PathSegment, unknown> = root;
    for (let i = 0; i < path.length - 1; i++) {
      const segment = path[i] as PathSegment;
      const wantsArray = typeof path[i + 1] === 'number';
      const child = Object.hasOwn(parent, segment) ? parent[segment] : undefined;
      let next: Record<PathSegment, unknown>;
      if (typeof child !== 'object' || child === null || Array.isArray(child) !== wantsArray) {
        next = (wantsArray ? [] : {}) as Record<PathSegment, unknown>;
      } else if (owned.has(child)) {
        next = child as Record<PathSegment, unknown>;
      } else {
        next = (Array.isArray(child) ? [...child] : { ...child }) as Record<PathSegment, unknown>;
      }
      owned.add(next);
      put(parent, segment, next);
      parent = next;
    }
    const last = path[path.length - 1] as PathSegment;
    if (change.new === undefined && !Array.isArray(parent)) delete parent[last];
    else put(parent, last, change.new);
  }
  return root;
}

/** `target[key] = value`, as an own data field even for the key `__proto__`. */
function put(target: Record<PathSegment, unknown>, key: PathSegment, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
