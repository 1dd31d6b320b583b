import { isSpec } from '../diff/compare.js';
import { orderByDependencies } from '../diff/graph.js';
import { keyOf, type Resource } from '../diff/resource.js';
import { canonicalJson } from '../store/spec-hash.js';
import type { DesiredSetError } from './events.js';

/**
 * Check a whole desired set before anything acts on it: every problem at once, each naming
 * its key. An invalid set is rejected whole; the previous one keeps running.
 */
export function validateDesiredSet(
  resources: readonly Resource[],
  knownKinds: ReadonlySet<string>,
): { ok: true; byKey: Map<string, Resource> } | { ok: false; errors: DesiredSetError[] } {
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
  const order = orderByDependencies(wellFormed);
  if (!order.ok) {
    for (const e of order.errors) {
      const key = 'key' in e ? e.key : (e.keys[0] ?? '');
      errors.push({ code: e.code, key, message: e.message });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, byKey };
}

/** Did anything the runtime acts on change between two versions of a resource? */
export function sameResource(a: Resource, b: Resource): boolean {
  return (
    canonicalJson(a.spec) === canonicalJson(b.spec) &&
    JSON.stringify(a.dependsOn ?? []) === JSON.stringify(b.dependsOn ?? []) &&
    canonicalJson(a.policy ?? {}) === canonicalJson(b.policy ?? {})
  );
}
