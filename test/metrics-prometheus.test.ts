import { readFileSync } from 'node:fs';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../src/runtime/index.js';
import { createStatusServer } from '../src/server/status-server.js';
import { startScripted, stopAfterEach, user } from './helpers/runtime-harness.js';

const track = stopAfterEach();

/**
 * The runtime's registry as a scraper reads it: the text, parsed by a Prometheus text parser.
 * The parser folds a histogram with labels into one entry of buckets and drops its labels,
 * `_sum` and `_count`; so each histogram's `_sum` and `_count` lines are parsed once more on
 * their own, as plain samples, and filed under `<name>_sum` and `<name>_count`.
 */
async function scrape(registry: { metrics(): Promise<string> }): Promise<Map<string, ParsedFamily>> {
  const text = await registry.metrics();
  const families = parsePrometheusTextFormat(text);
  const totals = text.split('\n').filter((line) => /^workqueue_\w+_seconds_(sum|count)\{/.test(line));
  const all = [...families, ...parsePrometheusTextFormat(`${totals.join('\n')}\n`)];
  return new Map(all.map((f) => [f.name, f]));
}

/** A histogram of the user queue: its type and buckets, and its sum and count with their labels. */
function userHistogram(families: Map<string, ParsedFamily>, name: string) {
  const family = families.get(name);
  expect(family?.metrics).toHaveLength(1); // one queue: its buckets are the only ones
  return {
    type: family?.type,
    buckets: family?.metrics[0]?.buckets,
    sum: Number(userQueue(families, `${name}_sum`).sample.value),
    count: userQueue(families, `${name}_count`).sample.value,
  };
}

/** The one sample of `name` labelled `name="user"` (the workqueue of kind `user`). */
function userQueue(families: Map<string, ParsedFamily>, name: string) {
  const family = families.get(name);
  if (!family) throw new Error(`${name} is not in the scrape`);
  const samples = family.metrics.filter((m) => m.labels?.name === 'user');
  expect(samples).toHaveLength(1);
  return { type: family.type, sample: samples[0]! };
}

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Three users, one operation at a time (`concurrency: 1`), each provider call taking 100 ms of
 * virtual time, and the first create failing once. The queue runs, in order:
 *
 * | at   | starts          | waited | why it waited                                       |
 * |------|-----------------|--------|-----------------------------------------------------|
 * | 0    | alice observe   | 0      |                                                     |
 * | 100  | alice create ✗  | 0      | a change goes ahead of passes not started           |
 * | 200  | bob observe     | 200    | since 0                                             |
 * | 300  | bob create      | 0      |                                                     |
 * | 400  | carol observe   | 400    | since 0                                             |
 * | 500  | carol create    | 0      |                                                     |
 * | 600  | bob verify      | 200    | the observe after a change (the provider has health) |
 * | 700  | carol verify    | 100    |                                                     |
 * | 1200 | alice observe   | 0      | its retry, 1000 ms of backoff after the failure     |
 * | 1300 | alice create    | 0      |                                                     |
 * | 1400 | alice verify    | 0      |                                                     |
 *
 * 11 operations, 900 ms of waiting, 1100 ms of work, one retry.
 */
async function scenario() {
  const { clock, sys, rt } = await startScripted(track, { concurrency: 1, latencyMs: 100 });
  sys.failNext('create', 1);
  await rt.start();
  rt.setDesired([
    user('alice', { role: 'admin' }),
    user('bob', { role: 'dev' }),
    user('carol', { role: 'ops' }),
  ]);
  return { clock, sys, rt };
}

describe('the workqueue metrics, as a Prometheus scraper reads them', () => {
  it('show what is waiting and running while it waits and runs', async () => {
    const { clock, rt } = await scenario();
    await clock.advance(50); // alice's observe has run 50 ms; bob's and carol's wait
    const now = await scrape(rt.metrics.registry);
    expect(userQueue(now, 'workqueue_depth')).toEqual({
      type: 'GAUGE',
      sample: { labels: { name: 'user' }, value: '2' },
    });
    expect(userQueue(now, 'workqueue_unfinished_work_seconds').sample.value).toBe('0.05');
    expect(userQueue(now, 'workqueue_longest_running_processor_seconds').sample.value).toBe('0.05');
    expect(userQueue(now, 'workqueue_adds_total')).toMatchObject({ type: 'COUNTER', sample: { value: '3' } });
  });

  it('count adds, retries, waits and work after three resources, one failing once', async () => {
    const { clock, sys, rt } = await scenario();
    await clock.advance(2000);
    await rt.settled();
    expect(sys.calls.map((c) => `${c.at} ${c.op} ${c.name}`)).toEqual([
      '0 observe alice',
      '100 create alice',
      '200 observe bob',
      '300 create bob',
      '400 observe carol',
      '500 create carol',
      '600 observe bob',
      '700 observe carol',
      '1200 observe alice',
      '1300 create alice',
      '1400 observe alice',
    ]);
    const after = await scrape(rt.metrics.registry);
    expect(userQueue(after, 'workqueue_adds_total').sample.value).toBe('11');
    expect(userQueue(after, 'workqueue_retries_total')).toMatchObject({
      type: 'COUNTER',
      sample: { value: '1' },
    });
    expect(userQueue(after, 'workqueue_depth').sample.value).toBe('0');
    expect(userQueue(after, 'workqueue_unfinished_work_seconds').sample.value).toBe('0');
    expect(userQueue(after, 'workqueue_longest_running_processor_seconds').sample.value).toBe('0');

    const waits = userHistogram(after, 'workqueue_queue_duration_seconds');
    expect(waits).toMatchObject({ type: 'HISTOGRAM', count: '11' });
    expect(waits.sum).toBeCloseTo(0.9, 9);
    // 7 started on admission (in the smallest bucket, 10 ns), 4 waited 100 to 400 ms.
    expect(waits.buckets).toMatchObject({ '1e-8': '7', '0.01': '7', '0.1': '8', '1': '11', '+Inf': '11' });

    const work = userHistogram(after, 'workqueue_work_duration_seconds');
    expect(work).toMatchObject({ type: 'HISTOGRAM', count: '11' });
    expect(work.sum).toBeCloseTo(1.1, 9);
    expect(work.buckets).toMatchObject({ '0.01': '0', '0.1': '11', '+Inf': '11' });
    // The buckets of controller-runtime's workqueue histograms: 10 ns to 1000 s.
    expect(
      Object.keys(work.buckets ?? {})
        .map((le) => (le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le)))
        .sort((a, b) => a - b),
    ).toEqual([1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000, Number.POSITIVE_INFINITY]);
  });

  it('name the version of setpoint and of Node.js in setpoint_build_info', async () => {
    const { rt } = await scenario();
    const build = (await scrape(rt.metrics.registry)).get('setpoint_build_info');
    expect(build).toMatchObject({
      type: 'GAUGE',
      metrics: [{ labels: { version: PACKAGE_VERSION, node_version: process.version }, value: '1' }],
    });
  });

  it("add the Node process's default metrics only when asked", async () => {
    const quiet = await scenario();
    expect(
      [...(await scrape(quiet.rt.metrics.registry)).keys()].filter((n) => /^(process|nodejs)_/.test(n)),
    ).toEqual([]);
    const { rt } = await startScripted(() => {}, { defaultMetrics: true });
    const families = await scrape(rt.metrics.registry);
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('COUNTER');
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE');
    expect(families.get('nodejs_heap_size_used_bytes')?.type).toBe('GAUGE');
  });

  it('are served by /metrics of the status server', async () => {
    const { clock, rt } = await scenario();
    await clock.advance(2000);
    await rt.settled();
    const server = await createStatusServer({ runtime: rt, port: 0 });
    try {
      const served = parsePrometheusTextFormat(await (await fetch(`${server.url}/metrics`)).text());
      const adds = served.find((f) => f.name === 'workqueue_adds_total');
      expect(adds).toMatchObject({ type: 'COUNTER', metrics: [{ labels: { name: 'user' }, value: '11' }] });
      expect(served.find((f) => f.name === 'workqueue_work_duration_seconds')?.type).toBe('HISTOGRAM');
      expect(served.find((f) => f.name === 'setpoint_build_info')?.metrics[0]?.value).toBe('1');
    } finally {
      await server.close();
    }
  });

  it('refuses a defaultMetrics that is not a boolean', () => {
    expect(() => createRuntime({ providers: [], defaultMetrics: 'yes' as never })).toThrow(
      /Expected `defaultMetrics` to be a boolean/,
    );
  });
});
