import { keyOf, type Resource } from '../contract/resource.js';
import { canonicalJson } from '../diff/canonical-json.js';
import { isSpec, sameValue } from '../diff/compare.js';
import { orderByDependencies } from '../diff/graph.js';
import type { DesiredSetError } from './events.js';

/**
 * Check a whole desired set before anything acts on it: every problem at once, each naming
 * its key. An invalid set is rejected whole; the previous one keeps running.
 */
export function validateDesiredSet(
  resources: readonly Resource[],
  knownKinds: ReadonlySet<string>,
): { ok: true; byKey: Map<string, Resource> } | { ok: false; errors: DesiredSetError[] } {
  const { errors, byKey, wellFormed } = checkShapes(resources, knownKinds);
  const order = orderByDependencies(wellFormed);
  if (!order.ok) {
    for (const e of order.errors) {
      const key = 'key' in e ? e.key : (e.keys[0] ?? '');
      errors.push({ code: e.code, key, message: e.message });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, byKey };
}

/**
 * Each resource on its own: a non-empty `kind` and `name`, an object `spec`, a known kind, a
 * key that appears once.
 */
export function checkShapes(
  resources: readonly Resource[],
  knownKinds: ReadonlySet<string>,
): { errors: DesiredSetError[]; byKey: Map<string, Resource>; wellFormed: Resource[] } {
  const errors: DesiredSetError[] = [];
  const byKey = new Map<string, Resource>();
  if (!Array.isArray(resources)) {
    throw new TypeError(
      `Expected \`resources\` to be an array of { kind, name, spec }, got ${typeof resources}`,
    );
  }
  const wellFormed: Resource[] = [];
  resources.forEach((r, index) => {
    if (
      typeof r !== 'object' ||
      r === null ||
      typeof r.kind !== 'string' ||
      typeof r.name !== 'string' ||
      !r.kind ||
      !r.name
    ) {
      errors.push({
        code: 'invalid-resource',
        key: `#${index}`,
        message: `resource #${index} needs a non-empty string \`kind\` and \`name\``,
      });
      return;
    }
    const key = keyOf(r);
    if (!isSpec(r.spec)) {
      errors.push({ code: 'invalid-spec', key, message: `${key}: \`spec\` must be an object` });
      return;
    }
    if (byKey.has(key)) {
      errors.push({ code: 'duplicate-key', key, message: `${key} appears more than once` });
      return;
    }
    if (!knownKinds.has(r.kind)) {
      errors.push({
        code: 'unknown-kind',
        key,
        message: `${key}: no provider for kind \`${r.kind}\` (known: ${[...knownKinds].sort().join(', ') || 'none'})`,
      });
    }
    byKey.set(key, r);
    wellFormed.push(r);
  });
  return { errors, byKey, wellFormed };
}

/**
 * Did anything the runtime acts on change between two versions of a resource? Structural, in
 * any key order, with a field set to `undefined` the same as an absent one (as in JSON). It runs
 * for every resource of every desired set, so it builds no strings.
 */
export function sameResource(a: Resource, b: Resource): boolean {
  if (a === b) return true;
  return (
    sameValue(a.spec, b.spec) &&
    sameValue(b.spec, a.spec) &&
    sameList(a.dependsOn, b.dependsOn) &&
    (a.policy === b.policy || canonicalJson(a.policy ?? {}) === canonicalJson(b.policy ?? {}))
  );
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
