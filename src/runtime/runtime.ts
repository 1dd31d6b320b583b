import { createNanoEvents, type Emitter } from 'nanoevents';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ResourceActor } from '../actors/resource-actor.js';
import type { ResourceStatus } from '../actors/status.js';
import { type BackoffOptions, exponentialBackoff } from '../backoff/backoff.js';
import type { Provider } from '../contract/provider.js';
import { type DriftPolicy, keyOf, parseKey, type Resource } from '../contract/resource.js';
import { type DesiredChange, type DesiredView, validateDesiredChange } from '../diff/desired-change.js';
import { validateDesiredSet } from '../diff/desired-set.js';
import { type Plan, type PlannedAction, planOf } from '../diff/plan.js';
import { type DesiredSetError, EMPTY_SET } from '../diff/rules.js';
import { sameResource } from '../diff/same-resource.js';
import { createMemoryStore } from '../store/memory-store.js';
import { resolvePendingIntents } from '../store/resolve-pending-intents.js';
import type { StateStore } from '../store/state-store.js';
import type { ChildSpec } from '../supervisor/child-spec.js';
import {
  createDynamicSupervisor,
  createSupervisor,
  type DynamicSupervisor,
  type Supervisor,
  type SupervisorTree,
} from '../supervisor/index.js';
import type { RestartBackoffOptions } from '../supervisor/restart-backoff.js';
import { type Clock, systemClock, systemRandom } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { TickTimers } from '../time/tick-timers.js';
import type { RuntimeEvents } from './events.js';
import { createKindHost, type KindHost } from './kind-host.js';
import { createRuntimeMetrics, type RuntimeMetrics } from './metrics.js';
import type { RateLimit } from './operation-queue.js';

export interface RuntimeOptions {
  /** One provider per kind. */
  providers: readonly Provider[];
  clock?: Clock;
  random?: Random;
  /** pino logger; default: silent. */
  logger?: Logger;
  /** Resync interval for in-sync resources (±10 % jitter). Default 30000 ms. */
  interval?: number;
  /** Failure backoff. Default base 1000 ms, ×2, cap 60000 ms, full jitter. */
  backoff?: Omit<BackoffOptions, 'random'>;
  /** Failures before a resource is Degraded. Default 5. */
  maxRetries?: number;
  /** Provider operations in flight per provider. Default 10. */
  concurrency?: number;
  /** Per-provider token bucket. Default: none. */
  rateLimit?: RateLimit;
  /** Per-operation timeout. Default 30000 ms. */
  timeout?: number;
  /** Graceful shutdown budget for in-flight operations. Default 30000 ms. */
  shutdownTimeout?: number;
  /** Compute and report plans; apply nothing. Default false. */
  dryRun?: boolean;
  /** What to do when the world drifts from a synced spec. Default `enforce`. */
  drift?: DriftPolicy;
  /** Apply the last-good spec when a new one exhausts its retries. Default false. */
  rollback?: boolean;
  /** Delete managed resources that leave the desired set. Default true (false: release them). */
  prune?: boolean;
  /** Allow a desired set that would delete every managed resource. Default false. */
  allowEmpty?: boolean;
  /** Where the inventory and journal live. Default: in memory. */
  store?: StateStore;
  /** Prometheus registry for setpoint's metrics. Default: a private one. */
  registry?: Registry;
  /** Restart intensity of the per-kind supervisors. Default 3 in 5000 ms (OTP/Elixir). */
  supervision?: {
    maxRestarts?: number;
    withinMs?: number;
    /** Wait before restarting a crashed actor, growing while it keeps crashing. Default: restart at once (OTP). */
    restartBackoff?: RestartBackoffOptions;
  };
}

export type RuntimeState = 'new' | 'running' | 'stopping' | 'stopped' | 'failed';

export type SetDesiredResult =
  | { ok: true; added: number; changed: number; removed: number }
  | { ok: false; errors: readonly DesiredSetError[] };

