/**
 * A million resources in one process: does it fit in a 4 GB heap, and do the ticks keep up
 * at the default 30 s interval?
 *
 * 1,000,000 resources on an in-memory provider, all already as desired. The bench times the
 * intake (`setDesired`) and the first sync of everything, takes the heap after GC (total, and
 * the runtime's share above the resources and the provider's objects), then counts ticks
 * (observe calls) over a window of real time, three intervals by default, with the event loop's
 * delay. Keeping up means about count / interval ticks per second (33,333/s).
 *
 *   node --expose-gc --max-old-space-size=4096 --import tsx bench/million.ts
 *     [--count 1000000] [--interval 30000] [--seconds 90] [--json]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { createRuntime } from '../src/runtime/index.js';
import { benchProvider, makeResources, silentLogger } from './lib/fixtures.js';
import { heapAfterGc, measureTicks, nowMs, progress, report } from './lib/measure.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    interval: { type: 'string', default: '30000' },
    seconds: { type: 'string', default: '90' },
    /** Give up waiting for the first sync after this many seconds. */
    patience: { type: 'string', default: '600' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.count);
const INTERVAL = Number(values.interval);
const SECONDS = Number(values.seconds);
const MB = 1024 * 1024;

const heapLimitMB = v8.getHeapStatistics().heap_size_limit / MB;
progress(`million: ${N} resources, heap limit ${heapLimitMB.toFixed(0)} MB`);
const resources = makeResources(N);
const provider = benchProvider({ initial: resources });
const base = await heapAfterGc();

const rt = createRuntime({
  providers: [provider],
  concurrency: 64,
  interval: INTERVAL,
  logger: silentLogger(),
});
await rt.start();
let synced = 0;
let allSynced: () => void = () => {};
const everything = new Promise<void>((resolve) => {
  allSynced = resolve;
});
const off = rt.on('resource:synced', () => {
  if (++synced === N) allSynced();
});
let peakMB = 0;
const sampler = setInterval(() => {
  peakMB = Math.max(peakMB, process.memoryUsage().heapUsed / MB);
}, 250);

const t0 = nowMs();
rt.setDesired(resources);
const intakeS = (nowMs() - t0) / 1000;
progress(`million: setDesired took ${intakeS.toFixed(1)} s; waiting for the first sync`);
const patience = new Promise<'late'>((resolve) =>
  setTimeout(() => resolve('late'), Number(values.patience) * 1000).unref(),
);
const outcome = await Promise.race([everything.then(() => 'synced' as const), patience]);
const syncS = (nowMs() - t0) / 1000;
off();
const heapUsedMB = (await heapAfterGc()) / MB;
const runtimeBytesPerResource = (heapUsedMB * MB - base) / N;
progress(
  `million: ${outcome === 'synced' ? 'all' : synced} synced after ${syncS.toFixed(1)} s; heap ${heapUsedMB.toFixed(0)} MB; counting ticks for ${SECONDS} s`,
);

const loop = monitorEventLoopDelay({ resolution: 20 });
loop.enable();
const window = await measureTicks(() => provider.calls.observe, {
  count: N,
  intervalMs: INTERVAL,
  seconds: SECONDS,
  settleMs: 0,
});
loop.disable();
clearInterval(sampler);
const t1 = nowMs();
await rt.stop();
const stopS = (nowMs() - t1) / 1000;

const result = {
  bench: 'million',
  count: N,
  intervalMs: INTERVAL,
  seconds: SECONDS,
  heapLimitMB,
  allSynced: outcome === 'synced',
  synced,
  intakeS,
  syncS,
  heapUsedMB,
  peakHeapMB: Math.max(peakMB, heapUsedMB),
  runtimeBytesPerResource,
  fits: outcome === 'synced' && heapUsedMB < heapLimitMB,
  loopDelayP99Ms: loop.percentile(99) / 1e6,
  loopDelayMaxMs: loop.max / 1e6,
  stopS,
  ...window,
};
report(values.json === true, result, () =>
  [
    `${N} resources, ${INTERVAL / 1000} s interval (heap limit ${heapLimitMB.toFixed(0)} MB)`,
    `  setDesired ${intakeS.toFixed(1)} s; all synced after ${syncS.toFixed(1)} s (${synced} synced)`,
    `  heap used after GC ${heapUsedMB.toFixed(0)} MB (peak ${result.peakHeapMB.toFixed(0)} MB); runtime ${runtimeBytesPerResource.toFixed(0)} B/resource`,
    `  ticks ${window.ticksPerSec.toFixed(0)}/s of ${window.expectedPerSec.toFixed(0)} (${(window.keepUp * 100).toFixed(0)} %), ${window.cpuUsPerTick.toFixed(2)} µs CPU/tick`,
    `  event loop delay p99 ${result.loopDelayP99Ms.toFixed(1)} ms, max ${result.loopDelayMaxMs.toFixed(1)} ms; stop ${stopS.toFixed(1)} s`,
  ].join('\n'),
);
process.exit(0);
