import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { DurationCounts } from '../queue/queue-stats.js';
import type { Clock } from '../time/clock.js';
import { CountedHistogram } from './counted-histogram.js';
import type { Entry } from './desired-entry.js';
import { packageVersion } from './package-version.js';
import { registerWorkQueueMetrics, type WorkQueueView } from './workqueue-metrics.js';

/**
 * Prometheus metrics, named after controller-runtime's so existing dashboards fit: setpoint's
 * own (`setpoint_*`, with `setpoint_build_info`), the workqueue metrics of each kind's operation
 * queue (`workqueue-metrics.ts`), and, when asked, prom-client's default metrics of the Node
 * process. The registry is injectable: a host service passes its own and gets setpoint's
 * metrics beside its own; by default each runtime has a private registry.
 */
export interface RuntimeMetrics {
  readonly registry: Registry;
  reconciled(kind: string, result: string, seconds: number): void;
  action(kind: string, action: string): void;
  error(kind: string): void;
  drift(kind: string): void;
  restart(supervisor: string): void;
  /** An object found unhealthy, or still progressing past its deadline (`progress-deadline`). */
  unhealthy(kind: string, reason: string): void;
  /** A resource entered a hot loop. */
  hotLoop(kind: string): void;
  /** A resource of `kind` entered a crash loop (Degraded, reason `CrashLoop`). */
  crashLoop(kind: string): void;
  /** A failed pass of `kind` will be tried again on its backoff (`workqueue_retries_total`). */
  retry(kind: string): void;
}

