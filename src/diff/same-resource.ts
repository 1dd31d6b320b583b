import type { Resource } from '../contract/resource.js';
import { canonicalJson } from './canonical-json.js';
import { sameValue } from './compare.js';

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
