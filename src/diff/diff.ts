import { describe } from '../contract/describe.js';
import type { CompareOptions } from '../contract/provider.js';
import type { Resource, ResourceKey } from '../contract/resource.js';
import { err, ok, type Result } from '../contract/result.js';
import { isSpec } from './compare.js';
import { type CompiledCompare, compileCompare } from './compare-options.js';
import { actionFor, byKey, emptyPlan, type Plan, type PlannedAction, summarize } from './plan.js';
import { isWellFormed, RULES } from './rules.js';

/** Resources by key: a `Map` or an object keyed by `kind/name`, or an array (keyed by `keyOf`). */
export type ResourceCollection =
  | ReadonlyMap<ResourceKey, Resource>
  | Readonly<Record<ResourceKey, Resource>>
  | readonly Resource[];

export interface DiffOptions {
  /** Compare options per kind (e.g. the providers' `compare`): `{ files: { ignore: ['mtime'] } }`. */
  readonly compare?: Readonly<Record<string, CompareOptions>>;
}

export type DiffErrorCode = 'duplicate-key' | 'invalid-resource' | 'invalid-spec';

/** A problem with one resource of the input, as data. */
export interface DiffError {
  readonly code: DiffErrorCode;
  /** The resource's key; for an array entry without a usable kind and name, `[index]`. */
  readonly key: string;
  /** Which collection it came from. */
  readonly side: 'desired' | 'current';
  /** The position in an array input. */
  readonly index?: number;
  readonly message: string;
}

type Side = DiffError['side'];

/**
 * The plan that brings `current` to `desired`: what to create, update (field by field),
 * replace and delete. Each resource's `spec` is compared with `compareSpec`, using the compare
 * options of its kind. Actions come sorted by key; ordering by dependencies is
 * `orderByDependencies`'s job.
 *
 * ```ts
 * const result = diff(
 *   [{ kind: 'user', name: 'alice', spec: { role: 'admin' } }],
 *   [{ kind: 'user', name: 'alice', spec: { role: 'guest', id: 7 } }, { kind: 'user', name: 'bob', spec: {} }],
 * );
 * // result.value.actions:
 * //   update user/alice  changes [{ path: 'role', old: 'guest', new: 'admin' }]
 * //   delete user/bob
 * ```
 *
 * Bad input is returned, all of it, as errors that name the key (`duplicate-key`,
 * `invalid-resource`, `invalid-spec`), those of desired first; a collection or option of the
 * wrong type is misuse and throws a `TypeError`. In a `Map` or object, the key is taken as
 * the resource's identity and is not checked against its kind and name (see decision 0002).
 * A resource in sync costs no allocation.
 */
export function diff(
  desired: ResourceCollection,
  current: ResourceCollection,
  options: DiffOptions = {},
): Result<Plan, DiffError> {
  const compiledByKind = compileOptions(options);
  const errors: DiffError[] = [];
  const wanted = toMap(desired, 'desired', errors);
  const have = toMap(current, 'current', errors);
  const actions: PlannedAction[] = [];
  let lastKind: string | undefined;
  let compiled = compileCompare(undefined);

  let matched = 0;
  wanted.forEach((resource, key) => {
    const found = have.get(key);
    if (found !== undefined) matched += 1;
    const problem = problemWith(resource);
    if (problem !== undefined) errors.push(describeProblem(problem, resource, key, 'desired'));
    const foundProblem = found === undefined ? undefined : problemWith(found);
    if (foundProblem !== undefined)
      errors.push(describeProblem(foundProblem, found as Resource, key, 'current'));
    if (problem !== undefined || foundProblem !== undefined) return;
    if (compiledByKind.size > 0 && resource.kind !== lastKind) {
      lastKind = resource.kind;
      compiled = compiledByKind.get(lastKind) ?? compileCompare(undefined);
    }
    const action = actionFor(key, resource.kind, resource.name, resource.spec, found?.spec, compiled);
    if (action !== undefined) actions.push(action);
  });
  // Only what is left in current (not desired) remains: deletes, checked as they are found.
  if (matched < have.size) {
    have.forEach((resource, key) => {
      if (wanted.has(key)) return;
      const problem = problemWith(resource);
      if (problem !== undefined) errors.push(describeProblem(problem, resource, key, 'current'));
      else
        actions.push({
          action: 'delete',
          key,
          kind: resource.kind,
          name: resource.name,
          current: resource.spec,
        });
    });
  }

  if (errors.length > 0) return err(errors.sort(bySide));
  if (actions.length === 0) return ok(emptyPlan);
  actions.sort(byKey);
  return ok({ actions, summary: summarize(actions) });
}

/** Desired's problems first; within a side, the order they were found (sort is stable). */
function bySide(a: DiffError, b: DiffError): number {
  return a.side === b.side ? 0 : a.side === 'desired' ? -1 : 1;
}

function compileOptions(options: DiffOptions): Map<string, CompiledCompare> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `Expected \`options\` to be an object like { compare: { files: {...} } }, got ${describe(options)}`,
    );
  }
  const byKind = new Map<string, CompiledCompare>();
  const compare: unknown = options.compare;
  if (compare === undefined) return byKind;
  if (typeof compare !== 'object' || compare === null || Array.isArray(compare) || compare instanceof Map) {
    throw new TypeError(
      `Expected \`compare\` to be an object of compare options by kind, like { files: { ignore: ['mtime'] } }, got ${describe(compare)}`,
    );
  }
  for (const [kind, value] of Object.entries(compare)) {
    byKind.set(kind, compileCompare(value as CompareOptions, `compare.${kind}`));
  }
  return byKind;
}

/** The input as a map by key; array entries that have no key or share one become errors. */
function toMap(
  collection: ResourceCollection,
  side: Side,
  errors: DiffError[],
): ReadonlyMap<string, Resource> {
  if (collection instanceof Map) return collection;
  if (Array.isArray(collection)) {
    const map = new Map<string, Resource>();
    const firstIndex = new Map<string, number>();
    collection.forEach((resource: Resource, index) => {
      if (problemWith(resource) === 'invalid-resource') {
        errors.push({ ...describeProblem('invalid-resource', resource, `[${index}]`, side), index });
        return;
      }
      const key = `${resource.kind}/${resource.name}`;
      const first = firstIndex.get(key);
      if (first === undefined) {
        firstIndex.set(key, index);
        map.set(key, resource);
      } else {
        const message = `${side} ${RULES.uniqueKey.message(key, `at [${first}] and [${index}]`)}`;
        errors.push({ code: RULES.uniqueKey.code, key, side, index, message });
      }
    });
    return map;
  }
  if (typeof collection === 'object' && collection !== null) {
    return new Map(Object.entries(collection as Record<string, Resource>));
  }
  throw new TypeError(
    `Expected \`${side}\` to be a Map or object keyed by kind/name, or an array of resources, got ${describe(collection)}`,
  );
}

/** What is wrong with `resource`, if anything. Allocates nothing. */
function problemWith(resource: Resource): DiffErrorCode | undefined {
  if (!isWellFormed(resource)) return 'invalid-resource';
  return isSpec(resource.spec) ? undefined : 'invalid-spec';
}

/** The rule's message, with the side it came from in front. */
function describeProblem(code: DiffErrorCode, resource: Resource, key: string, side: Side): DiffError {
  const message =
    code === 'invalid-resource'
      ? RULES.wellFormed.message(String(key), resource)
      : RULES.specObject.message(String(key), resource.spec);
  return { code, key: String(key), side, message: `${side} ${message}` };
}
