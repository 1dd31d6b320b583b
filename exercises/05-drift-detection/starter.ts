/**
 * Exercise 05 — drift detection. Read README.md first; then make `npm run exercise -- 05` pass.
 *
 * This version calls every difference drift, reports it on every tick, and always applies.
 * Each `TODO(you)` marks a gap.
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

export class DriftDetector {
  constructor(private readonly policy: DriftPolicy) {}

  /** A pass brought `key` in sync with the desired spec of `generation`. */
  synced(_key: string, _generation: number): void {
    // TODO(you): remember it. Without memory, a new spec and a hand edit look the same.
  }

  /** What to do about one observation of `key` (`observed` undefined: it does not exist). */
  check(_key: string, desired: Spec, _generation: number, observed: Spec | undefined): Decision {
    // TODO(you): the server adds fields of its own; compare only the fields of `desired`.
    const inSync = JSON.stringify(desired) === JSON.stringify(observed);
    if (inSync) return { drift: false, report: false, apply: false };
    // TODO(you): a difference at a generation that was never synced is a change, not drift.
    // TODO(you): report a drift once, not on every tick, until it is over.
    // TODO(you): apply only what the policy allows (this.policy).
    void this.policy;
    return { drift: true, report: true, apply: true };
  }
}
