import type { Logger } from 'pino';
import { parseKey, type Resource } from '../contract/resource.js';
import { actionFor, type Plan, type PlannedAction, planOf } from '../diff/plan.js';
import type { StateStore } from '../store/index.js';
import { resolvePendingIntents } from '../store/index.js';
import type { DesiredTable } from './desired-table.js';
import type { KindHost } from './kind-host.js';

/**
 * Looking at the world once, outside the actors' passes: the whole plan (`runtime.plan()`), and
 * the check of intents a crash left behind (before any actor starts). Both observe through each
 * kind's operation queue, so they respect its concurrency, rate limit and deadlines.
 */

/** What `key` needs: its create, update or replace; `undefined` when it is in sync. */
function planOne(host: KindHost, key: string, resource: Resource): Promise<PlannedAction | undefined> {
  return host
    .observeOnce(key, resource)
    .then((observed) =>
      actionFor(
        key,
        host.kind,
        resource.name,
        resource.spec as Record<string, unknown>,
        observed,
        host.compare,
      ),
    );
}

/** Its delete, if the object exists. */
function planDelete(host: KindHost, key: string, resource: Resource): Promise<PlannedAction | undefined> {
  return host
    .observeOnce(key, resource)
    .then((observed) => actionFor(key, host.kind, resource.name, undefined, observed, host.compare));
}

/**
 * Observe every desired resource, and (with prune) every managed one that is no longer desired,
 * and return what would change.
 */
export async function planAll(
  table: DesiredTable,
  hosts: ReadonlyMap<string, KindHost>,
  store: StateStore,
  prune: boolean,
): Promise<Plan> {
  const work: Promise<PlannedAction | undefined>[] = [];
  for (const [key, entry] of table.entries) {
    const host = hosts.get(entry.resource.kind)!;
    if (entry.removed) {
      if (prune && store.get(key)) work.push(planDelete(host, key, entry.resource));
      continue;
    }
    work.push(planOne(host, key, entry.resource));
  }
  if (prune) {
    for (const [key, item] of store.inventory()) {
      if (table.entries.has(key)) continue;
      const host = hosts.get(item.kind);
      if (host)
        work.push(planDelete(host, key, { kind: item.kind, name: item.name, spec: item.lastApplied ?? {} }));
    }
  }
  const actions = (await Promise.all(work)).filter((a): a is PlannedAction => a !== undefined);
  return planOf(actions);
}

/**
 * A crash between "intend" and "done" left intents behind: look at the world and resolve them
 * before any actor acts, so nothing is leaked or created twice.
 */
export async function recoverIntents(
  store: StateStore,
  hosts: ReadonlyMap<string, KindHost>,
  logger: Logger,
): Promise<void> {
  if (store.pendingIntents().length === 0) return;
  const summary = await resolvePendingIntents(store, async (intent) => {
    const { kind, name } = parseKey(intent.key);
    const host = hosts.get(kind);
    if (!host) return 'absent';
    const ref: Resource = { kind, name, spec: intent.spec ?? store.get(intent.key)?.lastApplied ?? {} };
    return (await planDelete(host, intent.key, ref)) ? 'present' : 'absent';
  });
  logger.info({ ...summary }, 'resolved intents left by an earlier run');
}
