import { keyOf, type Resource } from '../contract/resource.js';
import { canonicalJson } from '../diff/canonical-json.js';
import { createRuntime, type Runtime } from '../runtime/index.js';
import { createMemoryStore } from '../store/index.js';
import { seededRandom } from '../time/random.js';
import { TestClock } from '../time/test-clock.js';
import {
  type ConvergenceInput,
  type ConvergenceVerdict,
  checkConvergence,
} from './checks/convergence-check.js';
import { InvariantChecks } from './invariant-checks.js';
import type { SimReport } from './report.js';
import { watchEvents } from './sim-events.js';
import { resolveSimOptions, type SimOptions } from './sim-options.js';
import { SimWorld } from './sim-world.js';
import { Trace } from './trace.js';
import { Violations } from './violation.js';
import { Workload } from './workload.js';
import { changeTimes, subSeed } from './world.js';

/**
 * Run a runtime for hours of virtual time against memory providers that fail on purpose, and
 * check its promises at every provider call and every event.
 *
 * ```ts
 * const report = await simulate({
 *   seed: 7,
 *   resources: 1000,
 *   duration: 3_600_000,       // one virtual hour
 *   faultWindow: 2_700_000,    // faults for the first 45 minutes, then off
 *   faults: { failRate: 0.3, hangRate: 0.05, zombieRate: 0.02, crashRate: 0.001, outages: 2 },
 *   changes: 4,                // desired-set changes while the faults are on
 * });
 * report.violations;           // [] — every invariant held
 * report.converged;            // true: the world is the last desired set
 * report.traceHash;            // the same for the same seed, byte for byte
 * ```
 *
 * What runs: one memory provider per kind (with unmanaged and pre-existing objects), each
 * wrapped in a checking provider; the runtime on a `TestClock`, with its state in a memory
 * store; the desired set from a seeded {@link Workload}. Faults are on for `faultWindow`, then
 * off; the desired set changes `changes` times while they are on. What is checked, and why each
 * bound is what it is: `docs/reliability.md`. Everything random derives from `seed`, so the
 * same options give the same trace (`traceHash`), and a failing seed replays exactly.
 */