export function createRuntimeMetrics(options: {
  registry?: Registry | undefined;
  /** Called at scrape time: resource counts by kind and phase. */
  phases: () => Iterable<[kind: string, phase: string, count: number]>;
  /** Called at scrape time: deletes held by the deletion budget, by kind. */
  held?: () => Iterable<[kind: string, count: number]>;
  /** Called at scrape time: each kind's operation queue, for the workqueue metrics. */
  queues?: () => Iterable<[kind: string, queue: WorkQueueView]>;
  /** Times the work in progress at scrape time. */
  clock: Clock;
  /** Add prom-client's default metrics of the Node process (see `RuntimeOptions.defaultMetrics`). */
  defaultMetrics?: boolean;
}): RuntimeMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  if (options.defaultMetrics && registry.getSingleMetric('process_cpu_seconds_total') === undefined) {
    collectDefaultMetrics({ register: registry });
  }
  new Gauge({
    name: 'setpoint_build_info',
    help: 'Always 1: the version of setpoint and of Node.js running it, as labels.',
    labelNames: ['version', 'node_version'] as const,
    registers,
  }).set({ version: packageVersion(), node_version: process.version }, 1);
  const workQueues = registerWorkQueueMetrics(registry, options.clock, options.queues ?? (() => []));
  // Every pass is counted here: with plain numbers, read when scraped (see `CountedHistogram`).
  const passes = new Map<string, { results: Map<string, { n: number }>; time: DurationCounts }>();
  new Counter({
    name: 'setpoint_reconcile_total',
    help: 'Reconcile passes, by kind and result.',
    labelNames: ['kind', 'result'] as const,
    registers,
    collect() {
      this.reset();
      for (const [kind, k] of passes) for (const [result, r] of k.results) this.inc({ kind, result }, r.n);
    },
  });
  const reconcileErrors = new Counter({
    name: 'setpoint_reconcile_errors_total',
    help: 'Reconcile passes that ended in a failed provider operation.',
    labelNames: ['kind'] as const,
    registers,
  });
  new CountedHistogram(
    'setpoint_reconcile_time_seconds',
    'Duration of reconcile passes.',
    'kind',
    PASS_BOUNDS_S,
    registers,
    function* () {
      for (const [kind, k] of passes) yield [kind, k.time];
    },
  );
  const actions = new Counter({
    name: 'setpoint_actions_total',
    help: 'Changes applied to the world, by kind and action.',
    labelNames: ['kind', 'action'] as const,
    registers,
  });
  const drift = new Counter({
    name: 'setpoint_drift_total',
    help: 'Drift found: the observed object changed while the desired spec did not.',
    labelNames: ['kind'] as const,
    registers,
  });
  const restarts = new Counter({
    name: 'setpoint_supervisor_restarts_total',
    help: 'Children restarted by a supervisor.',
    labelNames: ['supervisor'] as const,
    registers,
  });
  const unhealthy = new Counter({
    name: 'setpoint_unhealthy_total',
    help: 'Objects found unhealthy after they were in sync, or still progressing past their deadline.',
    labelNames: ['kind', 'reason'] as const,
    registers,
  });
  const hotLoops = new Counter({
    name: 'setpoint_hot_loops_total',
    help: 'Hot loops found: a resource applied again and again at one generation without staying in sync.',
    labelNames: ['kind'] as const,
    registers,
  });
  const crashLoops = new Counter({
    name: 'setpoint_crash_loops_total',
    help: 'Resources that entered a crash loop (their actor crashed crashLoopAfter times in a row).',
    labelNames: ['kind'] as const,
    registers,
  });
  new Gauge({
    name: 'setpoint_resources',
    help: 'Managed resources, by kind and phase.',
    labelNames: ['kind', 'phase'] as const,
    registers,
    collect() {
      this.reset();
      for (const [kind, phase, count] of options.phases()) this.set({ kind, phase }, count);
    },
  });
  new Gauge({
    name: 'setpoint_deletions_held',
    help: 'Deletes held by the deletion budget until approved, by kind.',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      this.reset();
      for (const [kind, count] of options.held?.() ?? []) this.set({ kind }, count);
    },
  });

  // Label children are cached: the hot path does one Map lookup, not a label resolution.
  type Inc = { inc(): void };
  const cache = new Map<string, unknown>();
  const child = <T>(key: string, make: () => T): T => {
    let c = cache.get(key) as T | undefined;
    if (c === undefined) {
      c = make();
      cache.set(key, c);
    }
    return c;
  };

  return {
    registry,
    reconciled(kind, result, seconds) {
      // The hottest call (every pass): two Map lookups, no string built.
      let k = passes.get(kind);
      if (k === undefined) {
        k = { results: new Map(), time: new DurationCounts(PASS_BOUNDS_MS) };
        passes.set(kind, k);
      }
      let r = k.results.get(result);
      if (r === undefined) {
        r = { n: 0 };
        k.results.set(result, r);
      }
      r.n++;
      k.time.observe(seconds * 1000);
    },
    action(kind, action) {
      child<Inc>(`a\0${kind}\0${action}`, () => actions.labels(kind, action)).inc();
    },
    error(kind) {
      child<Inc>(`e\0${kind}`, () => reconcileErrors.labels(kind)).inc();
    },
    drift(kind) {
      child<Inc>(`d\0${kind}`, () => drift.labels(kind)).inc();
    },
    restart(supervisor) {
      restarts.labels(supervisor).inc();
    },
    unhealthy(kind, reason) {
      unhealthy.labels(kind, reason).inc();
    },
    hotLoop(kind) {
      hotLoops.labels(kind).inc();
    },
    crashLoop(kind) {
      crashLoops.labels(kind).inc();
    },
    retry: workQueues.retry,
  };
}

/** The buckets of `setpoint_reconcile_time_seconds`, in seconds and in ms. */
const PASS_BOUNDS_S: readonly number[] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60];
const PASS_BOUNDS_MS: readonly number[] = PASS_BOUNDS_S.map((s) => s * 1000);

/** How many resources of each kind are in each phase (for the `setpoint_resources` gauge). */
export function* phaseCounts(
  entries: Iterable<Entry>,
): Iterable<[kind: string, phase: string, count: number]> {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const k = `${entry.resource.kind}\0${entry.actor?.phase ?? 'pending'}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (const [k, n] of counts) {
    const [kind, phase] = k.split('\0') as [string, string];
    yield [kind, phase, n];
  }
}
