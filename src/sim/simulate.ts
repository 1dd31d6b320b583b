import { keyOf, parseKey, type Resource } from '../contract/resource.js';
import { canonicalJson } from '../diff/canonical-json.js';
import { type MemoryProvider, memoryProvider } from '../providers/memory.js';
import { createRuntime, type Runtime } from '../runtime/index.js';
import { createMemoryStore } from '../store/memory-store.js';
import { seededRandom } from '../time/random.js';
import { TestClock } from '../time/test-clock.js';
import type { CallOperation } from './call.js';
import { type CallObserver, checkingProvider } from './checking-provider.js';
import { BackoffCheck } from './checks/backoff-check.js';
import {
  type ConvergenceInput,
  type ConvergenceVerdict,
  checkConvergence,
} from './checks/convergence-check.js';
import { CreateExistingCheck } from './checks/create-existing-check.js';
import { OverlapCheck } from './checks/overlap-check.js';
import { StaleSpecCheck } from './checks/stale-spec-check.js';
import { SupervisionCheck } from './checks/supervision-check.js';
import { UnmanagedCheck } from './checks/unmanaged-check.js';
import type { SimReport } from './report.js';
import { watchEvents } from './sim-events.js';
import { resolveSimOptions, type SimOptions } from './sim-options.js';
import { Trace } from './trace.js';
import { Violations } from './violation.js';
import { Workload } from './workload.js';
import { changeTimes, outageWindows, subSeed } from './world.js';

