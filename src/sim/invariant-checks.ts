import { parseKey, type Resource } from '../contract/resource.js';
import type { Clock } from '../time/clock.js';
import type { CallOperation } from './call.js';
import type { CallObserver } from './checking-provider.js';
import { BackoffCheck } from './checks/backoff-check.js';
import { CreateExistingCheck } from './checks/create-existing-check.js';
import { OverlapCheck } from './checks/overlap-check.js';
import { StaleSpecCheck, type StaleSpecCheckOptions } from './checks/stale-spec-check.js';
import { type KindSupervision, SupervisionCheck } from './checks/supervision-check.js';
import { UnmanagedCheck } from './checks/unmanaged-check.js';
import type { EventHandlers } from './sim-events.js';
import type { SimWorld } from './sim-world.js';
import type { Trace } from './trace.js';
import type { Violations } from './violation.js';

/** The root supervisor's intensity in the runtime (OTP/Elixir defaults; not configurable). */
const ROOT_INTENSITY = { maxRestarts: 3, withinMs: 5000 };

export interface InvariantChecksOptions {
  readonly clock: Clock;
  /** Every call and event becomes a line here; its step is what a violation points at. */
  readonly trace: Trace;
  /** Keys of the objects that are never desired. */
  readonly unmanaged: ReadonlySet<string>;
  /** Is `key` in the runtime's inventory right now? */
  readonly manages: (key: string) => boolean;
  /** With rollback on, the spec a resource may fall back to. */
  readonly lastGood?: StaleSpecCheckOptions['lastGood'];
  /** The runtime's backoff cap, in ms. */
  readonly capMs: number;
  /** When a kind escalates, as the runtime was given it. */
  readonly supervision: KindSupervision;
  /** The longest a crashed actor may wait for its restart (the restart backoff's cap). */
  readonly restartWithinMs: number;
  /** Called when the runtime made progress: a change applied, an actor restarted, a resource settled. */
  readonly progress: () => void;
}

/**
 * Every invariant check of a simulation, fed from where the runtime can be seen from outside:
 * each provider call as it starts and settles (through {@link InvariantChecks.observer}), each
 * runtime event ({@link InvariantChecks.events}), each desired set handed over, and the world
 * at the end. Each call and event is also a line of the trace, and counted.
 */
export class InvariantChecks {
  /** Provider calls started, per operation. */
  readonly operations = { observe: 0, create: 0, update: 0, delete: 0, restart: 0 };
  /** What the checking providers report to. */
  readonly observer: CallObserver;
  readonly #violations: Violations;
  readonly #trace: Trace;
  readonly #progress: () => void;
  readonly #overlap: OverlapCheck;
  readonly #createExisting: CreateExistingCheck;
  readonly #untouched: UnmanagedCheck;
  readonly #stale: StaleSpecCheck;
  readonly #backoff: BackoffCheck;
  readonly #supervision: SupervisionCheck;

  constructor(violations: Violations, options: InvariantChecksOptions) {
    const { clock, trace } = options;
    this.#violations = violations;
    this.#trace = trace;
    this.#progress = options.progress;
    this.#overlap = new OverlapCheck(violations);
    this.#createExisting = new CreateExistingCheck(violations);
    this.#untouched = new UnmanagedCheck(violations, {
      unmanaged: options.unmanaged,
      manages: options.manages,
    });
    this.#stale = new StaleSpecCheck(
      violations,
      options.lastGood === undefined ? {} : { lastGood: options.lastGood },
    );
    this.#backoff = new BackoffCheck(violations, { capMs: options.capMs });
    this.#supervision = new SupervisionCheck(violations, {
      kind: options.supervision,
      root: ROOT_INTENSITY,
      restartWithinMs: options.restartWithinMs,
    });

    let nextCall = 0;
    this.observer = {
      begin: (op, key, spec) => {
        const atMs = clock.now();
        const step = trace.record(atMs, `> ${op} ${key}${spec ? ` ${JSON.stringify(spec)}` : ''}`);
        this.operations[op]++;
        const call = { id: nextCall++, step, atMs, op, key, ...(spec ? { spec } : {}) };
        this.#overlap.start(call);
        this.#untouched.start(call);
        this.#stale.start(call);
        this.#backoff.start(call);
        return call.id;
      },
      finish: (id, op: CallOperation, key, error, result) => {
        const atMs = clock.now();
        const step = trace.record(atMs, `< ${op} ${key} ${outcomeOf(error, result)}`);
        const end = { id, step, atMs, op, key, ...(error !== undefined ? { error } : {}) };
        this.#overlap.end(end);
        this.#createExisting.end(end);
        this.#backoff.end(end);
        if (error === undefined && op !== 'observe') this.#progress();
      },
    };
  }

  /** What `watchEvents` hands each runtime event to. */
  events(): EventHandlers {
    const backoff = this.#backoff;
    const supervision = this.#supervision;
    return {
      record: (atMs, text) => this.#trace.record(atMs, text),
      failed: (e, step) => backoff.failed({ ...e, step, atMs: e.at }),
      crashed: (e, step) => supervision.crashed(e.kind, e.key, step, e.at),
      restarted: (e, step) => {
        supervision.restarted(parseKey(e.key).kind, e.key, step, e.at);
        backoff.wake(e.key, step);
        this.#progress();
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
        this.#progress();
      },
    };
  }

  /**
   * A desired set is handed to the runtime: it is the newest accepted spec of each of its keys,
   * and the keys in `changed` (a new spec, or no longer desired) may be acted on at once.
   */
  desiredSet(set: readonly Resource[], changed: Iterable<string>, step: number, atMs: number): void {
    for (const key of changed) this.#backoff.wake(key, step);
    const perKind = new Map<string, number>();
    for (const r of set) perKind.set(r.kind, (perKind.get(r.kind) ?? 0) + 1);
    for (const [kind, count] of perKind) this.#supervision.resources(kind, count);
    this.#stale.acceptSet(set, step, atMs);
  }

  /**
   * The end of the run, with the world at rest: every due escalation came and every crash was
   * restarted, every unmanaged object is the very one seeded, and the memory providers counted
   * no overlapping call that the checking providers missed. `graceMs`: how long an escalation
   * may take.
   */
  finish(world: SimWorld, step: number, atMs: number, graceMs: number): void {
    this.#supervision.finish(step, atMs, graceMs);
    for (const key of world.unmanaged) {
      const now = world.objectAt(key);
      if (now !== world.seeded(key)) {
        const what = now === undefined ? 'deleted' : 'changed';
        this.#untouched.changed(key, step, atMs, `an unmanaged object was ${what}`);
      }
    }
    const overlaps = world.overlaps;
    if (overlaps > 0 && this.#violations.counts['one-operation-per-key'] === 0) {
      this.#violations.add({
        invariant: 'one-operation-per-key',
        step,
        atMs,
        key: '*',
        detail: `the memory providers counted ${overlaps} overlapping calls that the checking provider did not see`,
      });
    }
  }
}

/** How a settled call shows in the trace: its error, or what sort of value it returned. */
function outcomeOf(error: unknown, result: unknown): string {
  if (error !== undefined)
    return `err ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  if (result === undefined) return 'ok';
  return typeof result === 'object' ? 'ok object' : `ok ${typeof result}`;
}
