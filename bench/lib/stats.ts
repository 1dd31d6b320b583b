/**
 * A figure measured over several runs: its median with the spread (min–max), and how to print
 * one so that a table of very different units stays readable.
 */

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Runs that gave a value. */
  readonly n: number;
}

/** Median (the mean of the middle two for an even count), min and max of finite values. */
export function statOf(values: readonly number[]): Stat | undefined {
  const xs = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  return { median, min: xs[0]!, max: xs[xs.length - 1]!, n: xs.length };
}

/** A number with as many digits as it deserves: 3,757 · 16.2 · 0.422. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `3,757 (3,700–3,812)`, or just the number for a single run or no spread. */
export function formatStat(s: Stat): string {
  const median = formatNumber(s.median);
  if (s.n < 2) return median;
  const lo = formatNumber(s.min);
  const hi = formatNumber(s.max);
  return lo === hi ? median : `${median} (${lo}–${hi})`;
}

/** Read a number at a dotted path of a bench's JSON (`setpoint.bytesPerActor`). */
export function pick(json: Record<string, unknown>, path: string): number | undefined {
  let v: unknown = json;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