export async function simulate(options: SimOptions): Promise<SimReport> {
  const o = resolveSimOptions(options);
  const clock = new TestClock({ settleTurns: o.settleTurns });
  const trace = new Trace({ keep: o.keepTrace });
  const violations = new Violations();
  const workload = new Workload({
    resources: o.resources,
    kinds: o.kinds,
    unmanaged: o.unmanaged,
    preexisting: o.preexisting,
    random: seededRandom(subSeed(o.seed, 1)),
  });
  const store = createMemoryStore({ clock });
  const world = new SimWorld(o, workload, clock);
  const manages = (key: string) => store.get(key) !== undefined;

  let faultsOffAt: number | undefined;
  let lastProgressAt: number | undefined;
  const checks = new InvariantChecks(violations, {
    clock,
    trace,
    unmanaged: world.unmanaged,
    manages,
    ...(o.rollback ? { lastGood: (key: string) => store.get(key)?.lastGood } : {}),
    capMs: o.backoff.capMs,
    supervision: o.supervision,
    restartWithinMs: o.supervision.restartBackoff.maxMs,
    progress: () => {
      if (faultsOffAt !== undefined) lastProgressAt = clock.now();
    },
  });

  const rt: Runtime = createRuntime({
    providers: world.providers(checks.observer),
    clock,
    random: seededRandom(subSeed(o.seed, 2)),
    interval: o.interval,
    backoff: o.backoff,
    maxRetries: o.maxRetries,
    hotLoop: o.hotLoop,
    timeout: o.timeout,
    concurrency: o.concurrency,
    rollback: o.rollback,
    // The world's pre-existing objects are adopted, and the checks expect prune to delete
    // everything the runtime manages once it leaves the desired set.
    pruneAdopted: true,
    supervision: o.supervision,
    // The checks expect every dropped resource gone; a held delete waits for a person.
    deletionBudget: false,
    store,
  });
  const counts = watchEvents(rt, checks.events());

  // ── the desired state, over time ─────────────────────────────────────────────────────────
  let desired = new Map<string, { spec: object; text: string }>();
  let desiredSets = 0;
  const hand = (set: Resource[]) => {
    const atMs = clock.now();
    const step = trace.record(atMs, `* desired ${set.length}`);
    const next = new Map<string, { spec: object; text: string }>();
    const changed: string[] = [];
    for (const r of set) {
      const key = keyOf(r);
      const text = canonicalJson(r.spec);
      next.set(key, { spec: r.spec, text });
      if (desired.get(key)?.text !== text) changed.push(key);
    }
    for (const key of desired.keys()) if (!next.has(key)) changed.push(key);
    checks.desiredSet(set, changed, step, atMs);
    desired = next;
    desiredSets++;
    const result = rt.setDesired(set);
    if (!result.ok)
      throw new Error(`the simulation's desired set was rejected: ${JSON.stringify(result.errors)}`);
  };

  const view = (): ConvergenceInput => {
    const now = world.snapshot();
    return {
      desired: new Map([...desired].map(([key, d]) => [key, d.spec])),
      world: now,
      unmanaged: world.unmanaged,
      status: (key) => rt.status(key),
      manages,
      untouched: (key) => world.seeded(key) === now.get(key),
      lastGood: (key) => store.get(key)?.lastGood,
    };
  };

  await rt.start();
  hand(workload.desired());
  for (const at of changeTimes(seededRandom(subSeed(o.seed, 3)), o.changes, o.faultWindow)) {
    clock.setTimeout(() => hand(workload.change()), at);
  }
  clock.setTimeout(() => {
    world.faultsOff();
    faultsOffAt = clock.now();
    trace.record(faultsOffAt, '* faults off');
  }, o.faultWindow);
  let atBound: ConvergenceVerdict | undefined;
  let settledAt: number | undefined;
  clock.setTimeout(() => {
    atBound = checkConvergence(
      view(),
      violations,
      trace.record(clock.now(), '* convergence bound'),
      clock.now(),
    );
    settledAt = lastProgressAt ?? faultsOffAt;
  }, o.faultWindow + o.convergenceBoundMs);

  while (clock.now() < o.duration) {
    await clock.advance(Math.min(o.progressEveryMs, o.duration - clock.now()));
    o.onProgress?.(clock.now());
  }

  // ── the end: the world at rest, and what never happened ──────────────────────────────────
  const endAt = clock.now();
  const atEnd = checkConvergence(view(), violations, trace.record(endAt, '* end'), endAt);
  checks.finish(world, trace.steps, endAt, o.timeout + 30_000);
  const converged = atBound?.ok === true && atEnd.ok && !counts.runtimeFailed;
  const timeToConvergeMs =
    converged && faultsOffAt !== undefined && settledAt !== undefined
      ? Math.ceil(settledAt - faultsOffAt)
      : undefined;

  const stopping = rt.stop();
  await clock.advance(o.timeout + 30_000);
  await stopping;

  return {
    seed: o.seed,
    resources: o.resources,
    kinds: o.kinds,
    durationMs: o.duration,
    faultWindowMs: o.faultWindow,
    converged,
    timeToConvergeMs,
    convergenceBoundMs: o.convergenceBoundMs,
    operations: checks.operations,
    failures: counts.failures,
    crashes: counts.crashes,
    restarts: counts.restarts,
    escalations: counts.escalations,
    zombies: world.zombies,
    reverts: world.reverts,
    hotLoops: counts.hotLoops,
    hotLoopsEnded: counts.hotLoopsEnded,
    runtimeFailed: counts.runtimeFailed,
    desiredSets,
    held: atEnd.held,
    violationCounts: violations.counts,
    violations: violations.list,
    traceHash: trace.digest(),
    traceSteps: trace.steps,
    ...(trace.lines ? { trace: trace.lines } : {}),
  };
}
