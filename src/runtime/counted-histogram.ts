import { Histogram, type Registry } from 'prom-client';
import type { DurationCounts } from '../queue/queue-stats.js';

type Value = { value: number; labels: Record<string, string | number>; metricName: string };

/**
 * A prom-client histogram whose values are counts kept elsewhere with plain numbers
 * (`DurationCounts`, one per value of its one label), read when scraped, instead of
 * observations made through prom-client one by one: those resolve the labels and find the
 * bucket on every call, which on the path of every pass costs more than the pass's own
 * bookkeeping. `boundsS` are the buckets' bounds in seconds; the counts must use the same in ms.
 */
export class CountedHistogram<L extends string> extends Histogram<L> {
  readonly #name: string;
  readonly #help: string;

  constructor(
    name: string,
    help: string,
    private readonly label: L,
    private readonly boundsS: readonly number[],
    registers: Registry[],
    private readonly read: () => Iterable<[value: string, counts: DurationCounts]>,
  ) {
    super({ name, help, labelNames: [label], buckets: [...boundsS], registers });
    this.#name = name;
    this.#help = help;
  }

  /** What the registry formats as text (prom-client's own histogram answers through this too). */
  async getForPromString() {
    return {
      name: this.#name,
      help: this.#help,
      type: 'histogram' as const,
      values: this.#values(),
      aggregator: 'sum' as const,
    };
  }

  override async get() {
    return (await this.getForPromString()) as unknown as Awaited<ReturnType<Histogram<L>['get']>>;
  }

  #values(): Value[] {
    const values: Value[] = [];
    const bucket = `${this.#name}_bucket`;
    const bounds = this.boundsS;
    for (const [value, counts] of this.read()) {
      let cumulative = 0;
      for (let i = 0; i < bounds.length; i++) {
        cumulative += counts.counts[i] as number;
        values.push({
          value: cumulative,
          labels: { le: bounds[i] as number, [this.label]: value },
          metricName: bucket,
        });
      }
      values.push({ value: counts.count, labels: { le: '+Inf', [this.label]: value }, metricName: bucket });
      values.push({
        value: counts.sumMs / 1000,
        labels: { [this.label]: value },
        metricName: `${this.#name}_sum`,
      });
      values.push({
        value: counts.count,
        labels: { [this.label]: value },
        metricName: `${this.#name}_count`,
      });
    }
    return values;
  }
}
