import type { Emitter } from 'nanoevents';
import type { Logger } from 'pino';
import type { ActorNotice } from '../actors/notices.js';
import type { ActorHost } from '../actors/ports.js';
import type { ResourceRecord } from '../actors/record.js';
import type { Backoff } from '../backoff/backoff.js';
import { describeError } from '../contract/errors.js';
import type { Observed, Provider } from '../contract/provider.js';
import type { DriftPolicy, Resource } from '../contract/resource.js';
import { compileCompare } from '../diff/compare-options.js';
import { actionFor, type PlannedAction } from '../diff/plan.js';
import type { RateLimit } from '../queue/operation-queue.js';
import { OperationQueue } from '../queue/operation-queue.js';
import type { StateStore } from '../store/state-store.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { TickTimers } from '../time/tick-timers.js';
import type { RuntimeEvents } from './events.js';
import { ListSnapshot } from './list-snapshot.js';
import type { RuntimeMetrics } from './metrics.js';

export interface KindHostOptions {
  provider: Provider;
  clock: Clock;
  random: Random;
  backoff: Backoff;
  intervalMs: number;
  maxRetries: number;
  timeoutMs: number;
  concurrency: number;
  rateLimit: RateLimit | undefined;
  drift: DriftPolicy;
  rollback: boolean;
  dryRun: boolean;
  logger: Logger;
  ticks: TickTimers;
  store: StateStore;
  emitter: Emitter<RuntimeEvents>;
  metrics: RuntimeMetrics;
  shutdown: AbortSignal;
  dependenciesReady(actor: ResourceRecord): boolean;
  dependentsRemain(actor: ResourceRecord): boolean;
  becameReady(actor: ResourceRecord): void;
  gone(actor: ResourceRecord): void;
}

export interface KindHost extends ActorHost {
  /**
   * Actors created from now until `endIntake` share one `list` for their first pass, when the
   * provider can list and `count` new resources make it worth it (see `ListSnapshot`).
   */
  beginIntake(count: number): void;
  endIntake(): void;
  /** Observe one resource and return what would change (for `plan()`). */
  planOne(key: string, resource: Resource): Promise<PlannedAction | undefined>;
  /** Observe a resource that leaves the desired set and return its delete, if it exists. */
  planDelete(key: string, resource: Resource): Promise<PlannedAction | undefined>;
}

/**
 * Everything the actors of one kind share: the provider, its operation queue (concurrency, rate,
 * `Retry-After` pause), the per-key operation gate, and the side effects of what actors report
 * (store, events, metrics). One per kind, so an actor carries a single reference.
 */
