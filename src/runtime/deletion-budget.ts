import type { Emitter } from 'nanoevents';
import type { ResourceStatus } from '../actors/status.js';
import type { HeldDeletes } from '../diff/plan.js';
import type { StateStore } from '../store/index.js';
import type { Clock } from '../time/clock.js';
import { budgetOf, type DeletionBudgetSettings } from './deletion-budget-options.js';
import type { RuntimeEvents } from './events.js';

/** A delete the budget held back: the resource left the desired set and is kept until approved. */
export interface HeldDeletion {
  readonly key: string;
  readonly kind: string;
  /** When it was held. */
  readonly since: number;
}

/** What the budget needs of a desired-table entry. */
interface Holdable {
  readonly resource: { readonly kind: string };
  held: boolean;
}

/** The reason a held resource's `Synced` condition gives. */
export const DELETION_HELD = 'DeletionHeld';

/**
 * The deletion budget: how many managed resources of one kind may be deleted in a window of
 * time without anyone approving it. A desired set that shrinks by more than that keeps the
 * rest (held) until `approve` lets them go, or until they are desired again.
 *
 * A kind's budget is the larger of `max` and `fraction` of its managed resources, counted
 * over a sliding window of `windowMs`. Dependents are counted before what they depend on, and
 * a resource with a held dependent is held too: it could not be deleted before it anyway.
 */
export class DeletionBudget {
  readonly #held = new Map<string, HeldDeletion & { readonly entry: Holdable }>();
  /** Per kind, the deletes let through: when, and how many at that moment. */
  readonly #spent = new Map<string, { at: number; n: number }[]>();

  constructor(
    private readonly settings: {
      readonly deletionBudget: DeletionBudgetSettings;
      readonly dryRun: boolean;
      readonly prune: boolean;
      readonly clock: Clock;
      readonly store: StateStore;
    },
    private readonly emitter: Emitter<RuntimeEvents>,
  ) {}

