import { describe } from '../contract/describe.js';
import { keyOf, type Resource } from '../contract/resource.js';
import { isSpec } from './compare.js';
import { policyProblems } from './policy-check.js';
import { breach, type DesiredSetError, firstPositions, isWellFormed, RULES } from './rules.js';

/** What `checkShapes` found: the breaches, and the resources fit to go on to the graph. */
export interface Shapes {
  readonly errors: DesiredSetError[];
  /** Each well-formed resource by key; the first of a key that appears more than once. */
  readonly byKey: Map<string, Resource>;
  /** The same resources in input order, for `orderByDependencies`. */
  readonly wellFormed: Resource[];
}

/**
 * Each resource on its own: a non-empty `kind` and `name`, an object `spec`, a key that
 * appears once, a kind with a provider, a `policy` the runtime can run. A resource of an unknown kind still joins the graph,
 * so that its dependencies are checked too. `option` names the list in a misuse message.
 */
export function checkShapes(
  resources: readonly Resource[],
  knownKinds: ReadonlySet<string>,
  option = 'resources',
): Shapes {
  if (!Array.isArray(resources)) {
    throw new TypeError(
      `Expected \`${option}\` to be an array of { kind, name, spec }, got ${describe(resources)}`,
    );
  }
  const errors: DesiredSetError[] = [];
  const byKey = new Map<string, Resource>();
  let firstAt: ((key: string) => number) | undefined;
  const wellFormed: Resource[] = [];
  resources.forEach((r, index) => {
    if (!isWellFormed(r)) {
      errors.push(breach(RULES.wellFormed, `[${index}]`, r));
      return;
    }
    const key = keyOf(r);
    if (!isSpec(r.spec)) {
      errors.push(breach(RULES.specObject, key, r.spec));
      return;
    }
    if (byKey.has(key)) {
      firstAt ??= firstPositions(resources, (x) => isSpec(x.spec));
      errors.push(breach(RULES.uniqueKey, key, `at [${firstAt(key)}] and [${index}]`));
      return;
    }
    if (!knownKinds.has(r.kind)) errors.push(breach(RULES.knownKind, key, r.kind, knownKinds));
    for (const [field, want, got] of policyProblems(r.policy)) {
      errors.push(breach(RULES.policyValue, key, field, want, got));
    }
    byKey.set(key, r);
    wellFormed.push(r);
  });
  return { errors, byKey, wellFormed };
}
