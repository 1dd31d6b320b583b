import { keyOf, type Resource } from '../contract/resource.js';
import type { DesiredChange, DesiredView } from '../diff/desired-change.js';
import type { SpecView, Write } from '../store/desired/spec-store.js';
import type { StoredObject } from '../store/desired/stored-object.js';
import { apiError } from './api-error.js';

/** A write as `source` for a key another source owns is a `SourceConflict` (409). */
export function ownedBy(source: string, key: string, stored: StoredObject | undefined): void {
  if (stored !== undefined && stored.source !== source) {
    throw apiError(
      'SourceConflict',
      `${key} belongs to the source ${stored.source}: change it where ${stored.source} declares it, or remove it there first`,
      { owner: stored.source, field: 'name' },
    );
  }
}

/** A write based on `version` when another is stored is a `Conflict` (409) naming the one stored. */
export function expected(key: string, stored: StoredObject | undefined, version: number | undefined): void {
  if (version === undefined || stored?.resourceVersion === version) return;
  if (stored === undefined) throw apiError('NotFound', `${key} does not exist`, { field: 'resourceVersion' });
  throw apiError(
    'Conflict',
    `${key}: the write was based on resource version ${version}, but it is at ${stored.resourceVersion}: read it again and retry`,
    { field: 'resourceVersion', resourceVersion: stored.resourceVersion },
  );
}

/**
 * The writes that make the objects of `from` exactly `resources`, and the keys of them another
 * source owns (left alone). The whole change is checked first (`check` throws the 422).
 */
export async function publishSet(
  view: SpecView,
  from: string,
  resources: readonly Resource[],
  check: (change: DesiredChange, rules: DesiredView) => void,
): Promise<{ writes: Write[]; result: { key: string; owner: string }[] }> {
  const mine = new Map((await view.ofSource(from)).map((o) => [keyOf(o.resource), o]));
  const conflicts: { key: string; owner: string }[] = [];
  const set: Resource[] = [];
  for (const resource of resources) {
    const key = keyOf(resource);
    const stored = mine.get(key) ?? (await view.get(key));
    if (stored !== undefined && stored.source !== from) conflicts.push({ key, owner: stored.source });
    else set.push(resource);
  }
  const wanted = new Set(resources.map(keyOf));
  const remove = [...mine.keys()].filter((key) => !wanted.has(key));
  check({ set, remove }, await view.rulesView(set, remove));
  const writes: Write[] = [
    ...set.map(
      (resource): Write => ({
        op: 'put',
        resource,
        labels: mine.get(keyOf(resource))?.labels ?? {},
        source: from,
      }),
    ),
    ...remove.map((key): Write => ({ op: 'delete', key })),
  ];
  return { writes, result: conflicts };
}