/** The root supervisor's intensity in the runtime (OTP/Elixir defaults; not configurable). */
const ROOT_INTENSITY = { maxRestarts: 3, withinMs: 5000 };

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
 *   faults: { failRate: 0.3, hangRate: 0.05, crashRate: 0.001, outages: 2 },
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

  // ── the world: one memory provider per kind, with what exists before the start ───────────
  const memories = new Map<string, MemoryProvider>();
  /** Objects that existed before the start, by key: the very (frozen) objects stored. */
  const seeded = new Map<string, object>();
  const unmanagedKeys = new Set<string>();
  workload.kinds.forEach((kind, i) => {
    const { managed, unmanaged } = workload.initialWorld(kind);
    const outage = outageWindows(
      seededRandom(subSeed(o.seed, 100 + i)),
      o.faults.outages ?? 0,
      o.faultWindow,
      o.faults.outageMs ?? [0, 0],
    );
    const { outages: _, outageMs: __, ...rates } = o.faults;
    const memory = memoryProvider({
      kind,
      clock,
      random: seededRandom(subSeed(o.seed, 200 + i)),
      faults: o.faultWindow > 0 ? { ...rates, outage } : undefined,
      initial: [...managed, ...unmanaged],
    });
    for (const name of [...managed.keys(), ...unmanaged.keys()])
      seeded.set(`${kind}/${name}`, memory.store.get(name)!);
    for (const name of unmanaged.keys()) unmanagedKeys.add(`${kind}/${name}`);
    memories.set(kind, memory);
  });

  // ── the checks ───────────────────────────────────────────────────────────────────────────
  const manages = (key: string) => store.get(key) !== undefined;
  const overlap = new OverlapCheck(violations);
  const createExisting = new CreateExistingCheck(violations);
  const untouched = new UnmanagedCheck(violations, { unmanaged: unmanagedKeys, manages });
  const stale = new StaleSpecCheck(
    violations,
    o.rollback ? { lastGood: (key) => store.get(key)?.lastGood } : {},
  );
  const backoff = new BackoffCheck(violations, { capMs: o.backoff.capMs });
  const supervision = new SupervisionCheck(violations, { kind: o.supervision, root: ROOT_INTENSITY });
  const operations = { observe: 0, create: 0, update: 0, delete: 0, restart: 0 };
  let faultsOffAt: number | undefined;
  let lastProgressAt: number | undefined;
  const progress = () => {
    if (faultsOffAt !== undefined) lastProgressAt = clock.now();
  };

  let nextCall = 0;
  const observer: CallObserver = {
    begin(op, key, spec) {
      const atMs = clock.now();
      const step = trace.record(atMs, `> ${op} ${key}${spec ? ` ${JSON.stringify(spec)}` : ''}`);
      operations[op]++;
      const call = { id: nextCall++, step, atMs, op, key, ...(spec ? { spec } : {}) };
      overlap.start(call);
      untouched.start(call);
      stale.start(call);
      backoff.start(call);
      return call.id;
    },
    finish(id, op: CallOperation, key, error, result) {
      const atMs = clock.now();
      const outcome =
        error !== undefined
          ? `err ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`
          : result === undefined
            ? 'ok'
            : typeof result === 'object'
              ? 'ok object'
              : `ok ${typeof result}`;
      const step = trace.record(atMs, `< ${op} ${key} ${outcome}`);
      const end = { id, step, atMs, op, key, ...(error !== undefined ? { error } : {}) };
      overlap.end(end);
      createExisting.end(end);
      backoff.end(end);
      if (error === undefined && op !== 'observe') progress();
    },
  };

  // ── the runtime ──────────────────────────────────────────────────────────────────────────
  const rt: Runtime = createRuntime({
    providers: [...memories.values()].map((memory) => checkingProvider(memory, observer)),
    clock,
    random: seededRandom(subSeed(o.seed, 2)),
    interval: o.interval,
    backoff: o.backoff,
    maxRetries: o.maxRetries,
    timeout: o.timeout,
    concurrency: o.concurrency,
    rollback: o.rollback,
    supervision: o.supervision,
    store,
  });
  const counts = watchEvents(rt, {
    record: (atMs, text) => trace.record(atMs, text),
    failed: (e, step) => backoff.failed({ ...e, step, atMs: e.at }),
    crashed: (e, step) => supervision.crashed(e.kind, e.key, step, e.at),
    restarted: (e, step) => {
      supervision.restarted(parseKey(e.key).kind, e.key, step, e.at);
      backoff.wake(e.key, step);
      progress();
    },
    escalated: (e, step) => supervision.escalated(e.supervisor, step, e.at),
    runtimeFailed: (e, step) => supervision.runtimeFailed(step, e.at),
    // Rolling back applies the last-good spec at once: a new spec to apply, like a new generation.
    degraded: (e, step) => {
      if (e.rollback) backoff.wake(e.key, step);
    },
    passStarted: (e, step) => backoff.passStarted(e.key, step),
    passDone: (e) => {
      if (e.result !== 'failed') backoff.passEnded(e.key);
    },
    settled: (e) => {
      if (e.type === 'deleted') backoff.passEnded(e.key);
      progress();
    },
  });

  // ── the desired state, over time ─────────────────────────────────────────────────────────
  let desired = new Map<string, { spec: object; text: string }>();
  let desiredSets = 0;
  const hand = (set: Resource[]) => {
    const atMs = clock.now();
    const step = trace.record(atMs, `* desired ${set.length}`);
    const next = new Map<string, { spec: object; text: string }>();
    for (const r of set) {
      const key = keyOf(r);
      const text = canonicalJson(r.spec);
      next.set(key, { spec: r.spec, text });
      if (desired.get(key)?.text !== text) backoff.wake(key, step);
    }
    for (const key of desired.keys()) if (!next.has(key)) backoff.wake(key, step);
    stale.acceptSet(set, step, atMs);
    desired = next;
    desiredSets++;
    const result = rt.setDesired(set);
    if (!result.ok)
      throw new Error(`the simulation's desired set was rejected: ${JSON.stringify(result.errors)}`);
  };

  const view = (): ConvergenceInput => {
    const world = new Map<string, object>();
    for (const [kind, memory] of memories)
      for (const [name, spec] of memory.store) world.set(`${kind}/${name}`, spec);
    return {
      desired: new Map([...desired].map(([key, d]) => [key, d.spec])),
      world,
      unmanaged: unmanagedKeys,
      status: (key) => rt.status(key),
      manages,
      untouched: (key) => seeded.get(key) === world.get(key),
      lastGood: (key) => store.get(key)?.lastGood,
    };
  };

  await rt.start();
  hand(workload.desired());
  for (const at of changeTimes(seededRandom(subSeed(o.seed, 3)), o.changes, o.faultWindow)) {
    clock.setTimeout(() => hand(workload.change()), at);
  }
  clock.setTimeout(() => {
    for (const memory of memories.values()) memory.setFaults(undefined);
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
  supervision.finish(trace.steps, endAt, o.timeout + 30_000);
  for (const key of unmanagedKeys) {
    const { kind, name } = parseKey(key);
    const now = memories.get(kind)?.store.get(name);
    if (now !== seeded.get(key)) {
      untouched.changed(
        key,
        trace.steps,
        endAt,
        now === undefined ? 'an unmanaged object was deleted' : 'an unmanaged object was changed',
      );
    }
  }
  let overlaps = 0;
  for (const memory of memories.values()) overlaps += memory.overlaps;
  if (overlaps > 0 && violations.counts['one-operation-per-key'] === 0) {
    violations.add({
      invariant: 'one-operation-per-key',
      step: trace.steps,
      atMs: endAt,
      key: '*',
      detail: `the memory providers counted ${overlaps} overlapping calls that the checking provider did not see`,
    });
  }
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
    operations,
    failures: counts.failures,
    crashes: counts.crashes,
    restarts: counts.restarts,
    escalations: counts.escalations,
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