export function createKindHost(o: KindHostOptions): KindHost {
  const { provider, clock, emitter, metrics, store, shutdown } = o;
  const kind = provider.kind;
  const compiled = compileCompare(provider.compare, `compare of provider \`${kind}\``);
  const queue = new OperationQueue({
    clock,
    timeoutMs: o.timeoutMs,
    concurrency: o.concurrency,
    rateLimit: o.rateLimit,
  });
  shutdown.addEventListener('abort', () => queue.close(shutdown.reason), { once: true });
  const has = (event: keyof RuntimeEvents) => (emitter.events[event]?.length ?? 0) > 0;
  const base = (a: ResourceRecord) => ({
    key: a.key,
    kind,
    name: a.name,
    generation: a.generation,
    at: clock.now(),
  });

  /** The same queue, awaited: for `plan()` and the start-up check of intents. */
  const observeOnce = (key: string, resource: Resource) =>
    new Promise<Observed | undefined>((resolve, reject) => {
      queue.submit(
        key,
        'observe',
        {
          log: () => o.logger,
          settled: (failed, result) => (failed ? reject(result) : resolve(result as Observed | undefined)),
        },
        (_client, ctx) => provider.observe(resource, ctx),
      );
    });

  const logStoreError = (error: unknown) => o.logger.error({ kind, err: error }, 'state store write failed');
  const markGood = (actor: ResourceRecord) => {
    const spec = actor.targetSpec();
    if (store.get(actor.key)?.lastGood !== spec) void store.markGood(actor.key, spec).catch(logStoreError);
  };

  const host: KindHost & { snapshot: ListSnapshot | undefined } = {
    kind,
    provider,
    compare: compiled,
    clock,
    random: o.random,
    backoff: o.backoff,
    intervalMs: o.intervalMs,
    maxRetries: o.maxRetries,
    drift: o.drift,
    rollback: o.rollback,
    dryRun: o.dryRun,
    logger: o.logger,
    ticks: o.ticks,
    snapshot: undefined as ListSnapshot | undefined,
    beginIntake(count) {
      // One list instead of `count` observes, when the observes would not all fit in one round.
      if (provider.list && count > o.concurrency) host.snapshot = new ListSnapshot(provider);
    },
    endIntake() {
      host.snapshot = undefined;
    },
    operate: (key, name, client, work, urgent) => queue.submit(key, name, client, work, urgent),
    dependenciesReady: o.dependenciesReady,
    dependentsRemain: o.dependentsRemain,
    lastGood: (key) => store.get(key)?.lastGood,
    manages: (key) => store.get(key) !== undefined,

    async journal(actor, op, spec, apply, keep = false) {
      const intent = await store.intend({ key: actor.key, op, ...(spec ? { spec } : {}) });
      let result: Awaited<ReturnType<typeof apply>>;
      try {
        result = await apply();
      } catch (error) {
        await store.settle(intent.id, 'failed');
        throw error;
      }
      if (op === 'delete') {
        if (!keep) await store.forget(actor.key);
      } else {
        const origin = store.get(actor.key)?.origin ?? (op === 'create' ? 'created' : 'adopted');
        await store.record({
          key: actor.key,
          kind,
          name: actor.name,
          origin,
          ...(spec ? { lastApplied: spec } : {}),
          generation: actor.generation,
        });
      }
      await store.settle(intent.id, 'done');
      return result;
    },

    passDone(actor, result, durationMs) {
      metrics.reconciled(kind, result, durationMs / 1000);
      if (has('reconcile:done')) emitter.emit('reconcile:done', { ...base(actor), result, durationMs });
    },

    notify(actor: ResourceRecord, what: ActorNotice) {
      switch (what.type) {
        case 'pass-start':
          if (has('reconcile:start'))
            emitter.emit('reconcile:start', { ...base(actor), attempt: actor.attempts });
          return;
        case 'pass-done':
          host.passDone(actor, what.result, what.durationMs);
          return;
        case 'applied':
          metrics.action(kind, what.action);
          if (has('action:applied')) {
            emitter.emit('action:applied', {
              ...base(actor),
              action: what.action,
              durationMs: what.durationMs,
            });
          }
          return;
        case 'failed':
          metrics.error(kind);
          if (has('action:failed')) {
            emitter.emit('action:failed', {
              ...base(actor),
              operation: what.operation as 'observe',
              error: describeError(what.error),
              attempt: actor.attempts,
              delayMs: what.delayMs,
              permanent: what.permanent,
            });
          }
          if (what.retryAfterMs !== undefined) queue.pause(clock.now() + what.retryAfterMs);
          return;
        case 'synced': {
          // A dry run writes nothing, not even an adoption.
          if (!o.dryRun) {
            const item = store.get(actor.key);
            const good = what.verified && !actor.rolledBack;
            if (!item) {
              const spec = actor.targetSpec();
              void store
                .record({
                  key: actor.key,
                  kind,
                  name: actor.name,
                  origin: 'adopted',
                  generation: actor.generation,
                })
                .then(() => (good ? store.markGood(actor.key, spec) : undefined))
                .catch(logStoreError);
            } else if (good) {
              markGood(actor);
            }
          }
          if (has('resource:synced')) emitter.emit('resource:synced', base(actor));
          if (what.recovered && has('recovered')) emitter.emit('recovered', base(actor));
          o.becameReady(actor);
          return;
        }
        case 'verified':
          if (!o.dryRun && !actor.rolledBack) markGood(actor);
          return;
        case 'drift':
          metrics.drift(kind);
          if (has('drift'))
            emitter.emit('drift', { ...base(actor), policy: what.policy, changes: what.changes });
          return;
        case 'degraded':
          if (has('degraded'))
            emitter.emit('degraded', { ...base(actor), reason: what.reason, rollback: what.rollback });
          return;
        case 'planned':
          if (has('plan:computed')) emitter.emit('plan:computed', { ...base(actor), action: what.action });
          return;
        case 'deleted':
          // In a dry run nothing was deleted: the resource only leaves management.
          if (!o.dryRun && has('resource:deleted')) emitter.emit('resource:deleted', base(actor));
          o.gone(actor);
          return;
        case 'crashed':
          o.logger.error({ kind, name: actor.name, err: what.error }, 'resource actor crashed');
          if (has('actor:crashed'))
            emitter.emit('actor:crashed', { ...base(actor), error: describeError(what.error) });
          return;
      }
    },

    async planOne(key, resource) {
      const observed = await observeOnce(key, resource);
      return actionFor(
        key,
        kind,
        resource.name,
        resource.spec as Record<string, unknown>,
        observed,
        compiled,
      );
    },

    async planDelete(key, resource) {
      const observed = await observeOnce(key, resource);
      return actionFor(key, kind, resource.name, undefined, observed, compiled);
    },
  };
  return host;
}
