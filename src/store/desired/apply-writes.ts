import { keyOf } from '../../contract/resource.js';
import { canonicalJson } from '../../diff/canonical-json.js';
import { sameResource } from '../../diff/same-resource.js';
import type { Change, Write } from './spec-store.js';
import type { StoredObject } from './stored-object.js';

/**
 * What `write` makes of the object stored now (`before`), at `version`: the change, or
 * `undefined` when it changes nothing. A changed spec takes the next generation; labels and
 * status never do. The rule both stores follow, so they cannot disagree.
 */
export function changeOf(
  before: StoredObject | undefined,
  write: Write,
  version: number,
): Change | undefined {
  if (write.op === 'delete') {
    return before === undefined
      ? undefined
      : { type: 'DELETED', object: { ...before, resourceVersion: version } };
  }
  if (write.op === 'status') {
    if (before === undefined) return undefined;
    const observed = write.observedGeneration ?? before.observedGeneration;
    if (observed === before.observedGeneration && sameJson(before.status, write.status)) return undefined;
    return {
      type: 'MODIFIED',
      object: { ...before, status: write.status, observedGeneration: observed, resourceVersion: version },
    };
  }
  if (before === undefined) {
    return {
      type: 'ADDED',
      object: {
        resource: write.resource,
        labels: write.labels,
        source: write.source,
        generation: 1,
        resourceVersion: version,
        observedGeneration: 0,
        status: undefined,
      },
    };
  }
  const specSame = sameResource(before.resource, write.resource);
  if (specSame && sameJson(before.labels, write.labels) && before.source === write.source) return undefined;
  return {
    type: 'MODIFIED',
    object: {
      ...before,
      resource: write.resource,
      labels: write.labels,
      source: write.source,
      generation: specSame ? before.generation : before.generation + 1,
      resourceVersion: version,
    },
  };
}

export const keyOfWrite = (write: Write): string => (write.op === 'put' ? keyOf(write.resource) : write.key);

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}
