import type { Emitter } from 'nanoevents';
import type { Logger } from 'pino';
import type { ActorNotice, PassResult } from '../actors/notices.js';
import type { NoticePort } from '../actors/ports.js';
import type { ResourceRecord } from '../actors/record.js';
import { describeError } from '../contract/errors.js';
import type { OperationQueue } from '../queue/operation-queue.js';
import type { Clock } from '../time/clock.js';
import type { CrashLoops } from './crash-loops.js';
import type { DesiredTable } from './desired-table.js';
import type { RuntimeEvents } from './events.js';
import type { Inventory } from './inventory.js';
import type { RuntimeMetrics } from './metrics.js';

/**
 * What each actor notice means for the rest of the runtime, for one kind:
 *
 * | notice       | events                         | and also                                         |
 * |--------------|--------------------------------|--------------------------------------------------|
 * | `pass-start` | `reconcile:start`              |                                                  |
 * | `pass-done`  | `reconcile:done`               | the reconcile count and time; ends a crash loop  |
 * | `applied`    | `action:applied`               | the actions count                                |
 * | `failed`     | `action:failed`                | the error and retry counts; a `Retry-After` pauses the kind |
 * | `synced`     | `resource:synced`, `recovered` | adopt, mark last-good; wake waiting dependents   |
 * | `verified`   |                                | mark last-good                                   |
 * | `drift`      | `drift`                        | the drift count                                  |
 * | `degraded`   | `degraded`                     |                                                  |
 * | `unhealthy`  | `resource:unhealthy`           | the unhealthy count, by reason                   |
 * | `hot-loop`   | `hotloop`                      | the hot-loop count                               |
 * | `hot-loop-ended` | `hotloop:ended`            |                                                  |
 * | `planned`    | `plan:computed`                |                                                  |
 * | `deleted`    | `resource:deleted`             | the entry is gone; wake what waited for it       |
 * | `crashed`    | `actor:crashed`                | logged; restarted by `CrashLoops`                |
 *
 * A dry run writes nothing to the inventory and deletes nothing. An event nobody listens to is
 * not built.
 */
export class KindNotices implements NoticePort {
  constructor(
    private readonly kind: string,
    private readonly o: {
      readonly clock: Clock;
      readonly logger: Logger;
      readonly dryRun: boolean;
      readonly emitter: Emitter<RuntimeEvents>;
      readonly metrics: RuntimeMetrics;
      readonly inventory: Inventory;
      readonly table: DesiredTable;
      readonly queue: OperationQueue;
      readonly loops: CrashLoops;
    },
  ) {}

  passDone(actor: ResourceRecord, result: PassResult, durationMs: number): void {
    this.o.metrics.reconciled(this.kind, result, durationMs / 1000);
    if (this.o.loops.active) this.o.loops.passed(actor, result);
    if (this.#has('reconcile:done')) {
      this.o.emitter.emit('reconcile:done', { ...this.#base(actor), result, durationMs });
    }
  }

  notify(actor: ResourceRecord, what: ActorNotice): void {
    const { emitter, metrics, inventory, table, dryRun } = this.o;
    const kind = this.kind;
    switch (what.type) {
      case 'pass-start':
        if (this.#has('reconcile:start'))
          emitter.emit('reconcile:start', { ...this.#base(actor), attempt: actor.attempts });
        return;
      case 'pass-done':
        this.passDone(actor, what.result, what.durationMs);
        return;
      case 'applied':
        metrics.action(kind, what.action);
        if (this.#has('action:applied')) {
          emitter.emit('action:applied', {
            ...this.#base(actor),
            action: what.action,
            durationMs: what.durationMs,
          });
        }
        return;
      case 'failed':
        metrics.error(kind);
        if (what.delayMs !== undefined) metrics.retry(kind);
        if (this.#has('action:failed')) {
          emitter.emit('action:failed', {
            ...this.#base(actor),
            operation: what.operation as 'observe',
            error: describeError(what.error),
            attempt: actor.attempts,
            delayMs: what.delayMs,
            permanent: what.permanent,
          });
        }
        if (what.retryAfterMs !== undefined) this.o.queue.pause(this.o.clock.now() + what.retryAfterMs);
        return;
      case 'synced':
        if (!dryRun) inventory.synced(actor, what.verified); // a dry run writes nothing, not even an adoption
        if (this.#has('resource:synced')) emitter.emit('resource:synced', this.#base(actor));
        if (what.recovered && this.#has('recovered')) emitter.emit('recovered', this.#base(actor));
        table.becameReady(actor.key);
        return;
      case 'verified':
        if (!dryRun) inventory.verified(actor);
        return;
      case 'drift':
        metrics.drift(kind);
        if (this.#has('drift'))
          emitter.emit('drift', { ...this.#base(actor), policy: what.policy, changes: what.changes });
        return;
      case 'degraded':
        if (this.#has('degraded'))
          emitter.emit('degraded', { ...this.#base(actor), reason: what.reason, rollback: what.rollback });
        return;
      case 'unhealthy':
        metrics.unhealthy(kind, what.reason);
        if (this.#has('resource:unhealthy'))
          emitter.emit('resource:unhealthy', {
            ...this.#base(actor),
            reason: what.reason,
            attempt: what.attempt,
            restart: what.restart,
          });
        return;
      case 'hot-loop':
        metrics.hotLoop(kind);
        this.o.logger.warn({ kind, name: actor.name, fields: what.fields }, 'hot loop: applies throttled');
        if (this.#has('hotloop'))
          emitter.emit('hotloop', {
            ...this.#base(actor),
            applies: what.applies,
            sinceMs: what.sinceMs,
            fields: what.fields,
          });
        return;
      case 'hot-loop-ended':
        if (this.#has('hotloop:ended'))
          emitter.emit('hotloop:ended', { ...this.#base(actor), applies: what.applies });
        return;
      case 'planned':
        if (this.#has('plan:computed'))
          emitter.emit('plan:computed', { ...this.#base(actor), action: what.action });
        return;
      case 'deleted':
        // In a dry run nothing was deleted: the resource only leaves management.
        if (!dryRun && this.#has('resource:deleted')) emitter.emit('resource:deleted', this.#base(actor));
        table.release(actor.key);
        return;
      case 'crashed':
        this.o.logger.error({ kind, name: actor.name, err: what.error }, 'resource actor crashed');
        if (this.#has('actor:crashed'))
          emitter.emit('actor:crashed', { ...this.#base(actor), error: describeError(what.error) });
        return;
    }
  }

  #has(event: keyof RuntimeEvents): boolean {
    return (this.o.emitter.events[event]?.length ?? 0) > 0;
  }

  #base(a: ResourceRecord) {
    return { key: a.key, kind: this.kind, name: a.name, generation: a.generation, at: this.o.clock.now() };
  }
}
