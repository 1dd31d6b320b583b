import { createNanoEvents, type Emitter } from 'nanoevents';
import type { ResourceStatus } from '../actors/status.js';
import { validateDesiredChange } from '../diff/desired-change.js';
import { validateDesiredSet } from '../diff/desired-set.js';
import { TickTimers } from '../time/tick-timers.js';
import { CrashLoops } from './crash-loops.js';
import { DeletionBudget, heldStatus } from './deletion-budget.js';
import type { Entry } from './desired-entry.js';
import { DesiredTable, type SetDesiredResult } from './desired-table.js';
import type { RuntimeEvents } from './events.js';
import { Inventory } from './inventory.js';
import { KindHost } from './kind-host.js';
import { LastSet } from './last-set.js';
import { createRuntimeMetrics, phaseCounts } from './metrics.js';
import { type RuntimeOptions, resolveOptions } from './options.js';
import { leftoversOf, planAll, recoverIntents } from './plan.js';
import type { Runtime, RuntimeState } from './runtime-api.js';
import { settled } from './settled.js';
import { SupervisionTree } from './tree.js';

/**
 * Create a runtime: one supervised actor per resource, reconciling forever.
 *
 * ```ts
 * const rt = createRuntime({ providers: [users] });
 * await rt.start();
 * rt.setDesired([{ kind: 'user', name: 'alice', spec: { role: 'admin' } }]);
 * rt.on('resource:synced', (e) => console.log(e.key, 'is in sync'));
 * ```
 *
 * This is the facade: it wires the rooms together and answers for them. The desired table
 * (`desired-table.ts`) holds the set and starts, changes and deletes actors; the supervision
 * tree (`tree.ts`) runs them; one host per kind (`kind-host.ts`) is each actor's way down to its
 * provider's queue, the inventory (`inventory.ts`) and the notices (`notices.ts`).
 */
export type { Runtime, RuntimeState } from './runtime-api.js';

