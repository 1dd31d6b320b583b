/**
 * What the simulation reports when a promise of the runtime is broken: which invariant, where
 * in the trace (`step`), when in virtual time (`atMs`), for which key, and what happened.
 *
 * Every checker in `src/sim/checks/` writes to one {@link Violations} sink. It keeps the first
 * violations in full (enough to read and replay) and counts all of them per invariant, so a run
 * that goes badly wrong cannot exhaust memory.
 */

/** The invariants the simulation checks, continuously, at every call and event. */
export const INVARIANTS = [
  /** Never two provider operations in flight for one key. */
  'one-operation-per-key',
  /** Never a create for a key that already exists. */
  'no-create-of-existing',
  /** Never a change to, or a delete of, an object the runtime does not manage. */
  'unmanaged-untouched',
  /** Never a create or update with an older spec once a newer one was accepted. */
  'no-stale-spec',
  /** Backoff delays within [retryAfter, cap], and no retry sooner than its delay. */
  'backoff-bounds',
  /** Every restart within intensity; an escalation exactly when the intensity is exceeded. */
  'supervision-intensity',
  /** After the faults stop, the world reaches the last desired set within the bound. */
  'convergence',
] as const;

export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  readonly invariant: InvariantName;
  /** The trace step at which it was seen (replay the seed and look there). */
  readonly step: number;
  /** Virtual time, in ms. */
  readonly atMs: number;
  /** `kind/name`, or a kind for supervision, or `*` for the whole run. */
  readonly key: string;
  readonly detail: string;
}

export type ViolationCounts = Record<InvariantName, number>;

/** Where checkers report. Keeps the first `keep` violations and counts every one. */
export class Violations {
  readonly #kept: Violation[] = [];
  readonly #counts: ViolationCounts;
  readonly #keep: number;

  constructor(keep = 100) {
    this.#keep = keep;
    this.#counts = Object.fromEntries(INVARIANTS.map((name) => [name, 0])) as ViolationCounts;
  }

  add(violation: Violation): void {
    this.#counts[violation.invariant]++;
    if (this.#kept.length < this.#keep) this.#kept.push(violation);
  }

  /** The violations kept, in the order they were seen. */
  get list(): readonly Violation[] {
    return this.#kept;
  }

  /** Every violation, counted per invariant (also those not kept). */
  get counts(): ViolationCounts {
    return { ...this.#counts };
  }

  get total(): number {
    let sum = 0;
    for (const name of INVARIANTS) sum += this.#counts[name];
    return sum;
  }
}
