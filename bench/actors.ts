/**
 * 100,000 resource actors on the memory provider, all in sync, ticking every second on the
 * real clock. Measures heap bytes per actor (after GC), ticks/s sustained and CPU µs per tick,
 * and in the same run the limit: plain objects with their own setTimeout doing the same
 * observe + compare.
 *
 *   npm run bench:actors [-- --count 100000 --seconds 10 --json]
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { ProviderContext } from '../src/contract/provider.js';
import type { Resource } from '../src/contract/resource.js';
import { isInSync } from '../src/diff/compare.js';
import { memoryProvider } from '../src/providers/memory.js';
import { createRuntime } from '../src/runtime/index.js';
import { systemClock } from '../src/time/clock.js';
import { seededRandom } from '../src/time/random.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    interval: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const N = Number(values.count);
const SECONDS = Number(values.seconds);
const INTERVAL = Number(values.interval);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench:actors does)');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await sleep(20); // let weak callbacks and finalizers run between collections
    gc!();
  }
  // Read at once: 20 ms of ticking after the last collection would count its garbage as held.
  return process.memoryUsage().heapUsed;
}

function makeResources(): Resource[] {
  return Array.from({ length: N }, (_, i) => ({
    kind: 'app',
    name: `app-${i}`,
    spec: { replicas: (i % 5) + 1, image: `registry/app:${i % 17}`, env: { A: 'a', B: String(i) } },
  }));
}

/** Count ticks (observe calls) over a window on the real clock, with CPU time spent. */
async function measureWindow(observes: () => number) {
  await sleep(Math.min(3000, INTERVAL * 2)); // settle into the steady state
  const c0 = observes();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await sleep(SECONDS * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const ticks = observes() - c0;
  return {
    ticksPerSec: ticks / wallS,
    cpuUsPerTick: (cpu.user + cpu.system) / ticks,
    expectedPerSec: N / (INTERVAL / 1000),
  };
}

async function benchSetpoint() {
  const resources = makeResources();
  const provider = memoryProvider({
    kind: 'app',
    clock: systemClock,
    random: seededRandom(1),
    initial: resources.map((r) => [r.name, r.spec as Record<string, unknown>] as const),
  });
  const base = await heapAfterGc();
  const rt = createRuntime({
    providers: [provider],
    interval: INTERVAL,
    concurrency: 64,
    logger: pino({ level: 'silent' }),
  });
  await rt.start();
  const t0 = process.hrtime.bigint();
  rt.setDesired(resources);
  const startUs = Number(process.hrtime.bigint() - t0) / 1000 / N;
  // wait for every actor to have reconciled once
  while (rt.status().filter((s) => s.phase === 'synced').length < N) await sleep(200);
  const heap = (await heapAfterGc()) - base;
  const window = await measureWindow(() => provider.calls.observe);
  const t1 = process.hrtime.bigint();
  await rt.stop();
  const stopMs = Number(process.hrtime.bigint() - t1) / 1e6;
  return { bytesPerActor: heap / N, startUsPerActor: startUs, stopMs, ...window };
}

async function benchLimit() {
  const resources = makeResources();
  const provider = memoryProvider({
    kind: 'app',
    clock: systemClock,
    random: seededRandom(1),
    initial: resources.map((r) => [r.name, r.spec as Record<string, unknown>] as const),
  });
  const base = await heapAfterGc();
  const ctx: ProviderContext = {
    signal: new AbortController().signal,
    clock: systemClock,
    log: pino({ level: 'silent' }),
  };
  let ticks = 0;
  const random = seededRandom(2);
  const loops = resources.map((r) => {
    const state = { r, inSync: false, timer: undefined as ReturnType<typeof setTimeout> | undefined };
    const tick = async () => {
      const observed = await provider.observe(r, ctx);
      state.inSync = observed !== undefined && isInSync(r.spec as Record<string, unknown>, observed);
      ticks++;
      state.timer = setTimeout(tick, INTERVAL * (0.9 + 0.2 * random()));
    };
    state.timer = setTimeout(tick, INTERVAL * random());
    return state;
  });
  await sleep(INTERVAL * 1.5);
  const heap = (await heapAfterGc()) - base;
  const window = await measureWindow(() => ticks);
  for (const l of loops) clearTimeout(l.timer);
  return { bytesPerActor: heap / N, ...window };
}

const results: Record<string, unknown> = { count: N, intervalMs: INTERVAL, seconds: SECONDS };
if (values.only !== 'limit') results.setpoint = await benchSetpoint();
await heapAfterGc();
if (values.only !== 'setpoint') results.limit = await benchLimit();

if (values.json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const row = (name: string, r: Record<string, number> | undefined) =>
    r
      ? `${name.padEnd(10)} ${r.bytesPerActor!.toFixed(0).padStart(8)} B/actor  ${r.ticksPerSec!.toFixed(0).padStart(8)} ticks/s (of ${r.expectedPerSec!.toFixed(0)})  ${r.cpuUsPerTick!.toFixed(2).padStart(6)} µs CPU/tick`
      : '';
  console.log(`${N} actors, ${INTERVAL} ms interval, ${SECONDS} s window`);
  console.log(row('setpoint', results.setpoint as Record<string, number>));
  console.log(row('limit', results.limit as Record<string, number>));
  const s = results.setpoint as Record<string, number> | undefined;
  if (s)
    console.log(`setpoint start ${s.startUsPerActor!.toFixed(2)} µs/actor, stop ${s.stopMs!.toFixed(0)} ms`);
}
process.exit(0);
