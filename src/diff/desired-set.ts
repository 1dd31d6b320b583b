import type { Resource } from '../contract/resource.js';
import { orderByDependencies } from './graph.js';
import { checkShapes } from './resource-shapes.js';
import type { DesiredSetError } from './rules.js';

/**
 * Check a whole desired set before anything acts on it: every rule of `RULES` but those only
 * a change can break, every breach at once, each naming its key (a cycle is filed under the
 * first key it names). An invalid set is rejected whole; the previous one keeps running.
 */
export function validateDesiredSet(
  resources: readonly Resource[],
  knownKinds: ReadonlySet<string>,
): { ok: true; byKey: Map<string, Resource> } | { ok: false; errors: DesiredSetError[] } {
  const { errors, byKey, wellFormed } = checkShapes(resources, knownKinds);
  const order = orderByDependencies(wellFormed);
  if (!order.ok) {
    for (const e of order.errors) {
      const key = e.code === 'cycle' ? (e.keys[0] ?? '') : e.key;
      errors.push({ code: e.code, key, message: e.message });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, byKey };
}
