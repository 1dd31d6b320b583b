import type { Logger } from 'pino';
import { parseKey, type Resource } from '../contract/resource.js';
import { actionFor, asAdoption, type Plan, type PlannedAction, planOf } from '../diff/plan.js';
import type { RecoverySummary, StateStore } from '../store/index.js';
import { resolvePendingIntents } from '../store/index.js';
import type { DesiredTable } from './desired-table.js';
import type { KindHost } from './kind-host.js';

/**
 * Looking at the world once, outside the actors' passes: the whole plan (`runtime.plan()`), and
 * the check of intents a crash left behind (before any actor starts). Both observe through each
 * kind's operation queue, so they respect its concurrency, rate limit and deadlines.
 */

/**
 * What `key` needs: its create, update (removing what it no longer sets) or replace, or, when
 * this runtime does not manage the object yet, its adoption; `undefined` when it is in sync.
 */
function planOne(host: KindHost, key: string, resource: Resource): Promise<PlannedAction | undefined> {
  return host.observeOnce(key, resource).then((observed) => {
    const action = actionFor(
      key,
      host.kind,
      resource.name,
      resource.spec as Record<string, unknown>,
      observed,
      host.compare,
      host.lastApplied(key),
    );
    return host.manages(key) ? action : asAdoption(action, key, host.kind, resource.name, observed);
  });
}

/** Its delete, if the object exists. */
function planDelete(host: KindHost, key: string, resource: Resource): Promise<PlannedAction | undefined> {
  return host
    .observeOnce(key, resource)
    .then((observed) => actionFor(key, host.kind, resource.name, undefined, observed, host.compare));
}

/**
 * Observe every desired resource, and (with prune) every managed one that is no longer desired
 * and may be pruned (created, or adopted under `pruneAdopted`), and return what would change.
 * The leftovers of an earlier run (in the inventory, not in the table) are the deletes the
 * runtime makes itself on the first desired set after `start()` (see `leftoversOf`).
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
      if (prune && host.prunable(key)) work.push(planDelete(host, key, entry.resource));
      continue;
    }
    work.push(planOne(host, key, entry.resource));
  }
  if (prune) {
    for (const resource of leftoversOf(store, table.entries, hosts).values()) {
      const key = `${resource.kind}/${resource.name}`;
      const host = hosts.get(resource.kind)!;
      if (host.prunable(key)) work.push(planDelete(host, key, resource));
    }
  }
  const actions = (await Promise.all(work)).filter((a): a is PlannedAction => a !== undefined);
  return planOf(actions);
}

/**
 * What an earlier run left: inventory entries of a kind some provider serves that neither
 * `desired` nor `next` holds, each rebuilt with the spec last applied (or last good) so its
 * provider can find it. Entries of a kind no provider serves are left alone.
 */
export function leftoversOf(
  store: StateStore,
  desired: ReadonlyMap<string, unknown>,
  hosts: ReadonlyMap<string, unknown>,
  next?: ReadonlyMap<string, unknown>,
): Map<string, Resource> {
  const out = new Map<string, Resource>();
  for (const [key, item] of store.inventory()) {
    if (desired.has(key) || next?.has(key) || !hosts.has(item.kind)) continue;
    out.set(key, { kind: item.kind, name: item.name, spec: item.lastApplied ?? item.lastGood ?? {} });
  }
  return out;
}

/**
 * A crash between "intend" and "done" left intents behind: look at the world and resolve them
 * before any actor acts, so nothing is leaked or created twice. Each intent is observed with
 * its own spec (a delete carries the spec the object was found with), or else the inventory's.
 * One that cannot be observed now (its kind has no provider any more, nothing says where the
 * object is, the provider fails) stays pending with a warning, and the next start tries again:
 * the runtime starts either way.
 */
export async function recoverIntents(
  store: StateStore,
  hosts: ReadonlyMap<string, KindHost>,
  logger: Logger,
  owns: (key: string) => boolean = () => true,
): Promise<RecoverySummary | undefined> {
  if (!store.pendingIntents().some((intent) => owns(intent.key))) return undefined;
  const summary = await resolvePendingIntents(
    store,
    async (intent) => {
      const { kind, name } = parseKey(intent.key);
      const host = hosts.get(kind);
      if (!host) throw new Error(`no provider serves kind \`${kind}\` in this configuration`);
      const entry = store.get(intent.key);
      const spec = intent.spec ?? entry?.lastApplied ?? entry?.lastGood;
      if (spec === undefined)
        throw new Error('the intent has no spec, and the inventory none to look it up with');
      return (await planDelete(host, intent.key, { kind, name, spec })) ? 'present' : 'absent';
    },
    owns,
  );
  const { unresolved, ...counts } = summary;
  logger.info({ ...counts, unresolved: unresolved.length }, 'resolved intents left by an earlier run');
  for (const left of unresolved) {
    logger.warn(
      { intent: left.id, op: left.op, key: left.key, reason: left.reason },
      `could not resolve the pending ${left.op} of ${left.key}: left pending, the next start tries again`,
    );
  }
  return summary;
}
