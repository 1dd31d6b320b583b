/**
 * The measuring tools every bench shares: forced collections, heap after GC, a window of
 * ticks with the CPU they cost, and percentiles.
 *
 * Benches run on the real clock and real timers; only `src/` must take its time from a `Clock`.
 */

/** `global.gc`, or a clear error: every bench needs `node --expose-gc`. */
export function requireGc(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench and the bench:* scripts do)');
  return gc;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Heap used after three forced collections, with a pause between them for finalizers. */
export async function heapAfterGc(): Promise<number> {
  const gc = requireGc();
  for (let i = 0; i < 3; i++) {
    await sleep(20); // let weak callbacks and finalizers run between collections
    gc();
  }
  // Read at once: what ticking allocates after the last collection is garbage, not held.
  return process.memoryUsage().heapUsed;
}

/** A monotonic time in milliseconds with sub-microsecond resolution. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface TickWindow {
  /** Ticks counted in the window, per second of wall time. */
  readonly ticksPerSec: number;
  /** Process CPU (user + system) per tick, in µs. */
  readonly cpuUsPerTick: number;
  /** What keeping up means: count / interval. */
  readonly expectedPerSec: number;
  /** ticksPerSec / expectedPerSec: 1 keeps up, below ~0.95 falls behind. */
  readonly keepUp: number;
}

/**
 * Count ticks over `seconds` of wall time after `settleMs` of warm-up, with the process CPU
 * they cost. `ticks` reads a running counter.
 */
export async function measureTicks(
  ticks: () => number,
  o: { count: number; intervalMs: number; seconds: number; settleMs: number },
): Promise<TickWindow> {
  await sleep(o.settleMs);
  const t0 = ticks();
  const cpu0 = process.cpuUsage();
  const w0 = nowMs();
  await sleep(o.seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wallS = (nowMs() - w0) / 1000;
  const counted = ticks() - t0;
  const expectedPerSec = o.count / (o.intervalMs / 1000);
  const ticksPerSec = counted / wallS;
  return {
    ticksPerSec,
    cpuUsPerTick: (cpu.user + cpu.system) / Math.max(1, counted),
    expectedPerSec,
    keepUp: ticksPerSec / expectedPerSec,
  };
}

/** The value at quantile `p` (0..1) of an ascending array (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(p * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/** p50 / p99 / max / mean of a sample, in its own unit. */
export function distribution(sample: readonly number[]) {
  const sorted = [...sample].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

/** Print a bench's result: JSON on stdout for the suite, or a human line per entry. */
export function report(json: boolean, result: Record<string, unknown>, human: () => string): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(human());
}

/** Progress for a human watching a long bench: stderr, so `--json` stdout stays clean. */
export function progress(message: string): void {
  process.stderr.write(`  · ${message}\n`);
}
