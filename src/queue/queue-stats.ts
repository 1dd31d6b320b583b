/**
 * Upper bounds, in seconds, of the buckets the queue counts its waits and work in: 10 ns to
 * 1000 s by powers of ten, the buckets of controller-runtime's workqueue histograms, so a
 * dashboard made for those reads these. (The system clock counts whole ms: what takes less
 * shows in the smallest bucket.)
 */
export const DURATION_BOUNDS_S: readonly number[] = Object.freeze([
  1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000,
]);

/** The same bounds in ms, which the clock counts in. */
const BOUNDS_MS: readonly number[] = DURATION_BOUNDS_S.map((s) => s * 1000);

/**
 * Durations counted into fixed buckets with plain numbers: an observation costs a short loop
 * and two additions, no label lookup and no allocation, because the queue makes one for every
 * operation, the observe of an idle tick included. Read at scrape time.
 */
export class DurationCounts {
  /** Observations per bucket (not cumulative); the last one is above every bound. */
  readonly counts: Float64Array;
  /** The sum of every observation, in ms. */
  sumMs = 0;
  count = 0;

  /** `boundsMs`: the buckets' upper bounds in ms, ascending (by default the workqueue's). */
  constructor(readonly boundsMs: readonly number[] = BOUNDS_MS) {
    this.counts = new Float64Array(boundsMs.length + 1);
  }

  observe(ms: number): void {
    let i = 0;
    const bounds = this.boundsMs;
    while (i < bounds.length && ms > (bounds[i] as number)) i++;
    this.counts[i]!++;
    this.sumMs += ms;
    this.count++;
  }
}

/**
 * What an operation queue has done, as counts the runtime's metrics read when scraped (see
 * `runtime/workqueue-metrics.ts`): admissions, time waiting for a slot, time working.
 */
export class QueueStats {
  /** Operations admitted to the queue: submitted with the key free, or the key's turn came. */
  adds = 0;
  /** From admission to start: waiting for a concurrency slot, a rate-limit token or a pause. */
  readonly waits = new DurationCounts();
  /** From start until the queue settled the operation: value, error, timeout or shutdown. */
  readonly work = new DurationCounts();
}
