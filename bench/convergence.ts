/**
 * How fast does a fresh runtime converge when the provider is slow? 10,000 resources, every
 * provider call takes 10 ms of real time, 64 calls in flight: time from `setDesired` to every
 * resource synced.
 *
 * The limit is N · latency / concurrency (10,000 · 10 ms / 64 = 1.56 s): one call per
 * resource, the pipe always full. Two scenarios:
 * - `create`: nothing exists yet; each resource needs to be found absent and created;
 * - `adopt`: everything already exists as desired; each resource needs one look.
 * The provider offers `list`, so a runtime that reads one listing instead of a call per
 * resource can beat "observe + create". Provider calls are counted, so the report also gives
 * the limit for the calls the runtime actually made.
 *
 *   node --expose-gc --import tsx bench/convergence.ts [--count 10000] [--latency 10]
 *     [--concurrency 64] [--json]
 */
import { parseArgs } from 'node:util';
import type { Resource } from '../src/contract/resource.js';
import { createRuntime } from '../src/runtime/index.js';
import { benchProvider, makeResources, silentLogger } from './lib/fixtures.js';
import { heapAfterGc, nowMs, progress, report, sleep } from './lib/measure.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    latency: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.count);
const LATENCY = Number(values.latency);
const CONCURRENCY = Number(values.concurrency);
const limitS = (N * LATENCY) / CONCURRENCY / 1000;

async function converge(scenario: 'create' | 'adopt', resources: readonly Resource[]) {
  const provider = benchProvider({
    latencyMs: LATENCY,
    list: true,
    initial: scenario === 'adopt' ? resources : [],
  });
  const rt = createRuntime({
    providers: [provider],
    concurrency: CONCURRENCY,
    logger: silentLogger(),
  });
  await rt.start();
  let synced = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const off = rt.on('resource:synced', () => {
    if (++synced === N) done();
  });
  const t0 = nowMs();
  rt.setDesired(resources);
  await all;
  const seconds = (nowMs() - t0) / 1000;
  off();
  await rt.stop();
  const calls = { ...provider.calls };
  const totalCalls = calls.observe + calls.create + calls.update + calls.delete + calls.list;
  return {
    seconds,
    ratio: seconds / limitS,
    calls,
    callsPerResource: totalCalls / N,
    /** The same limit for the calls this runtime made. */
    callLimitS: (totalCalls * LATENCY) / CONCURRENCY / 1000,
  };
}

const resources = makeResources(N);
progress(`convergence: ${N} resources, ${LATENCY} ms per call, ${CONCURRENCY} in flight (create)`);
const create = await converge('create', resources);
await heapAfterGc();
await sleep(50);
progress('convergence: adopt');
const adopt = await converge('adopt', resources);

report(
  values.json === true,
  { bench: 'convergence', count: N, latencyMs: LATENCY, concurrency: CONCURRENCY, limitS, create, adopt },
  () => {
    const line = (name: string, r: typeof create) =>
      `  ${name.padEnd(7)} ${r.seconds.toFixed(2)} s = ${r.ratio.toFixed(2)}× the limit; ${r.callsPerResource.toFixed(2)} calls/resource ${JSON.stringify(r.calls)} (limit for those calls ${r.callLimitS.toFixed(2)} s)`;
    return [
      `convergence of ${N} resources, ${LATENCY} ms per provider call, concurrency ${CONCURRENCY}`,
      `  limit   N·lat/conc = ${limitS.toFixed(2)} s (target ≤ 1.2×)`,
      line('create', create),
      line('adopt', adopt),
    ].join('\n');
  },
);
process.exit(0);
