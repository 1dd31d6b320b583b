import type { Emitter } from 'nanoevents';
import type { Logger } from 'pino';
import type { HotLoopPolicy } from '../actors/hot-loop.js';
import type { ActorNotice, PassResult } from '../actors/notices.js';
import type { ActorHost, MachineInspector } from '../actors/ports.js';
import type { ResourceRecord } from '../actors/record.js';
import { PassTracing } from '../actors/tracing.js';
import type { Backoff } from '../backoff/backoff.js';
import type { Observed, Provider } from '../contract/provider.js';
import type { DriftPolicy, Resource } from '../contract/resource.js';
import { type CompiledCompare, compileCompare } from '../diff/compare-options.js';
import { type OperationClient, OperationQueue, type OperationWork } from '../queue/operation-queue.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { TickTimers } from '../time/tick-timers.js';
import type { CrashLoops } from './crash-loops.js';
import type { DesiredTable } from './desired-table.js';
import type { RuntimeEvents } from './events.js';
import type { Inventory } from './inventory.js';
import { ListSnapshot } from './list-snapshot.js';
import type { RuntimeMetrics } from './metrics.js';
import { KindNotices } from './notices.js';
import type { RuntimeSettings } from './options.js';

/**
 * Everything the actors of one kind share, and the runtime's side of their ports: the kind's
 * settings, its provider's operation queue (concurrency, rate, `Retry-After` pause, deadlines),
 * and where each port leads: the inventory, the desired table's dependency graph, the notices.
 * One per kind, so an actor carries a single reference.
 */
export class KindHost implements ActorHost {
  readonly kind: string;
  /** The kind's provider; with tracing on, one whose calls open spans (`PassTracing.provider`). */
  readonly provider: Provider;
  readonly tracing: PassTracing | undefined;
  readonly inspect: MachineInspector | undefined;
  readonly compare: CompiledCompare;
  readonly clock: Clock;
  readonly epoch: number;
  readonly random: Random;
  readonly logger: Logger;
  readonly backoff: Backoff;
  readonly intervalMs: number;
  readonly maxRetries: number;
  readonly progressDeadlineMs: number;
  readonly hotLoop: HotLoopPolicy;
  readonly drift: DriftPolicy;
  readonly rollback: boolean;
  readonly dryRun: boolean;
  snapshot: ListSnapshot | undefined = undefined;
  readonly #queue: OperationQueue;
  readonly #notices: KindNotices;
  readonly #concurrency: number;

  constructor(
    provider: Provider,
    readonly ticks: TickTimers,
    s: RuntimeSettings,
    private readonly inventory: Inventory,
    private readonly table: DesiredTable,
    shared: {
      readonly emitter: Emitter<RuntimeEvents>;
      readonly metrics: RuntimeMetrics;
      readonly shutdown: AbortSignal;
      readonly loops: CrashLoops;
    },
  ) {
    this.kind = provider.kind;
    this.tracing = s.tracer ? new PassTracing(s.tracer, provider.kind) : undefined;
    this.provider = this.tracing ? this.tracing.provider(provider) : provider;
    this.inspect = s.inspect;
    this.compare = compileCompare(provider.compare, `compare of provider \`${provider.kind}\``);
    this.clock = s.clock;
    this.epoch = Math.floor(s.clock.now());
    this.random = s.random;
    this.logger = s.logger;
    this.backoff = s.backoff;
    this.intervalMs = s.intervalMs;
    this.maxRetries = s.maxRetries;
    this.progressDeadlineMs = s.kindDeadlines.get(provider.kind) ?? s.progressDeadlineMs;
    this.hotLoop = s.hotLoop;
    this.drift = s.drift;
    this.rollback = s.rollback;
    this.dryRun = s.dryRun;
    this.#concurrency = s.concurrency;
    this.#queue = new OperationQueue({
      clock: s.clock,
      timeoutMs: s.timeoutMs,
      concurrency: s.concurrency,
      rateLimit: s.rateLimit,
    });
    shared.shutdown.addEventListener('abort', () => this.#queue.close(shared.shutdown.reason), {
      once: true,
    });
    this.#notices = new KindNotices(this.kind, { ...s, ...shared, inventory, table, queue: this.#queue });
  }

  /** The kind's operation queue, read by the workqueue metrics when scraped. */
  get queue(): OperationQueue {
    return this.#queue;
  }

  // ── the operation port ───────────────────────────────────────────────────────────────────
  operate<C extends OperationClient>(
    key: string,
    name: string,
    client: C,
    work: OperationWork<C>,
    urgent?: boolean,
  ): void {
    this.#queue.submit(key, name, client, work, urgent);
  }

  /**
   * Actors created from now until `endIntake` share one `list` for their first pass, when the
   * provider can list and `count` new resources would not fit in one round of observes.
   */
  beginIntake(count: number): void {
    if (this.provider.list && count > this.#concurrency)
      this.snapshot = new ListSnapshot(this.provider, this.tracing);
  }

  endIntake(): void {
    this.snapshot = undefined;
  }

  /** Observe one resource through the same queue, awaited: for `plan()` and the start-up check. */
  observeOnce(key: string, resource: Resource): Promise<Observed | undefined> {
    return new Promise((resolve, reject) => {
      this.#queue.submit(
        key,
        'observe',
        {
          log: () => this.logger,
          settled: (failed, result) => (failed ? reject(result) : resolve(result as Observed | undefined)),
        },
        (_client, ctx) => this.provider.observe(resource, ctx),
      );
    });
  }

  // ── the inventory, dependency and notice ports lead elsewhere ────────────────────────────
  manages(key: string): boolean {
    return this.inventory.manages(key);
  }

  origin(key: string): 'created' | 'adopted' | undefined {
    return this.inventory.origin(key);
  }

  prunable(key: string): boolean {
    return this.inventory.prunable(key);
  }

  forget(key: string): Promise<void> {
    return this.inventory.forget(key);
  }

  lastGood(key: string): Record<string, unknown> | undefined {
    return this.inventory.lastGood(key);
  }

  lastApplied(key: string): Record<string, unknown> | undefined {
    return this.inventory.lastApplied(key);
  }

  handle(key: string): string | undefined {
    return this.inventory.handle(key);
  }

  journal<T>(
    actor: ResourceRecord,
    op: 'create' | 'update' | 'delete',
    spec: Record<string, unknown> | undefined,
    apply: () => Promise<T>,
    keep?: boolean,
  ): Promise<T> {
    return this.inventory.journal(actor, op, spec, apply, keep);
  }

  dependenciesReady(actor: ResourceRecord): boolean {
    return this.table.dependenciesReady(actor);
  }

  dependentsRemain(actor: ResourceRecord): boolean {
    return this.table.dependentsRemain(actor);
  }

  notify(actor: ResourceRecord, notice: ActorNotice): void {
    this.#notices.notify(actor, notice);
  }

  passDone(actor: ResourceRecord, result: PassResult, durationMs: number): void {
    this.#notices.passDone(actor, result, durationMs);
  }
}
