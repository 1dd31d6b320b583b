/**
 * Exercise 12 — safety valves: a solution.
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
  /** When each delete that went ahead was let through, oldest first. */
  readonly #spent: number[] = [];
  /** The held keys, in the order they were held. */
  readonly #held = new Set<string>();

  constructor(private readonly limits: BudgetLimits) {}

  /**
   * A pass at `at` finds `leaving` (every key that is managed but no longer desired, held ones
   * included) out of `managed` managed resources (the leaving ones included). One decision per
   * key, in the order given.
   */
  prune(at: number, leaving: readonly string[], managed: number): Deletion[] {
    // A held key that is not leaving any more is desired again: nothing to delete.
    const still = new Set(leaving);
    for (const key of this.#held) if (!still.has(key)) this.#held.delete(key);
    // The window slides: a delete exactly windowMs ago has left it.
    const threshold = at - this.limits.windowMs;
    while (this.#spent.length > 0 && this.#spent[0]! <= threshold) this.#spent.shift();
    const limit = Math.max(this.limits.max, Math.floor(this.limits.fraction * managed));
    let room = limit - this.#spent.length;
    return leaving.map((key): Deletion => {
      // A hold is a question to a person: the window moving on is no answer.
      if (this.#held.has(key)) return { key, decision: 'hold', reason: 'awaiting-approval' };
      if (room > 0) {
        room--;
        this.#spent.push(at); // only a delete that goes ahead spends the budget
        return { key, decision: 'delete' };
      }
      this.#held.add(key);
      return { key, decision: 'hold', reason: 'over-budget' };
    });
  }

  /** Approve the held deletes of `keys` (default: every one): returned, to delete now. */
  approve(keys?: readonly string[]): string[] {
    const out: string[] = [];
    // An approved delete does not spend the budget: a person decided, not the pace.
    for (const key of keys ?? [...this.#held]) if (this.#held.delete(key)) out.push(key);
    return out;
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

interface Track {
  generation: number;
  /** Whether a pass has changed something at this generation (that first change is the change). */
  applied: boolean;
  /** The corrections within the window, oldest first. */
  window: { readonly at: number; readonly changed: readonly string[] }[];
  hot: boolean;
  fields: string[];
  /** When the last correction was. */
  lastAt: number;
}

export class HotLoopDetector {
  readonly #tracks = new Map<string, Track>();

  constructor(private readonly limits: HotLoopLimits) {}

  /** Take in one pass; return where its resource stands. */
  pass(p: Pass): HotLoopState {
    let track = this.#tracks.get(p.key);
    if (track === undefined || track.generation !== p.generation) {
      // A new spec: its changes are counted afresh, and a hot loop of the old one is over.
      track = { generation: p.generation, applied: false, window: [], hot: false, fields: [], lastAt: 0 };
      this.#tracks.set(p.key, track);
    }
    if (p.changed.length === 0) {
      if (track.hot && p.at - track.lastAt >= this.limits.quietMs) {
        track.hot = false;
        track.fields = [];
        track.window = []; // the next fight is counted from zero
      }
      return stateOf(track);
    }
    if (!track.applied) {
      track.applied = true; // the change itself, not a correction
      return stateOf(track);
    }
    track.lastAt = p.at;
    const threshold = p.at - this.limits.windowMs;
    track.window = track.window.filter((c) => c.at > threshold);
    track.window.push({ at: p.at, changed: p.changed });
    if (track.hot) addFields(track.fields, p.changed);
    else if (track.window.length >= this.limits.corrections) {
      track.hot = true;
      for (const c of track.window) addFields(track.fields, c.changed);
    }
    return stateOf(track);
  }
}

function stateOf(track: Track): HotLoopState {
  return { hot: track.hot, fields: [...track.fields] };
}

function addFields(fields: string[], changed: readonly string[]): void {
  for (const field of changed) if (!fields.includes(field)) fields.push(field);
}
