/**
 * How the dynamic supervisor holds up with 100,000 children.
 *
 *   npm run bench:supervisor            # a table
 *   npm run bench:supervisor -- --json  # one JSON object
 *
 * Starts 100,000 trivial children (a small object whose `stop` resolves at once) under one
 * dynamic supervisor on the system clock, crashes 1,000 of them in a batch and 1,000 more one at
 * a time (each measured from the crash being reported to the restarted child running), then
 * stops them all. Reports µs per start, µs per restart, the time to stop everything, and heap
 * bytes per child (everything, and the supervisor's own share).
 *
 * Anchors measured on the BEAM on this machine: 12–20 µs per start, 46–60 µs per restart.
 * Targets: ≤ 12 µs per start, ≤ 60 µs per restart in a batch, p50 ≤ 30 µs for a single one,
 * stopping 100k in < 1 s.
 */
import { performance } from 'node:perf_hooks';
import {
  type Child,
  type ChildLink,
  type ChildSpec,
  createDynamicSupervisor,
} from '../src/supervisor/index.js';
import { systemClock } from '../src/time/clock.js';

const N = 100_000;
const CRASHES = 1_000;
const json = process.argv.includes('--json');

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc (npm run bench:supervisor does)');
  process.exit(1);
}

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

interface Trivial extends Child {
  readonly link: ChildLink;
}

interface BenchSpec extends ChildSpec {
  readonly i: number;
}

/** The current incarnation of each child, so the bench can crash it. */
const current: Trivial[] = new Array(N);

function stop(): Promise<void> {
  return Promise.resolve();
}

function start(this: BenchSpec, link: ChildLink): Trivial {
  const child: Trivial = { link, stop };
  current[this.i] = child;
  return child;
}

function specs(): BenchSpec[] {
  const out = new Array<BenchSpec>(N);
  for (let i = 0; i < N; i++) out[i] = { id: `resource/${i}`, i, start };
  return out;
}

/** Bytes per child of the bench's own objects (spec, id, child), without a supervisor. */
function controlBytes(): number {
  const before = heap();
  const made = specs();
  const link: ChildLink = { id: 'x', exit() {} };
  for (const spec of made) spec.start(link);
  const bytes = (heap() - before) / N;
  current.fill(undefined as unknown as Trivial);
  made.length = 0;
  return bytes;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function main() {
  const control = controlBytes();

  const sup = await createDynamicSupervisor({
    id: 'resources',
    clock: systemClock,
    maxRestarts: 1_000_000,
    withinMs: 5000,
  }).start();

  const base = heap();
  const all = specs();
  let t = performance.now();
  for (const spec of all) sup.startChild(spec);
  const startMs = performance.now() - t;
  const total = heap() - base;
  if (sup.countChildren().active !== N) throw new Error('not all children started');

  // A batch of crashes: each is restarted within the call that reports it.
  const batch = Array.from({ length: CRASHES }, (_, k) => k * (N / CRASHES));
  const errors = batch.map(() => new Error('boom'));
  t = performance.now();
  for (let k = 0; k < CRASHES; k++) current[batch[k]!]!.link.exit({ reason: 'crash', error: errors[k] });
  const batchMs = performance.now() - t;
  if (sup.countChildren().active !== N || sup.tree().restarts !== CRASHES)
    throw new Error('batch not restarted');

  // Single crashes, each timed from the report to the restarted child running.
  const singles: number[] = [];
  for (let k = 0; k < CRASHES; k++) {
    const i = k * (N / CRASHES) + 1;
    const before = current[i]!;
    const error = new Error('boom');
    const t0 = performance.now();
    before.link.exit({ reason: 'crash', error });
    const t1 = performance.now();
    if (current[i] === before) throw new Error(`child ${i} was not restarted`);
    singles.push((t1 - t0) * 1000);
  }
  singles.sort((a, b) => a - b);

  t = performance.now();
  await sup.stop();
  const stopMs = performance.now() - t;
  if (sup.countChildren().specs !== 0) throw new Error('children left after stop');

  const result = {
    children: N,
    startUs: (startMs * 1000) / N,
    restartBatchUs: (batchMs * 1000) / CRASHES,
    restartSingleP50Us: percentile(singles, 0.5),
    restartSingleP99Us: percentile(singles, 0.99),
    stopMs,
    heapBytesPerChild: total / N,
    supervisorBytesPerChild: total / N - control,
    node: process.version,
  };

  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  const f = (n: number, digits = 1) => n.toFixed(digits);
  console.log(`dynamic supervisor, ${N.toLocaleString('en')} children (${process.version})`);
  console.log(`  start            ${f(result.startUs, 2)} µs per child        (target ≤ 12; BEAM 12–20)`);
  console.log(
    `  restart, batch   ${f(result.restartBatchUs, 2)} µs per restart      (target ≤ 60; BEAM 46–60)`,
  );
  console.log(
    `  restart, single  p50 ${f(result.restartSingleP50Us, 2)} µs, p99 ${f(result.restartSingleP99Us, 2)} µs (target p50 ≤ 30)`,
  );
  console.log(`  stop all         ${f(result.stopMs)} ms                 (target < 1000)`);
  console.log(
    `  heap             ${f(result.heapBytesPerChild, 0)} B per child, of which the supervisor's ${f(result.supervisorBytesPerChild, 0)} B`,
  );
}

await main();
