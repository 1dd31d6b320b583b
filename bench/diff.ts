/**
 * How fast is `diff` on a large desired state, and what does it allocate?
 *
 *   npm run bench:diff            a table
 *   npm run bench:diff -- --json  the figures as JSON (for the bench suite)
 *
 * 100,000 resources `{ kind, name, spec: { replicas, image, env: { A..E }, labels: {3} },
 * metadata: { generation } }`. The current state is a separate copy (no shared objects) in
 * which 1 % of the resources have one nested field changed, 0.5 % are missing and 0.5 % are
 * extra. setpoint's `diff` (on Maps) runs against microdiff (on plain objects keyed by
 * `kind/name`, holding the same resources), interleaved, after a warm-up. "microdiff (specs)"
 * is microdiff on objects of the specs alone: the same fields setpoint compares.
 * The target: setpoint at most 0.65x microdiff's median time, under 10 MB allocated per run.
 *
 * Allocation: Node 20 has no allocated-bytes counter, so each run is wrapped in a
 * `v8.GCProfiler`: allocated = (heap used after - heap used before) + what every collection
 * during the run freed. Collections are forced before each run with `gc()` (`--expose-gc`).
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import microdiff from 'microdiff';
import type { Resource } from '../src/contract/resource.js';
import { diff } from '../src/diff/diff.js';
import { seededRandom } from '../src/time/random.js';

const COUNT = 100_000;
const WARMUP = 5;
const RUNS = 11;
const ALLOC_RUNS = 5;
const json = process.argv.includes('--json');
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:diff)');

const KINDS = ['deployment', 'service', 'configmap', 'secret'];

/** A resource as a controller would hold it: with metadata, which the diff does not compare. */
type Stored = Resource & { readonly metadata: { readonly generation: number } };

function resource(i: number, changed = false): Stored {
  return {
    kind: KINDS[i % KINDS.length] as string,
    name: `app-${i}`,
    spec: {
      replicas: (i % 5) + 1,
      image: `registry.example.com/app-${i % 50}:1.${i % 7}.0`,
      env: { A: 'alpha', B: `${i}`, C: changed ? 'changed' : 'gamma', D: 'delta', E: String(i % 3) },
      labels: { app: `app-${i}`, tier: i % 2 === 0 ? 'web' : 'worker', team: `team-${i % 10}` },
    },
    metadata: { generation: 1 + (i % 4) },
  };
}

function fixture() {
  const random = seededRandom(42);
  const order = Array.from({ length: COUNT }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const changed = new Set(order.slice(0, COUNT / 100));
  const missing = new Set(order.slice(COUNT / 100, COUNT / 100 + COUNT / 200));
  const desired = new Map<string, Stored>();
  const current = new Map<string, Stored>();
  for (let i = 0; i < COUNT; i++) {
    const r = resource(i);
    desired.set(`${r.kind}/${r.name}`, r);
    if (!missing.has(i)) current.set(`${r.kind}/${r.name}`, resource(i, changed.has(i)));
  }
  for (let i = COUNT; i < COUNT + COUNT / 200; i++) {
    const r = resource(i);
    current.set(`${r.kind}/${r.name}`, r);
  }
  return { desired, current };
}

const { desired, current } = fixture();
const desiredObject = Object.fromEntries(desired);
const currentObject = Object.fromEntries(current);
const desiredSpecs = Object.fromEntries([...desired].map(([k, r]) => [k, r.spec]));
const currentSpecs = Object.fromEntries([...current].map(([k, r]) => [k, r.spec]));

const contenders = {
  setpoint: () => {
    const result = diff(desired, current);
    if (!result.ok) throw new Error('unexpected errors');
    return result.value.actions.length;
  },
  microdiff: () => microdiff(desiredObject, currentObject).length,
  microdiffSpecs: () => microdiff(desiredSpecs, currentSpecs).length,
};
type Name = keyof typeof contenders;
const names = Object.keys(contenders) as Name[];

// What each produces, checked once: the plan is the one the fixture was built to give.
const check = diff(desired, current);
if (!check.ok) throw new Error('fixture rejected');
const { add, change, destroy } = check.value.summary;
if (add !== COUNT / 200 || change !== COUNT / 100 || destroy !== COUNT / 200) {
  throw new Error(`unexpected plan: ${add} to add, ${change} to change, ${destroy} to destroy`);
}

function timeOnce(name: Name): number {
  gc?.();
  const start = performance.now();
  contenders[name]();
  return performance.now() - start;
}

function allocatedOnce(name: Name): number {
  gc?.();
  const profiler = new v8.GCProfiler();
  const before = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  contenders[name]();
  const after = v8.getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  const freed = statistics.reduce(
    (sum, s) => sum + s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize,
    0,
  );
  return after - before + freed;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

for (let i = 0; i < WARMUP; i++) for (const name of names) timeOnce(name);
const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Name, number[]>;
for (let i = 0; i < RUNS; i++) {
  const round = i % 2 === 0 ? names : [...names].reverse(); // interleaved, alternating who goes first
  for (const name of round) times[name].push(timeOnce(name));
}
const allocated = Object.fromEntries(
  names.map((n) => [n, median(Array.from({ length: ALLOC_RUNS }, () => allocatedOnce(n)))]),
) as Record<Name, number>;

const MB = 1024 * 1024;
const figures = Object.fromEntries(
  names.map((n) => [
    n,
    {
      medianMs: +median(times[n]).toFixed(2),
      minMs: +Math.min(...times[n]).toFixed(2),
      maxMs: +Math.max(...times[n]).toFixed(2),
      allocatedMB: +(allocated[n] / MB).toFixed(2),
    },
  ]),
) as Record<Name, { medianMs: number; minMs: number; maxMs: number; allocatedMB: number }>;
const ratio = figures.setpoint.medianMs / figures.microdiff.medianMs;
const ratioSpecs = figures.setpoint.medianMs / figures.microdiffSpecs.medianMs;

if (json) {
  const report = {
    bench: 'diff',
    node: process.version,
    resources: COUNT,
    runs: RUNS,
    plan: { add, change, destroy },
    ...figures,
    ratio: +ratio.toFixed(3),
    ratioSpecs: +ratioSpecs.toFixed(3),
    target: { ratio: 0.65, allocatedMB: 10 },
    pass: ratio <= 0.65 && figures.setpoint.allocatedMB < 10,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(20) : c.padStart(20))).join('');
  console.log(
    `diff of ${COUNT.toLocaleString('en')} resources (${RUNS} runs each, interleaved; node ${process.version})`,
  );
  console.log(`plan: ${add} to add, ${change} to change, ${destroy} to destroy\n`);
  console.log(row(['', 'median ms (min-max)', 'allocated MB']));
  const labels: Record<Name, string> = {
    setpoint: 'setpoint',
    microdiff: 'microdiff',
    microdiffSpecs: 'microdiff (specs)',
  };
  for (const n of names) {
    const f = figures[n];
    console.log(row([labels[n], `${f.medianMs} (${f.minMs}-${f.maxMs})`, String(f.allocatedMB)]));
  }
  console.log(
    `\nsetpoint / microdiff: ${ratio.toFixed(2)}x  (vs microdiff on specs only: ${ratioSpecs.toFixed(2)}x)`,
  );
  console.log(
    `target: <= 0.65x and < 10 MB: ${ratio <= 0.65 && figures.setpoint.allocatedMB < 10 ? 'met' : 'NOT met'}`,
  );
}
