/**
 * Who depends on whom, indexed the other way round: for each key, the keys whose `dependsOn`
 * names it. The desired table keeps it for every live entry (removed ones included), so that a
 * delete can wait for its dependents and a resource that becomes Ready can wake those waiting.
 */
export class Dependents {
  readonly #of = new Map<string, Set<string>>();

  /** The keys that depend on `key` (empty when none). */
  of(key: string): ReadonlySet<string> {
    return this.#of.get(key) ?? NONE;
  }

  /** `key` depends on each of `deps` (`add`), or no longer does. */
  link(key: string, deps: readonly string[] | undefined, add: boolean): void {
    for (const dep of deps ?? []) {
      let set = this.#of.get(dep);
      if (add) {
        if (!set) {
          set = new Set();
          this.#of.set(dep, set);
        }
        set.add(key);
      } else if (set) {
        set.delete(key);
        if (set.size === 0) this.#of.delete(dep);
      }
    }
  }
}

const NONE: ReadonlySet<string> = new Set();
