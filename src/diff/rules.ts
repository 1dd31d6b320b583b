/**
 * The rules a desired set keeps, each with the one code and the one message that name a breach
 * of it. Every check of a set of resources words its errors here: the whole-set check behind
 * `setDesired`, the incremental one behind `updateDesired`, `orderByDependencies`, `diff` and
 * the config's checks. So one problem reads the same whichever way it was found; a caller adds
 * only where it was found (a side of a diff, a file and line, a hint).
 *
 * ```text
 * [2]: a resource needs a non-empty string `kind` and `name`, got kind `undefined` (undefined) and name `"y"` (string)
 * app/web: depends on db/main, which is not declared
 * dependency cycle: a/x -> b/y -> a/x
 * ```
 */

import { describe } from '../contract/describe.js';
import { keyOf, type Resource } from '../contract/resource.js';

/**
 * What a breach is called, as data that callers match on. Rules that name the same sort of
 * problem share a code: both shape rules of a resource are `invalid-resource`, and a dependency
 * that is not declared is `missing-dependency` whether or not a change removed it.
 */
export type RuleCode =
  | 'invalid-resource'
  | 'invalid-spec'
  | 'duplicate-key'
  | 'unknown-kind'
  | 'self-dependency'
  | 'missing-dependency'
  | 'cycle'
  | 'empty-set';

/** Why a desired set was rejected: each names the key it is about (`*` for the set as a whole). */
export interface DesiredSetError {
  readonly code: RuleCode;
  readonly key: string;
  readonly message: string;
}

/** One rule: the code a breach carries and the message that names it. */
export interface Rule<Args extends unknown[]> {
  readonly code: RuleCode;
  readonly message: (...args: Args) => string;
}

/** Each rule by what it asks of the set. */
export const RULES = {
  /** A resource has a non-empty string `kind` and `name`. `at` says which: `[index]`, or a key. */
  wellFormed: {
    code: 'invalid-resource',
    message: (at: string, resource: unknown) => {
      const fields = typeof resource === 'object' && resource !== null ? resource : {};
      const { kind, name } = fields as { kind?: unknown; name?: unknown };
      return `${at}: a resource needs a non-empty string \`kind\` and \`name\`, got kind ${describe(kind)} and name ${describe(name)}`;
    },
  },
  /** A resource's `spec` is an object. */
  specObject: {
    code: 'invalid-spec',
    message: (key: string, spec: unknown) =>
      `${key}: \`spec\` must be an object like { replicas: 3 }, got ${describe(spec)}`,
  },
  /** A resource's `policy`, when given, holds values the runtime can run (see `RUNTIME_MINIMUMS`). */
  policyValue: {
    code: 'invalid-resource',
    message: (key: string, field: string, want: string, got: unknown) =>
      `${key}: \`${field === '' ? 'policy' : `policy.${field}`}\` must be ${want}, got ${describe(got)}`,
  },
  /** A key appears once. `where` names the places it appears, when the caller knows them. */
  uniqueKey: {
    code: 'duplicate-key',
    message: (key: string, where?: string) =>
      `${key}: the key appears more than once${where === undefined ? '' : ` (${where})`}`,
  },
  /** A resource's kind has a provider. */
  knownKind: {
    code: 'unknown-kind',
    message: (key: string, kind: string, known: Iterable<string>) =>
      `${key}: no provider for kind \`${kind}\` (known: ${[...known].sort().join(', ') || 'none'})`,
  },
  /** `dependsOn`, when given, is a list of keys. */
  dependsOnList: {
    code: 'invalid-resource',
    message: (key: string, dependsOn: unknown) =>
      `${key}: \`dependsOn\` must be an array of keys like ['db/main'], got ${describe(dependsOn)}`,
  },
  /** A resource does not depend on itself. */
  noSelfDependency: {
    code: 'self-dependency',
    message: (key: string) => `${key}: depends on itself`,
  },
  /** Every dependency is declared in the set. */
  dependencyDeclared: {
    code: 'missing-dependency',
    message: (key: string, dependency: string) => `${key}: depends on ${dependency}, which is not declared`,
  },
  /** A change does not remove what a resource it keeps depends on. */
  noOrphan: {
    code: 'missing-dependency',
    message: (key: string, dependency: string) =>
      `${key}: depends on ${dependency}, which the change removes`,
  },
  /**
   * No dependency cycle. `cycle` is in dependency order (each depends on the next, the last on
   * the first); `rest` holds the other keys tangled in the same knot.
   */
  acyclic: {
    code: 'cycle',
    message: (cycle: readonly string[], rest: readonly string[] = []) =>
      `dependency cycle: ${[...cycle, cycle[0]].join(' -> ')}${rest.length > 0 ? ` (also caught in it: ${rest.join(', ')})` : ''}`,
  },
  /** A set that would delete every managed resource is empty only when `allowEmpty` says so. */
  notEmpty: {
    code: 'empty-set',
    message: () =>
      'the desired set is empty and would delete every managed resource; pass allowEmpty: true if that is really meant',
  },
} as const satisfies Record<string, Rule<never[]>>;

/**
 * The breach of a rule about one resource, filed under the key its message starts with:
 * `breach(RULES.noSelfDependency, 'a/x')` is
 * `{ code: 'self-dependency', key: 'a/x', message: 'a/x: depends on itself' }`.
 */
export function breach<Code extends RuleCode, Rest extends unknown[]>(
  rule: { readonly code: Code; readonly message: (key: string, ...rest: Rest) => string },
  key: string,
  ...rest: Rest
): { code: Code; key: string; message: string } {
  return { code: rule.code, key, message: rule.message(key, ...rest) };
}

/** The refusal of a set that would delete every managed resource. */
export const EMPTY_SET: DesiredSetError = {
  code: RULES.notEmpty.code,
  key: '*',
  message: RULES.notEmpty.message(),
};

/** Does `resource` keep `RULES.wellFormed`? Allocates nothing. */
export function isWellFormed(resource: unknown): boolean {
  if (typeof resource !== 'object' || resource === null) return false;
  const { kind, name } = resource as { kind?: unknown; name?: unknown };
  return typeof kind === 'string' && kind !== '' && typeof name === 'string' && name !== '';
}

/**
 * Where a key first appears among `resources`, counting only those `counted` lets in: for the
 * message of a duplicate key. The index is built on the first question, so a set without
 * duplicates (the usual case) pays nothing for it.
 */
export function firstPositions(
  resources: readonly unknown[],
  counted: (resource: Resource) => boolean,
): (key: string) => number {
  let first: Map<string, number> | undefined;
  return (key) => {
    if (first === undefined) {
      const index = new Map<string, number>();
      resources.forEach((r, i) => {
        if (!isWellFormed(r) || !counted(r as Resource)) return;
        const k = keyOf(r as Resource);
        if (!index.has(k)) index.set(k, i);
      });
      first = index;
    }
    return first.get(key) ?? -1;
  };
}

/** Is `value` a list of keys, as `dependsOn` must be? */
export function isKeyList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