export interface Runtime {
  start(): Promise<void>;
  /** Replace the whole desired set. Invalid sets are rejected whole, with every error. */
  setDesired(resources: readonly Resource[]): SetDesiredResult;
  /**
   * Change part of the desired set: add or replace `set`, take out `remove` (keys). Checked by
   * the same rules as a whole set, at a cost that does not grow with its size: for a process
   * holding many resources and changing a few at a time. Rejected whole, with every error.
   */
  updateDesired(change: DesiredChange): SetDesiredResult;
  /** Reconcile one resource now. Returns false for an unknown key. */
  reconcile(key: string): boolean;
  status(): ResourceStatus[];
  status(key: string): ResourceStatus | undefined;
  /** Observe everything once and return what would change. */
  plan(): Promise<Plan>;
  /**
   * Resolves once every resource of the current desired set has finished a pass at its
   * current generation — in sync, failed and backing off, Degraded, waiting for a dependency —
   * and every resource that left it is deleted (or blocked). The outcome is in `status()`.
   * For scripts and tests; a long-running process just lets the runtime run.
   */
  settled(): Promise<void>;
  on<E extends keyof RuntimeEvents>(event: E, fn: RuntimeEvents[E]): () => void;
  /** The supervision tree, as data. */
  tree(): SupervisorTree | undefined;
  /**
   * Where the runtime is in its life. `failed`: the root supervisor gave up (`runtime:failed`);
   * nothing reconciles any more, and `status()` shows each resource as it was last seen.
   */
  readonly state: RuntimeState;
  readonly metrics: RuntimeMetrics;
  readonly store: StateStore;
  /** Graceful: in-flight operations finish or are aborted at the shutdown timeout. */
  stop(): Promise<void>;
}

interface Entry {
  resource: Resource;
  generation: number;
  actor: ResourceActor | undefined;
  restarts: number;
  /** Left the desired set; being deleted or released. */
  removed: boolean;
  /** Desired again while its delete was running: spawn afresh once it is gone. */
  resurrect: Resource | undefined;
}

function positive(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(
      `Expected \`${name}\` to be a number >= ${min}, got \`${String(value)}\` (${typeof value})`,
    );
  }
  return value;
}

