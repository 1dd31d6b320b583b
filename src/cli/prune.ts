import type { LoadedConfig } from '../config/load-config.js';
import { keyOf, type Resource } from '../contract/resource.js';
import type { InventoryEntry } from '../store/index.js';
import { plural } from './plural.js';

export interface Orphans {
  /** Managed, no longer desired, and of a kind with a provider: to be deleted. */
  readonly resources: Resource[];
  /** Managed, no longer desired, of a kind no provider serves any more: left alone. */
  readonly unservable: string[];
}

/**
 * What prune takes away at start-up, for the commands to report: resources in the inventory
 * (created or adopted by this state) that the desired set no longer names. The runtime itself
 * deletes them (an adopted one only under `pruneAdopted`; else it is released) when it is handed
 * the desired set, each rebuilt from its inventory entry with the spec last applied (or last
 * good) so its provider can find it. Dependencies are not kept in the inventory, so orphans are
 * deleted in no particular order: a delete that must wait for another (a directory and its
 * files) fails and is retried until it can go.
 */
export function orphansOf(
  inventory: ReadonlyMap<string, InventoryEntry>,
  desired: readonly Resource[],
  kinds: ReadonlySet<string>,
): Orphans {
  const wanted = new Set(desired.map(keyOf));
  const resources: Resource[] = [];
  const unservable: string[] = [];
  for (const [key, entry] of inventory) {
    if (wanted.has(key)) continue;
    if (!kinds.has(entry.kind)) {
      unservable.push(key);
      continue;
    }
    resources.push({ kind: entry.kind, name: entry.name, spec: entry.lastApplied ?? entry.lastGood ?? {} });
  }
  return { resources, unservable };
}

/**
 * Prune never takes a state down to nothing by accident: with prune on and `allowEmpty` off, a
 * desired set that is empty while the inventory is not is refused. Returns the reason, or
 * `undefined` when the set may go ahead.
 */
export function emptyPruneRefusal(config: LoadedConfig, managed: number): string | undefined {
  const { prune, allowEmpty } = config.defaults;
  if (!prune || allowEmpty || config.resources.length > 0 || managed === 0) return undefined;
  return (
    `the desired set is empty and prune is on: this would delete all ${plural(managed, 'managed resource')}` +
    `. Set \`defaults.allowEmpty: true\` if that is really meant`
  );
}