  /**
   * Of `leaving`, hold (mark `held`) the keys beyond their kind's budget and return the rest, to
   * be deleted. Only deletes of resources this runtime manages count; a dry run or a runtime
   * that does not prune deletes nothing, so holds nothing.
   */
  hold<E extends Holdable>(
    leaving: readonly (readonly [string, E])[],
    dependents: (key: string) => Iterable<string>,
  ): (readonly [string, E])[] {
    const held = new Set<string>();
    const { prune, dryRun, store, clock } = this.settings;
    if (!prune || dryRun) return [...leaving];
    const ours = new Map<string, string>(); // key -> kind
    const need = new Map<string, number>();
    for (const [key, entry] of leaving) {
      if (this.#held.has(key)) held.add(key);
      else if (store.get(key) !== undefined) {
        ours.set(key, entry.resource.kind);
        need.set(entry.resource.kind, (need.get(entry.resource.kind) ?? 0) + 1);
      }
    }
    const now = clock.now();
    const left = new Map<string, { left: number; limit: number; windowMs: number }>();
    let over = false;
    for (const [kind, n] of need) {
      const room = this.#room(kind, n, now);
      left.set(kind, room);
      if (n > room.left) over = true;
    }
    if (over || this.#held.size > 0) {
      for (const key of dependentsFirst(ours, dependents)) {
        const room = left.get(ours.get(key)!)!;
        let blocked = false;
        for (const d of dependents(key)) if (held.has(d) || this.#held.has(d)) blocked = true;
        if (blocked || room.left < 1) held.add(key);
        else room.left--;
      }
    }
    const heldBy = new Map<string, string[]>();
    const go: (readonly [string, E])[] = [];
    for (const [key, entry] of leaving) {
      if (!held.has(key)) {
        go.push([key, entry]);
        continue;
      }
      entry.held = true;
      const kind = entry.resource.kind;
      if (this.#held.has(key)) continue;
      this.#held.set(key, { key, kind, since: now, entry });
      heldBy.set(kind, [...(heldBy.get(kind) ?? []), key]);
    }
    for (const [kind, n] of need) {
      const through = n - (heldBy.get(kind)?.length ?? 0);
      if (through > 0 && Number.isFinite(left.get(kind)!.limit))
        this.#spentOf(kind).push({ at: now, n: through });
    }
    for (const [kind, keys] of heldBy) {
      const { limit, windowMs } = left.get(kind)!;
      this.emitter.emit('deletion:held', {
        kind,
        keys: keys.sort(),
        budget: { max: limit, windowMs },
        at: now,
      });
    }
    return go;
  }

  /**
   * Of `deletes` (kind → how many of its managed resources would be deleted), how many the
   * budget lets through now, without spending anything: what a plan tells about an apply.
   * Only kinds that would hold some are returned.
   */
  preview(deletes: ReadonlyMap<string, number>): HeldDeletes[] {
    if (!this.settings.prune) return [];
    const now = this.settings.clock.now();
    const out: HeldDeletes[] = [];
    for (const [kind, n] of deletes) {
      const { left, limit, windowMs } = this.#room(kind, n, now);
      if (n > left) out.push({ kind, deletes: n, through: left, limit, windowMs });
    }
    return out;
  }

  /** Whether `key`'s delete is held. */
  isHeld(key: string): boolean {
    return this.#held.has(key);
  }

  /** `key` is desired again: its delete is not held any more. */
  revive(key: string, entry: Holdable): void {
    entry.held = false;
    this.#held.delete(key);
  }

  /** Approve the held deletes of `keys` (default: all): they are no longer held, and returned. */
  take(keys?: readonly string[]): HeldDeletion[] {
    const out: HeldDeletion[] = [];
    for (const key of keys ?? [...this.#held.keys()]) {
      const held = this.#held.get(key);
      if (held === undefined) continue;
      this.#held.delete(key);
      held.entry.held = false;
      out.push({ key, kind: held.kind, since: held.since });
    }
    return out;
  }

  /** Every held delete, by key. */
  list(): HeldDeletion[] {
    return [...this.#held.values()]
      .map(({ key, kind, since }) => ({ key, kind, since }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Held deletes by kind (the `setpoint_deletions_held` gauge). */
  *counts(): Iterable<[kind: string, count: number]> {
    const counts = new Map<string, number>();
    for (const { kind } of this.#held.values()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    yield* counts;
  }

  /** How many of `kind`'s `n` deletes may go ahead now, and the budget they are counted against. */
  #room(kind: string, n: number, now: number): { left: number; limit: number; windowMs: number } {
    const { max, fraction, windowMs } = budgetOf(this.settings.deletionBudget, kind);
    if (!Number.isFinite(max)) return { left: max, limit: max, windowMs };
    const spentList = this.#spentOf(kind);
    while (spentList.length > 0 && spentList[0]!.at <= now - windowMs) spentList.shift();
    let spent = 0;
    for (const s of spentList) spent += s.n;
    let limit = max;
    if (n > max - spent && fraction > 0) {
      let managed = 0;
      for (const item of this.settings.store.inventory().values()) if (item.kind === kind) managed++;
      limit = Math.max(max, Math.floor(fraction * managed));
    }
    return { left: Math.max(0, limit - spent), limit, windowMs };
  }

  #spentOf(kind: string): { at: number; n: number }[] {
    let list = this.#spent.get(kind);
    if (list === undefined) {
      list = [];
      this.#spent.set(kind, list);
    }
    return list;
  }
}

/** `status` of a resource whose delete is held: still there and working, but not as desired. */
export function heldStatus(status: ResourceStatus): ResourceStatus {
  const conditions = status.conditions.map((c) =>
    c.type === 'Synced' ? { type: c.type, status: false, reason: DELETION_HELD } : c,
  );
  return { ...status, conditions };
}

/** The keys of `ours`, each after every one of its dependents among them (no recursion). */
function dependentsFirst(ours: ReadonlyMap<string, unknown>, dependents: (key: string) => Iterable<string>) {
  const order: string[] = [];
  const seen = new Set<string>();
  for (const start of ours.keys()) {
    if (seen.has(start)) continue;
    seen.add(start);
    const stack: [string, Iterator<string>][] = [[start, dependents(start)[Symbol.iterator]()]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top[1].next();
      if (next.done) {
        stack.pop();
        order.push(top[0]);
      } else if (ours.has(next.value) && !seen.has(next.value)) {
        seen.add(next.value);
        stack.push([next.value, dependents(next.value)[Symbol.iterator]()]);
      }
    }
  }
  return order;
}