/**
 * Create a runtime: one supervised actor per resource, reconciling forever.
 *
 * ```ts
 * const rt = createRuntime({ providers: [users] });
 * await rt.start();
 * rt.setDesired([{ kind: 'user', name: 'alice', spec: { role: 'admin' } }]);
 * rt.on('resource:synced', (e) => console.log(e.key, 'is in sync'));
 * ```
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  if (!options || !Array.isArray(options.providers)) {
    throw new TypeError(
      'Expected `providers` to be an array of providers, e.g. createRuntime({ providers: [users] })',
    );
  }
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const logger = options.logger ?? pino({ level: 'silent' });
  const intervalMs = positive('interval', options.interval, 30_000);
  const maxRetries = positive('maxRetries', options.maxRetries, 5);
  const concurrency = positive('concurrency', options.concurrency, 10);
  const timeoutMs = positive('timeout', options.timeout, 30_000);
  const shutdownMs = positive('shutdownTimeout', options.shutdownTimeout, 30_000, 0);
  const backoff = exponentialBackoff({ ...options.backoff, random });
  const prune = options.prune ?? true;
  const allowEmpty = options.allowEmpty ?? false;
  const store = options.store ?? createMemoryStore({ clock });
  const emitter: Emitter<RuntimeEvents> = createNanoEvents<RuntimeEvents>();
  const shutdown = new AbortController();
  const ticks = new TickTimers(clock);
  const entries = new Map<string, Entry>();
  /** key → keys that depend on it (from every live entry, removed ones included). */
  const dependents = new Map<string, Set<string>>();
  const kindSupervisors = new Map<string, DynamicSupervisor>();
  const hosts = new Map<string, KindHost>();
  let root: Supervisor | undefined;
  let state: RuntimeState = 'new';

  const metrics = createRuntimeMetrics({
    registry: options.registry,
    phases: function* () {
      const counts = new Map<string, number>();
      for (const entry of entries.values()) {
        const k = `${entry.resource.kind}\0${entry.actor?.phase ?? 'pending'}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      for (const [k, n] of counts) {
        const [kind, phase] = k.split('\0') as [string, string];
        yield [kind, phase, n];
      }
    },
  });

  const link = (key: string, deps: readonly string[] | undefined, add: boolean) => {
    for (const dep of deps ?? []) {
      let set = dependents.get(dep);
      if (add) {
        if (!set) {
          set = new Set();
          dependents.set(dep, set);
        }
        set.add(key);
      } else if (set) {
        set.delete(key);
        if (set.size === 0) dependents.delete(dep);
      }
    }
  };

  const wakeAll = (keys: Iterable<string> | undefined, when: (actor: ResourceActor) => boolean) => {
    if (!keys) return;
    for (const k of keys) {
      const actor = entries.get(k)?.actor;
      if (actor && when(actor)) actor.trigger();
    }
  };

  for (const provider of options.providers) {
    if (hosts.has(provider.kind)) {
      throw new TypeError(`Two providers for kind \`${provider.kind}\`: each kind has exactly one provider`);
    }
    hosts.set(
      provider.kind,
      createKindHost({
        provider,
        clock,
        random,
        backoff,
        intervalMs,
        maxRetries,
        timeoutMs,
        concurrency,
        rateLimit: options.rateLimit,
        drift: options.drift ?? 'enforce',
        rollback: options.rollback ?? false,
        dryRun: options.dryRun ?? false,
        logger,
        ticks,
        store,
        emitter,
        metrics,
        shutdown: shutdown.signal,
        dependenciesReady: (actor) =>
          (actor.desired.dependsOn ?? []).every((dep) => entries.get(dep)?.actor?.ready === true),
        dependentsRemain: (actor) => (dependents.get(actor.key)?.size ?? 0) > 0,
        becameReady: (actor) => wakeAll(dependents.get(actor.key), (a) => a.phase === 'waiting'),
        gone: (actor) => released(actor.key),
      }),
    );
  }
  const knownKinds = new Set(hosts.keys());

  /** An entry is gone for good: drop it, and wake what waited for it. */
  function released(key: string): void {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    link(key, entry.resource.dependsOn, false);
    wakeAll(entry.resource.dependsOn, (a) => a.phase === 'deleteBackoff');
    if (entry.resurrect) {
      const resource = entry.resurrect;
      queueMicrotask(() => {
        if (state === 'running' && !entries.has(key)) add(key, resource, entry.generation + 1);
      });
    }
  }

  function actorSpec(key: string, kind: string): ChildSpec {
    return {
      id: key,
      restart: 'transient',
      shutdown: shutdownMs,
      start: (childLink) => {
        const entry = entries.get(key);
        const host = hosts.get(kind);
        if (!entry || !host) throw new Error(`${key}: no desired resource to start`);
        if (entry.actor) {
          entry.restarts++;
          metrics.restart(kind);
          if (emitter.events['actor:restarted']?.length) {
            emitter.emit('actor:restarted', { key, at: clock.now(), restarts: entry.restarts });
          }
        }
        const actor = new ResourceActor(host, entry.resource, entry.generation, childLink, entry.restarts);
        entry.actor = actor;
        actor.start();
        if (entry.removed) actor.requestDelete();
        return actor;
      },
    };
  }

  function add(key: string, resource: Resource, generation = 1): void {
    const entry: Entry = {
      resource,
      generation,
      actor: undefined,
      restarts: 0,
      removed: false,
      resurrect: undefined,
    };
    entries.set(key, entry);
    link(key, resource.dependsOn, true);
    const sup = kindSupervisors.get(resource.kind);
    if (sup) startActor(sup, key, resource.kind);
  }

  /** A start that fails is the supervisor's business (it counts as a crash); never the caller's. */
  function startActor(sup: DynamicSupervisor, key: string, kind: string): void {
    try {
      const started = sup.startChild(actorSpec(key, kind));
      if (started instanceof Promise) started.catch((error: unknown) => logStartFailure(key, error));
    } catch (error) {
      logStartFailure(key, error);
    }
  }

  function logStartFailure(key: string, error: unknown): void {
    logger.error({ key, err: error }, 'resource actor failed to start');
  }

  function kindSpec(kind: string): ChildSpec {
    return {
      id: kind,
      type: 'supervisor',
      restart: 'permanent',
      start: async (childLink) => {
        const sup = createDynamicSupervisor({
          id: kind,
          clock,
          random,
          maxRestarts: options.supervision?.maxRestarts ?? 3,
          withinMs: options.supervision?.withinMs ?? 5000,
          ...(options.supervision?.restartBackoff
            ? { restartBackoff: options.supervision.restartBackoff }
            : {}),
        });
        sup.on('supervisor:escalated', () => {
          if (emitter.events['supervisor:escalated']?.length) {
            emitter.emit('supervisor:escalated', { supervisor: kind, at: clock.now() });
          }
        });
        await sup.start(childLink);
        kindSupervisors.set(kind, sup);
        // (Re)start an actor for every resource of this kind: after a supervisor restart, fresh ones.
        for (const [key, entry] of entries) {
          if (entry.resource.kind === kind) startActor(sup, key, kind);
        }
        return sup;
      },
    };
  }

  /** How many resources the desired set holds now (leaving ones not counted, revived ones are). */
  let live = 0;
  const desiredView: DesiredView = {
    current: (key) => {
      const entry = entries.get(key);
      return entry?.removed ? entry.resurrect : entry?.resource;
    },
    dependents: (key) => dependents.get(key) ?? [],
  };

  function reject(errors: readonly DesiredSetError[]): SetDesiredResult {
    emitter.emit('desired:rejected', { errors, at: clock.now() });
    return { ok: false, errors };
  }

  function accept(added: number, changed: number, removed: number): SetDesiredResult {
    emitter.emit('desired:accepted', { added, changed, removed, at: clock.now() });
    return { ok: true, added, changed, removed };
  }

  /** Tell each kind how many of its resources are about to be created (see `ListSnapshot`). */
  function beginIntake(resources: ReadonlyMap<string, Resource>): void {
    const fresh = new Map<string, number>();
    for (const [key, r] of resources) {
      if (!entries.has(key)) fresh.set(r.kind, (fresh.get(r.kind) ?? 0) + 1);
    }
    for (const [kind, count] of fresh) hosts.get(kind)?.beginIntake(count);
  }

  function endIntake(): void {
    for (const host of hosts.values()) host.endIntake();
  }

  /** Would this leave nothing desired while deleting what setpoint manages? */
  function emptied(remaining: number, leaving: readonly [string, Entry][]): boolean {
    return prune && !allowEmpty && remaining === 0 && leaving.some(([key]) => store.get(key));
  }

  /** Make `resource` the desired one for `key`. */
  function put(key: string, resource: Resource): 'added' | 'changed' | 'same' {
    const entry = entries.get(key);
    if (!entry) {
      add(key, resource);
      return 'added';
    }
    if (entry.removed) {
      entry.resurrect = resource; // once its delete is done
      return 'added';
    }
    if (sameResource(entry.resource, resource)) return 'same';
    const before = entry.resource.dependsOn;
    link(key, before, false);
    link(key, resource.dependsOn, true);
    entry.resource = resource;
    // A dependency this one no longer needs may be waiting for it to go before its delete.
    wakeAll(before, (a) => a.phase === 'deleteBackoff');
    entry.generation++;
    entry.actor?.setDesired(resource, entry.generation);
    return 'changed';
  }

  /** `key` left the desired set: delete it if it is ours and prune is on, else release it. */
  function leave(key: string, entry: Entry): void {
    entry.removed = true;
    if (prune && entry.actor) {
      // The actor deletes it only if it is ours (in the inventory) once any operation in
      // flight, such as a create, has finished.
      entry.actor.requestDelete();
    } else {
      // Not ours to delete (or prune is off): stop managing it, leave it in place.
      void Promise.resolve(kindSupervisors.get(entry.resource.kind)?.terminateChild(key)).catch(
        (error: unknown) => logger.error({ key, err: error }, 'resource actor failed to stop'),
      );
      released(key);
    }
  }

  /** Has every resource finished a pass at its current generation (see `Runtime.settled`)? */
  function isSettled(): boolean {
    for (const entry of entries.values()) if (!entrySettled(entry)) return false;
    return true;
  }

  function entrySettled(entry: Entry): boolean {
    if (entries.get(keyOf(entry.resource)) !== entry) return true; // gone since
    const actor = entry.actor;
    if (!actor) return false;
    if (entry.removed) return actor.phase === 'deleteBackoff';
    return actor.settledAt(entry.generation);
  }

  function managedKeys(): string[] {
    return [...store.inventory().keys()];
  }

  const runtime: Runtime = {
    async start() {
      if (state !== 'new') throw new Error(`runtime already ${state}`);
      await store.open();
      // A crash between "intend" and "done" left intents behind: look at the world and resolve
      // them before any actor acts, so nothing is leaked or created twice.
      if (store.pendingIntents().length > 0) {
        const summary = await resolvePendingIntents(store, async (intent) => {
          const { kind, name } = parseKey(intent.key);
          const host = hosts.get(kind);
          if (!host) return 'absent';
          const ref: Resource = { kind, name, spec: intent.spec ?? store.get(intent.key)?.lastApplied ?? {} };
          return (await host.planDelete(intent.key, ref)) ? 'present' : 'absent';
        });
        logger.info({ ...summary }, 'resolved intents left by an earlier run');
      }
      state = 'running';
      root = createSupervisor({
        id: 'root',
        strategy: 'oneForOne',
        clock,
        random,
        children: [...hosts.keys()].map(kindSpec),
      });
      root.on('supervisor:escalated', (e) => {
        if (e.supervisor !== 'root') return;
        state = 'failed';
        emitter.emit('runtime:failed', {
          error: `the root supervisor exceeded its restart intensity`,
          at: clock.now(),
          tree: root?.tree(),
        });
      });
      root.on('child:restarted', (e) => metrics.restart(e.supervisor));
      await root.start();
    },

    setDesired(resources) {
      const checked = validateDesiredSet(resources, knownKinds);
      if (!checked.ok) return reject(checked.errors);
      const next = checked.byKey;
      const leaving = [...entries].filter(([key, e]) => !e.removed && !next.has(key));
      if (emptied(next.size, leaving)) return reject([EMPTY_SET]);
      let added = 0;
      let changed = 0;
      beginIntake(next);
      for (const [key, resource] of next) {
        const outcome = put(key, resource);
        if (outcome === 'added') added++;
        else if (outcome === 'changed') changed++;
      }
      endIntake();
      for (const [key, entry] of entries) {
        if (entry.removed && !next.has(key)) entry.resurrect = undefined; // gone again before it came back
      }
      for (const [key, entry] of leaving) leave(key, entry);
      live = next.size;
      return accept(added, changed, leaving.length);
    },

    updateDesired(change) {
      const checked = validateDesiredChange(change, desiredView, knownKinds);
      if (!checked.ok) return reject(checked.errors);
      const leaving: [string, Entry][] = [];
      const unrevived: Entry[] = [];
      for (const key of checked.remove) {
        const entry = entries.get(key)!;
        if (entry.removed)
          unrevived.push(entry); // desired again while deleting: not any more
        else leaving.push([key, entry]);
      }
      let fresh = 0;
      for (const key of checked.set.keys()) if (desiredView.current(key) === undefined) fresh++;
      const remaining = live + fresh - leaving.length - unrevived.length;
      if (emptied(remaining, leaving)) return reject([EMPTY_SET]);
      let added = 0;
      let changed = 0;
      beginIntake(checked.set);
      for (const [key, resource] of checked.set) {
        const outcome = put(key, resource);
        if (outcome === 'added') added++;
        else if (outcome === 'changed') changed++;
      }
      endIntake();
      for (const entry of unrevived) entry.resurrect = undefined;
      for (const [key, entry] of leaving) leave(key, entry);
      live = remaining;
      return accept(added, changed, leaving.length + unrevived.length);
    },

    reconcile(key) {
      const actor = entries.get(key)?.actor;
      if (!actor) return false;
      actor.trigger();
      return true;
    },

    status: ((key?: string) => {
      if (key !== undefined) return entries.get(key)?.actor?.status();
      const all: ResourceStatus[] = [];
      for (const entry of entries.values()) if (entry.actor) all.push(entry.actor.status());
      return all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }) as Runtime['status'],

    async plan() {
      const work: Promise<PlannedAction | undefined>[] = [];
      for (const [key, entry] of entries) {
        const host = hosts.get(entry.resource.kind)!;
        if (entry.removed) {
          if (prune && store.get(key)) work.push(host.planDelete(key, entry.resource));
          continue;
        }
        work.push(host.planOne(key, entry.resource));
      }
      if (prune) {
        for (const key of managedKeys()) {
          if (entries.has(key)) continue;
          const item = store.get(key)!;
          const host = hosts.get(item.kind);
          if (host)
            work.push(
              host.planDelete(key, { kind: item.kind, name: item.name, spec: item.lastApplied ?? {} }),
            );
        }
      }
      const actions = (await Promise.all(work)).filter((a): a is PlannedAction => a !== undefined);
      return planOf(actions);
    },

    settled() {
      if (isSettled()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const offs: (() => void)[] = [];
        // Walk a snapshot once, resuming where the last check stopped (so waiting for 100,000
        // first passes is linear, not quadratic); one full check at the end catches the rest.
        let snapshot = [...entries.values()];
        let next = 0;
        let queued = false;
        const check = () => {
          queued = false;
          if (state === 'running') {
            while (next < snapshot.length && entrySettled(snapshot[next]!)) next++;
            if (next < snapshot.length) return;
            if (!isSettled()) {
              snapshot = [...entries.values()];
              next = 0;
              return;
            }
          }
          for (const off of offs) off();
          resolve();
        };
        const schedule = () => {
          if (queued) return;
          queued = true;
          queueMicrotask(check);
        };
        // Everything that can end a pass, or a delete, says so through one of these.
        for (const event of [
          'reconcile:done',
          'resource:deleted',
          'action:failed',
          'runtime:failed',
        ] as const) {
          offs.push(emitter.on(event, schedule));
        }
      });
    },

    on(event, fn) {
      return emitter.on(event, fn);
    },

    tree() {
      return root?.tree();
    },

    metrics,
    store,
    get state() {
      return state;
    },

    async stop() {
      if (state === 'stopped' || state === 'stopping') return;
      state = 'stopping';
      const deadline = clock.setTimeout(() => shutdown.abort(new Error('shutting down')), shutdownMs);
      try {
        await root?.stop();
      } finally {
        clock.clearTimeout(deadline);
        ticks.close();
        shutdown.abort(new Error('shut down'));
        await store.close();
        state = 'stopped';
      }
    },
  };
  return runtime;
}
