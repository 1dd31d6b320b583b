import type { Resource } from '../contract/resource.js';
import { keyOf } from '../contract/resource.js';
import type { DesiredChange } from '../diff/desired-change.js';
import { isWellFormed } from '../diff/rules.js';

/** Beyond this share of the set changed, checking the whole set again is as cheap. */
const MOST_CHANGED = 0.1;

/**
 * The last whole desired set `setDesired` accepted, position by position, so that the next one
 * costs what changed in it rather than its size. A program that keeps its resources in an array
 * and replaces the few that change hands over the same objects at the same places: those are
 * skipped by one comparison each, and what is left is checked and applied as a change, by the
 * same rules as `updateDesired`. A resource changed in place (the same object) is the same
 * resource, as it is for the whole-set path, which keeps the object it was given.
 *
 * Anything else (another length, a malformed or duplicated resource among those changed, a key
 * that moved, many changes) answers `undefined`: the whole set is checked as before, with every
 * error named. So does anything after a change that did not come through here (`forget`).
 */
export class LastSet {
  /** A copy of the array (the caller may change its own in place): 8 bytes a resource. */
  #resources: Resource[] | undefined;

  /** `desired(key)`: whether the set in force holds `key` (the runtime's desired table). */
  constructor(private readonly desired: (key: string) => boolean) {}

  /** `resources` as a change from the last set, or `undefined` when it must be read whole. */
  changeTo(resources: readonly Resource[]): { change: DesiredChange; at: number[] } | undefined {
    const last = this.#resources;
    if (last === undefined || !Array.isArray(resources) || resources.length !== last.length) return undefined;
    const at: number[] = [];
    const most = Math.max(64, Math.floor(resources.length * MOST_CHANGED));
    for (let i = 0; i < resources.length; i++) {
      if (resources[i] !== last[i]) {
        at.push(i);
        if (at.length > most) return undefined;
      }
    }
    const freed = new Set<string>();
    for (const i of at) freed.add(keyOf(last[i]!));
    const set: Resource[] = [];
    const taken = new Set<string>();
    for (const i of at) {
      const r = resources[i];
      if (!isWellFormed(r)) return undefined;
      const key = keyOf(r);
      // Its key is held by a resource that did not change, or by another that did: a duplicate.
      if (taken.has(key) || (!freed.has(key) && this.desired(key))) return undefined;
      taken.add(key);
      set.push(r);
    }
    const remove = [...freed].filter((key) => !taken.has(key));
    return { change: { set, remove }, at };
  }

  /** The whole set `resources` was accepted. */
  accepted(resources: readonly Resource[]): void {
    this.#resources = resources.slice();
  }

  /** The change `changeTo` made of `resources` was accepted. */
  changed(resources: readonly Resource[], at: readonly number[]): void {
    const last = this.#resources!;
    for (const i of at) last[i] = resources[i]!;
  }

  /** The desired set changed some other way: the next set is read whole. */
  forget(): void {
    this.#resources = undefined;
  }
}
