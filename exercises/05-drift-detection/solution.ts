/**
 * Exercise 05 — drift detection: a solution.
 */

export type DriftPolicy = 'enforce' | 'alert' | 'ignore';

/** A flat spec: field name to value. */
export type Spec = Record<string, string | number | boolean | null>;

export interface Decision {
  /** The world differs from a spec that was already brought in sync: someone changed it. */
  readonly drift: boolean;
  /** Emit a `drift` event now: the first time this episode of drift is seen. */
  readonly report: boolean;
  /** Apply the desired spec now. */
  readonly apply: boolean;
}

const NOTHING: Decision = { drift: false, report: false, apply: false };

export class DriftDetector {
  /** The generation each key was last brought in sync at. */
  readonly #synced = new Map<string, number>();
  /** Keys whose current drift has been reported. */
  readonly #reported = new Set<string>();

  constructor(private readonly policy: DriftPolicy) {}

  /** A pass brought `key` in sync with the desired spec of `generation`. */
  synced(key: string, generation: number): void {
    this.#synced.set(key, generation);
    this.#reported.delete(key);
  }

  /** What to do about one observation of `key` (`observed` undefined: it does not exist). */
  check(key: string, desired: Spec, generation: number, observed: Spec | undefined): Decision {
    if (
      observed !== undefined &&
      Object.entries(desired).every(([field, value]) => observed[field] === value)
    ) {
      this.#reported.delete(key); // back in sync: the episode is over
      return NOTHING;
    }
    if (this.#synced.get(key) !== generation) {
      return { drift: false, report: false, apply: true }; // a new spec: an ordinary change
    }
    const report = !this.#reported.has(key);
    this.#reported.add(key);
    return { drift: true, report, apply: this.policy === 'enforce' };
  }
}
