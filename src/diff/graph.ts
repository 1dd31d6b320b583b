import { describe } from '../contract/describe.js';
import { keyOf, type Resource, type ResourceKey } from '../contract/resource.js';
import { err, ok, type Result } from '../contract/result.js';
import { findCycles, indexEdges } from './cycles.js';
import { breach, firstPositions, isKeyList, isWellFormed, RULES } from './rules.js';

/** Everything that keeps a set of resources from being ordered, as data. */
export type GraphError =
  | { readonly code: 'duplicate-key'; readonly key: ResourceKey; readonly message: string }
  | { readonly code: 'invalid-resource'; readonly key: string; readonly message: string }
  | { readonly code: 'self-dependency'; readonly key: ResourceKey; readonly message: string }
  | {
      readonly code: 'missing-dependency';
      readonly key: ResourceKey;
      readonly dependsOn: ResourceKey;
      readonly message: string;
    }
  | {
      readonly code: 'cycle';
      /**
       * Every key caught in the cycle: first a shortest cycle through the smallest of them,
       * in dependency order (each depends on the next, the last on the first), then any other
       * keys tangled in the same knot, sorted.
       */
      readonly keys: readonly ResourceKey[];
      readonly message: string;
    };

/** The order to apply a plan in: each wave may run in parallel once the waves before it are done. */
export interface DependencyOrder {
  /** Creates and updates: every resource comes in a later wave than all it depends on. */
  readonly waves: ResourceKey[][];
  /** Deletes: `waves` reversed, so dependents go before what they depend on. */
  readonly deleteWaves: ResourceKey[][];
}

/**
 * Orders resources by their `dependsOn`: wave 0 holds those that depend on nothing, wave n
 * those whose deepest dependency sits in wave n-1. Keys are sorted within a wave.
 *
 * ```ts
 * orderByDependencies([
 *   { kind: 'app', name: 'web', spec: {}, dependsOn: ['db/main'] },
 *   { kind: 'db', name: 'main', spec: {} },
 * ]);
 * // ok: { waves: [['db/main'], ['app/web']], deleteWaves: [['app/web'], ['db/main']] }
 * ```
 *
 * Returns every problem found, not only the first: duplicate keys, dependencies on keys that
 * are not in the set, resources depending on themselves, and each dependency cycle
 * (`dependency cycle: a/x -> b/y -> a/x`), each in the words of its rule in `RULES`. Runs in
 * O(V + E), plus sorting each wave.
 */
export function orderByDependencies(resources: readonly Resource[]): Result<DependencyOrder, GraphError> {
  if (!Array.isArray(resources)) {
    throw new TypeError(`Expected \`resources\` to be an array of resources, got ${describe(resources)}`);
  }
  const errors: GraphError[] = [];
  const keys: ResourceKey[] = [];
  const nodes: Resource[] = [];
  const indexOf = new Map<ResourceKey, number>();
  let firstAt: ((key: string) => number) | undefined;
  resources.forEach((resource: Resource, position) => {
    const key = isWellFormed(resource) ? keyOf(resource) : undefined;
    if (key === undefined) {
      errors.push(breach(RULES.wellFormed, `[${position}]`, resource));
    } else if (indexOf.has(key)) {
      firstAt ??= firstPositions(resources, () => true);
      errors.push(breach(RULES.uniqueKey, key, `at [${firstAt(key)}] and [${position}]`));
    } else {
      indexOf.set(key, keys.length);
      keys.push(key);
      nodes.push(resource);
    }
  });

  // Edges u -> v: u depends on v. Stored flat, then indexed both ways (compressed rows).
  const from: number[] = [];
  const to: number[] = [];
  nodes.forEach((resource, u) => {
    const key = keys[u] as ResourceKey;
    const deps: unknown = resource.dependsOn ?? [];
    if (!isKeyList(deps)) {
      errors.push(breach(RULES.dependsOnList, key, deps));
      return;
    }
    deps.forEach((dep, j) => {
      const v = indexOf.get(dep);
      if (v !== undefined && v !== u) {
        from.push(u);
        to.push(v);
      } else if (deps.indexOf(dep) === j) {
        errors.push(
          v === u
            ? breach(RULES.noSelfDependency, key)
            : { ...breach(RULES.dependencyDeclared, key, dep), dependsOn: dep },
        );
      }
    });
  });
  const n = keys.length;
  const deps = indexEdges(n, from, to);
  const dependents = indexEdges(n, to, from);

  // Kahn's algorithm, one wave at a time.
  const waiting = new Int32Array(n);
  for (let u = 0; u < n; u++) waiting[u] = (deps.start[u + 1] as number) - (deps.start[u] as number);
  const placed = new Uint8Array(n);
  const waves: number[][] = [];
  let wave: number[] = [];
  for (let u = 0; u < n; u++) if (waiting[u] === 0) wave.push(u);
  let count = 0;
  while (wave.length > 0) {
    waves.push(wave);
    count += wave.length;
    const next: number[] = [];
    for (const v of wave) {
      placed[v] = 1;
      for (let e = dependents.start[v] as number; e < (dependents.start[v + 1] as number); e++) {
        const u = dependents.to[e] as number;
        waiting[u] = (waiting[u] as number) - 1;
        if (waiting[u] === 0) next.push(u);
      }
    }
    wave = next;
  }
  if (count < n) errors.push(...findCycles(keys, deps, placed));
  if (errors.length > 0) return err(errors);

  const named = waves.map((w) => w.map((u) => keys[u] as ResourceKey).sort());
  return ok({ waves: named, deleteWaves: named.map((w) => [...w]).reverse() });
}

/**
 * Who depends on each key: `dependentsOf(resources).get('db/main')` lists, sorted, every
 * resource whose `dependsOn` names `db/main`. Keys nothing depends on are absent. The runtime
 * holds a delete back until the dependents are gone.
 */
export function dependentsOf(resources: readonly Resource[]): Map<ResourceKey, ResourceKey[]> {
  const sets = new Map<ResourceKey, Set<ResourceKey>>();
  for (const resource of resources) {
    if (!isWellFormed(resource) || !Array.isArray(resource.dependsOn)) continue;
    const key = keyOf(resource);
    for (const dep of resource.dependsOn) {
      if (typeof dep !== 'string' || dep === key) continue;
      let set = sets.get(dep);
      if (set === undefined) {
        set = new Set();
        sets.set(dep, set);
      }
      set.add(key);
    }
  }
  const result = new Map<ResourceKey, ResourceKey[]>();
  for (const [dep, set] of sets) result.set(dep, [...set].sort());
  return result;
}
