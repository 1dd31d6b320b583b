import { Counter, Gauge, type Registry } from 'prom-client';
import { DURATION_BOUNDS_S, type QueueStats } from '../queue/queue-stats.js';
import type { Clock } from '../time/clock.js';
import { CountedHistogram } from './counted-histogram.js';

/** What the workqueue metrics read from one kind's operation queue when scraped. */
export interface WorkQueueView {
  readonly stats: QueueStats;
  /** Operations admitted and waiting for a slot. */
  readonly pending: number;
  inProgress(now: number): { totalMs: number; longestMs: number };
}

/**
 * The workqueue metrics, named, typed and labelled like those of client-go's workqueue (as
 * controller-runtime exports them), so a dashboard made for a Kubernetes controller reads
 * setpoint's: one queue per kind (label `name`), an item is one provider operation.
 *
 * - `workqueue_depth`: operations admitted and waiting for a slot (concurrency, rate limit,
 *   a `Retry-After` pause). An operation waiting for its key (the one before it, for the same
 *   resource, still running) is not in the queue yet, as an item re-added while it is processed
 *   is not in client-go's.
 * - `workqueue_adds_total`: operations admitted.
 * - `workqueue_retries_total`: failed passes whose resource will try again on its backoff (a
 *   failure with a retry scheduled, as client-go's `AddRateLimited`); a permanent failure that
 *   waits for a change is not one.
 * - `workqueue_queue_duration_seconds`: from admission to start.
 * - `workqueue_work_duration_seconds`: from start until the operation settled (the provider
 *   answered, or the timeout or shutdown gave up on it).
 * - `workqueue_unfinished_work_seconds`, `workqueue_longest_running_processor_seconds`: the
 *   ages of the operations running now, summed, and the oldest.
 *
 * The queue counts with plain numbers as it goes (`queue/queue-stats.ts`); these are read from
 * it at scrape time, so an operation pays for no label lookup.
 */
export function registerWorkQueueMetrics(
  registry: Registry,
  clock: Clock,
  queues: () => Iterable<[kind: string, queue: WorkQueueView]>,
): { retry(kind: string): void } {
  const registers = [registry];
  const labelNames = ['name'] as const;
  new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue: provider operations admitted and waiting for a slot.',
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const [name, queue] of queues()) this.set({ name }, queue.pending);
    },
  });
  new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue: provider operations admitted.',
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const [name, queue] of queues()) this.inc({ name }, queue.stats.adds);
    },
  });
  const retries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue: failed passes to be tried again on their backoff.',
    labelNames,
    registers,
  });
  new CountedHistogram(
    'workqueue_queue_duration_seconds',
    'How long in seconds a provider operation stays in workqueue before it starts.',
    'name',
    DURATION_BOUNDS_S,
    registers,
    () => [...queues()].map(([name, queue]) => [name, queue.stats.waits]),
  );
  new CountedHistogram(
    'workqueue_work_duration_seconds',
    'How long in seconds processing a provider operation from workqueue takes.',
    'name',
    DURATION_BOUNDS_S,
    registers,
    () => [...queues()].map(([name, queue]) => [name, queue.stats.work]),
  );
  const inProgress = (pick: (p: { totalMs: number; longestMs: number }) => number) =>
    function (this: Gauge<'name'>) {
      this.reset();
      const now = clock.now();
      for (const [name, queue] of queues()) this.set({ name }, pick(queue.inProgress(now)) / 1000);
    };
  new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration.',
    labelNames,
    registers,
    collect: inProgress((p) => p.totalMs),
  });
  new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running provider operation in workqueue been running.',
    labelNames,
    registers,
    collect: inProgress((p) => p.longestMs),
  });
  const children = new Map<string, { inc(): void }>();
  return {
    retry(kind) {
      let child = children.get(kind);
      if (child === undefined) {
        child = retries.labels(kind);
        children.set(kind, child);
      }
      child.inc();
    },
  };
}
