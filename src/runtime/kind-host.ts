import type { Emitter } from 'nanoevents';
import type { Logger } from 'pino';
import type { ActorHost, ActorNotice, ResourceActor } from '../actors/resource-actor.js';
import type { Backoff } from '../backoff/backoff.js';
import { compileCompare } from '../diff/compare-options.js';
import { actionFor, type PlannedAction } from '../diff/plan.js';
import type { DriftPolicy, Resource } from '../diff/resource.js';
import type { StateStore } from '../store/state-store.js';
import type { Clock, Random } from './clock.js';
import { describeError } from './errors.js';
import type { RuntimeEvents } from './events.js';
import type { RuntimeMetrics } from './metrics.js';
import { createOperations } from './operation.js';
import type { Provider, ProviderContext } from './provider.js';
import { createProviderScheduler, type RateLimit } from './scheduler.js';

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
  store: StateStore;
  emitter: Emitter<RuntimeEvents>;
  metrics: RuntimeMetrics;
  shutdown: AbortSignal;
  dependenciesReady(actor: ResourceActor): boolean;
  dependentsRemain(actor: ResourceActor): boolean;
  becameReady(actor: ResourceActor): void;
  gone(actor: ResourceActor): void;
}

export interface KindHost extends ActorHost {
  /** Observe one resource and return what would change (for `plan()`). */
  planOne(key: string, resource: Resource): Promise<PlannedAction | undefined>;
  /** Observe a resource that leaves the desired set and return its delete, if it exists. */
  planDelete(key: string, resource: Resource): Promise<PlannedAction | undefined>;
}

/**
 * Everything the actors of one kind share: the provider, its scheduler (concurrency, rate,
 * `Retry-After` pause), the per-key operation gate, and the side effects of what actors report
 * (store, events, metrics). One per kind, so an actor carries a single reference.
 */
export function createKindHost(o: KindHostOptions): KindHost {
  const { provider, clock, emitter, metrics, store, shutdown } = o;
  const kind = provider.kind;
  const compiled = compileCompare(provider.compare, `compare of provider \`${kind}\``);
  const scheduler = createProviderScheduler({ concurrency: o.concurrency, rateLimit: o.rateLimit, clock });
  /** The operation in flight per key, across actor incarnations: never two at once. */
  const gates = new Map<string, Promise<void>>();
  const has = (event: keyof RuntimeEvents) => (emitter.events[event]?.length ?? 0) > 0;
  const base = (a: ResourceActor) => ({
    key: a.key,
    kind,
    name: a.name,
    generation: a.generation,
    at: clock.now(),
  });

  const operations = createOperations(clock, o.timeoutMs, shutdown);
  shutdown.addEventListener('abort', () => scheduler.release(), { once: true });
  const run = <T>(key: string, name: string, fn: (ctx: ProviderContext) => Promise<T>, log: () => Logger) =>
    scheduler.run(() => operations.run(`${key} ${name}`, fn, log));

  /**
   * One operation for `key`, after the previous one for that key has truly ended: not when our
   * timeout gave up on it, but when the provider's own promise settled. A provider that keeps
   * working after its signal aborted can never overlap with the next call for the same object.
   */
  const operate = <T>(
    key: string,
    name: string,
    fn: (ctx: ProviderContext) => Promise<T>,
    log: () => Logger,
  ) => {
    const previous = gates.get(key);
    let finished!: () => void;
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    let started = false;
    const tracked = (ctx: ProviderContext): Promise<T> => {
      started = true;
      let pending: Promise<T>;
      try {
        pending = fn(ctx);
      } catch (error) {
        finished();
        throw error;
      }
      pending.then(finished, finished);
      return pending;
    };
    const go = () => run(key, name, tracked, log);
    const promise = previous ? previous.then(go) : go();
    const notStarted = () => {
      if (!started) finished();
    };
    promise.then(notStarted, notStarted);
    gates.set(key, done);
    done.then(() => {
      if (gates.get(key) === done) gates.delete(key);
    });
    return promise;
  };

  const silentLog = () => o.logger;
  const logStoreError = (error: unknown) => o.logger.error({ kind, err: error }, 'state store write failed');
  const markGood = (actor: ResourceActor) => {
    const spec = actor.appliedSpec();
    if (store.get(actor.key)?.lastGood !== spec) void store.markGood(actor.key, spec).catch(logStoreError);
  };

  const host: KindHost = {
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
    timeoutMs: o.timeoutMs,
    logger: o.logger,
    operate,
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

    notify(actor: ResourceActor, what: ActorNotice) {
      switch (what.type) {
        case 'pass-start':
          if (has('reconcile:start'))
            emitter.emit('reconcile:start', { ...base(actor), attempt: actor.attempts });
          return;
        case 'pass-done': {
          const durationMs = what.durationMs;
          metrics.reconciled(kind, what.result, durationMs / 1000);
          if (has('reconcile:done'))
            emitter.emit('reconcile:done', { ...base(actor), result: what.result, durationMs });
          return;
        }
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
          if (what.retryAfterMs !== undefined) scheduler.pause(clock.now() + what.retryAfterMs);
          return;
        case 'synced': {
          // A dry run writes nothing, not even an adoption.
          if (!o.dryRun) {
            const item = store.get(actor.key);
            const good = what.verified && !actor.rolledBack;
            if (!item) {
              const spec = actor.appliedSpec();
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
      const observed = await operate(key, 'observe', (ctx) => provider.observe(resource, ctx), silentLog);
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
      const observed = await operate(key, 'observe', (ctx) => provider.observe(resource, ctx), silentLog);
      return actionFor(key, kind, resource.name, undefined, observed, compiled);
    },
  };
  return host;
}