export function createRuntime(options: RuntimeOptions): Runtime {
  const settings = resolveOptions(options);
  const { clock, logger, store, shutdownMs } = settings;
  const emitter: Emitter<RuntimeEvents> = createNanoEvents<RuntimeEvents>();
  const shutdown = new AbortController();
  const ticks = new TickTimers(clock);
  const hosts = new Map<string, KindHost>();
  const budget = new DeletionBudget(settings, emitter);
  const table = new DesiredTable(
    store,
    {
      begin: (fresh) => {
        for (const [kind, count] of fresh) hosts.get(kind)?.beginIntake(count);
      },
      end: () => {
        for (const host of hosts.values()) host.endIntake();
      },
    },
    settings,
    budget,
  );
  const metrics = createRuntimeMetrics({
    registry: settings.registry,
    phases: () => phaseCounts(table.entries.values()),
    held: () => budget.counts(),
    queues: () => [...hosts].map(([kind, host]) => [kind, host.queue]),
    clock,
    defaultMetrics: settings.defaultMetrics,
  });
  const inventory = new Inventory(store, logger, {
    pruneAdopted: settings.pruneAdopted,
    adopted: (a) => {
      if (emitter.events['resource:adopted']?.length) {
        const { key, kind, name, generation } = a;
        emitter.emit('resource:adopted', { key, kind, name, generation, at: clock.now() });
      }
    },
  });
  const loops = new CrashLoops(settings, table, emitter, metrics);
  for (const provider of settings.providers) {
    if (hosts.has(provider.kind)) {
      throw new TypeError(`Two providers for kind \`${provider.kind}\`: each kind has exactly one provider`);
    }
    const shared = { emitter, metrics, shutdown: shutdown.signal, loops };
    hosts.set(provider.kind, new KindHost(provider, ticks, settings, inventory, table, shared));
  }
  const knownKinds = new Set(hosts.keys());
  const tree = new SupervisionTree(settings, table, hosts, emitter, metrics, loops);
  table.attach(tree);
  let state: RuntimeState = 'new';
  const unwatch: (() => void)[] = [];
  /**
   * With prune, the first desired set the running runtime accepts also deletes what an earlier
   * run left in the inventory and is no longer desired: the deletes `plan()` lists.
   */
  let leftoversDue = settings.prune;
  /** The last whole set, so that the next costs what changed in it (see `LastSet`). */
  const lastSet = new LastSet((key) => table.view.current(key) !== undefined);
  const leftovers = (next: ReadonlyMap<string, unknown>) =>
    leftoversDue && state === 'running' ? leftoversOf(store, table.entries, hosts, next) : undefined;
  const applied = (result: SetDesiredResult, checked: boolean): SetDesiredResult => {
    if (result.ok && checked) leftoversDue = false;
    return answer(result);
  };

  /** Report how a change of the desired set went, as an event and as the answer. */
  const answer = (result: SetDesiredResult): SetDesiredResult => {
    if (result.ok) {
      const { added, changed, removed } = result;
      emitter.emit('desired:accepted', { added, changed, removed, at: clock.now() });
    } else {
      emitter.emit('desired:rejected', { errors: result.errors, at: clock.now() });
    }
    return result;
  };

  const failed = () => {
    state = 'failed';
    table.close();
    emitter.emit('runtime:failed', {
      error: 'the root supervisor exceeded its restart intensity',
      at: clock.now(),
      tree: tree.tree(),
    });
  };

  return {
    async start() {
      if (state !== 'new') throw new Error(`runtime already ${state}`);
      await store.open();
      await recoverIntents(store, hosts, logger, settings.owns);
      state = 'running';
      await tree.start(failed);
      // A provider that knows when its objects changed outside (a node back) wakes them.
      for (const provider of settings.providers) {
        if (!provider.watch) continue;
        const kind = provider.kind;
        unwatch.push(
          provider.watch((names) => {
            if (state !== 'running') return;
            for (const name of names) table.entries.get(`${kind}/${name}`)?.actor?.trigger();
          }),
        );
      }
      // A set given before start: what the earlier run left goes now.
      if (leftoversDue && table.entries.size > 0) {
        const left = leftovers(new Map());
        if (left === undefined || left.size === 0 || table.apply(new Map(), [], left).ok)
          leftoversDue = false;
      }
    },

    setDesired(resources) {
      // The same objects as last time, but for a few: those few, checked and applied as a change.
      const quick = leftoversDue ? undefined : lastSet.changeTo(resources);
      if (quick !== undefined) {
        const checked = validateDesiredChange(quick.change, table.view, knownKinds);
        if (checked.ok) {
          const result = table.apply(checked.set, checked.remove);
          if (result.ok) lastSet.changed(resources, quick.at);
          return answer(result);
        }
        // Rejected: the whole set is checked below, so that the answer names every error.
      }
      const checked = validateDesiredSet(resources, knownKinds);
      if (!checked.ok) return answer(checked);
      const left = leftovers(checked.byKey);
      const result = table.apply(checked.byKey, table.leavingFor(checked.byKey), left);
      if (result.ok) lastSet.accepted(resources);
      return applied(result, left !== undefined);
    },

    updateDesired(change) {
      lastSet.forget();
      const checked = validateDesiredChange(change, table.view, knownKinds);
      if (!checked.ok) return answer(checked);
      const left = leftovers(checked.set);
      return applied(table.apply(checked.set, checked.remove, left), left !== undefined);
    },

    ownershipChanged: () => table.ownershipChanged(),
    released: () => tree.released(),

    async recoverIntents(only) {
      if (state !== 'running') throw new Error(`runtime ${state}: recover intents while it runs`);
      // An intent of a key whose actor runs here is that actor's own, in flight: not a leftover.
      const summary = await recoverIntents(
        store,
        hosts,
        logger,
        (key) => only(key) && !table.entries.get(key)?.actor,
      );
      return summary?.unresolved.length ?? 0;
    },

    reconcile(key) {
      const actor = table.entries.get(key)?.actor;
      if (!actor) return false;
      actor.trigger();
      return true;
    },

    status: ((key?: string) => statusOf(table, loops, key)) as Runtime['status'],

    heldDeletions: () => budget.list(),
    approveDeletions(keys) {
      const approved = budget.take(keys).map((held) => held.key);
      for (const key of approved) table.leave(key, table.entries.get(key)!);
      if (approved.length > 0) emitter.emit('deletion:approved', { keys: approved, at: clock.now() });
      return approved;
    },

    async plan() {
      const plan = await planAll(table, hosts, store, settings.prune);
      const deletes = new Map<string, number>();
      for (const a of plan.actions)
        if (a.action === 'delete') deletes.set(a.kind, (deletes.get(a.kind) ?? 0) + 1);
      const held = deletes.size > 0 ? budget.preview(deletes) : [];
      return held.length > 0 ? { ...plan, held } : plan;
    },
    settled: () =>
      settled(
        table,
        emitter,
        () => state === 'running',
        (key) => loops.looping(key),
      ),
    on: (event, fn) => emitter.on(event, fn),
    tree: () => tree.tree(),
    metrics,
    store,
    get state() {
      return state;
    },

    async stop() {
      if (state === 'stopped' || state === 'stopping') return;
      state = 'stopping';
      for (const off of unwatch.splice(0)) off();
      table.close();
      const deadline = clock.setTimeout(() => shutdown.abort(new Error('shutting down')), shutdownMs);
      try {
        await tree.stop();
      } finally {
        clock.clearTimeout(deadline);
        ticks.close();
        shutdown.abort(new Error('shut down'));
        await store.close();
        state = 'stopped';
      }
    },
  };
}

/**
 * A resource's status as the runtime shows it: its actor's, with a crash loop shown on the
 * actor it last crashed (see `crash-loops.ts`) and a held delete on its resource (see
 * `deletion-budget.ts`); every resource, sorted by key, when no key is given.
 */
function statusOf(
  table: DesiredTable,
  loops: CrashLoops,
  key: string | undefined,
): ResourceStatus | ResourceStatus[] | undefined {
  const of = (entry: Entry) => {
    const actor = entry.actor;
    if (!actor) return undefined;
    const status = loops.active ? loops.status(actor.status()) : actor.status();
    return entry.held ? heldStatus(status) : status;
  };
  if (key !== undefined) {
    const entry = table.entries.get(key);
    return entry && of(entry);
  }
  const all: ResourceStatus[] = [];
  for (const entry of table.entries.values()) {
    const status = of(entry);
    if (status) all.push(status);
  }
  return all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
