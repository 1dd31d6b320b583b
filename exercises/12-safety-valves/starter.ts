/**
 * Exercise 12 — safety valves. Read README.md first; then make `npm run exercise -- 12` pass.
 *
 * This version budgets deletes with a counter reset on the clock's edge, and calls every
 * change of a resource a fight that never ends. Each `TODO(you)` marks a gap.
 */

// ---------------------------------------------------------------------------------------------
// Part 1: the deletion budget
// ---------------------------------------------------------------------------------------------

/** How many deletes may go ahead in a window of time without anyone approving them. */
export interface BudgetLimits {
  /** Deletes per window, at least. A whole number from 0. */
  readonly max: number;
  /** Or this share of the managed resources (rounded down), when that is more. From 0 to 1. */
  readonly fraction: number;
  /** The sliding window deletes are counted over, in ms. */
  readonly windowMs: number;
}

/** Why a delete is held: this prune is over the budget, or it was held before and waits for a person. */
export type HoldReason = 'over-budget' | 'awaiting-approval';

export type Deletion =
  | { readonly key: string; readonly decision: 'delete' }
  | { readonly key: string; readonly decision: 'hold'; readonly reason: HoldReason };

export class DeletionBudget {
  #windowStart = 0;
  #used = 0;
  /** The held keys, in the order they were held. */
  readonly #held = new Set<string>();

  constructor(private readonly limits: BudgetLimits) {}

  /**
   * A pass at `at` finds `leaving` (every key that is managed but no longer desired, held ones
   * included) out of `managed` managed resources (the leaving ones included). One decision per
   * key, in the order given.
   */
  prune(at: number, leaving: readonly string[], managed: number): Deletion[] {
    // TODO(you): a held key that is not in `leaving` any more is desired again: forget its hold.
    // TODO(you): a window that starts afresh on the clock's edge lets 2 × max through across
    // the edge. Slide it: count the deletes of the last windowMs (one exactly windowMs ago has left).
    const windowStart = at - (at % this.limits.windowMs);
    if (windowStart !== this.#windowStart) {
      this.#windowStart = windowStart;
      this.#used = 0;
    }
    // TODO(you): the budget is the larger of max and fraction × managed, rounded down.
    void managed;
    const limit = this.limits.max;
    return leaving.map((key): Deletion => {
      // TODO(you): a key held before stays held ('awaiting-approval') until approved.
      // TODO(you): only a delete that goes ahead spends the budget; a held one does not.
      this.#used++;
      if (this.#used <= limit) return { key, decision: 'delete' };
      this.#held.add(key);
      return { key, decision: 'hold', reason: 'over-budget' };
    });
  }

  /** Approve the held deletes of `keys` (default: every one): returned, to delete now. */
  approve(_keys?: readonly string[]): string[] {
    // TODO(you): release the held keys asked for (only those that are held), and return them.
    // An approval is a person's decision: it does not spend the budget.
    return [];
  }

  /** The held keys, in the order they were held. */
  held(): string[] {
    return [...this.#held];
  }
}

// ---------------------------------------------------------------------------------------------
// Part 2: hot-loop detection
// ---------------------------------------------------------------------------------------------

export interface HotLoopLimits {
  /** This many corrections of one resource within `windowMs` make a hot loop. At least 1. */
  readonly corrections: number;
  readonly windowMs: number;
  /** A hot loop ends at a pass that finds the resource in sync this long after its last correction. */
  readonly quietMs: number;
}

/** One pass over one resource. */
export interface Pass {
  readonly key: string;
  readonly at: number;
  /** The generation of the desired spec the pass worked at; it goes up when someone edits the spec. */
  readonly generation: number;
  /** The fields this pass changed; empty when it found the resource in sync. */
  readonly changed: readonly string[];
}

export interface HotLoopState {
  readonly hot: boolean;
  /** While hot: the fields the corrections changed, each once, in the order first seen. */
  readonly fields: readonly string[];
}

export class HotLoopDetector {
  readonly #updates = new Map<string, number>();

  constructor(private readonly limits: HotLoopLimits) {}

  /** Take in one pass; return where its resource stands. */
  pass(p: Pass): HotLoopState {
    // TODO(you): a pass at a new generation starts afresh, and ends a hot loop: the user edited the spec.
    // TODO(you): the first change at a generation is the change itself; only later ones are corrections.
    // TODO(you): count only the corrections of the last windowMs.
    // TODO(you): a pass in sync, quietMs or more after the last correction, ends the hot loop.
    // TODO(you): name the fields the corrections changed.
    if (p.changed.length > 0) this.#updates.set(p.key, (this.#updates.get(p.key) ?? 0) + 1);
    return { hot: (this.#updates.get(p.key) ?? 0) >= this.limits.corrections, fields: [] };
  }
}
