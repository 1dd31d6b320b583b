/**
 * The graph machinery behind `orderByDependencies`: edges in compressed rows, and the search
 * that names dependency cycles, over a whole set or over the part of it a change reaches
 * (`cyclesThrough`). Nodes are numbers (positions in a key list) so that 100,000 resources
 * cost a few typed arrays, not 100,000 objects.
 */

import type { ResourceKey } from '../contract/resource.js';
import type { GraphError } from './graph.js';
import { isKeyList, RULES } from './rules.js';

/** Edges grouped by source: the targets of `u` are `to[start[u]] .. to[start[u + 1] - 1]`. */
export interface EdgeIndex {
  readonly start: Int32Array;
  readonly to: Int32Array;
}

export function indexEdges(n: number, from: readonly number[], to: readonly number[]): EdgeIndex {
  const start = new Int32Array(n + 1);
  for (const u of from) start[u + 1] = (start[u + 1] as number) + 1;
  for (let u = 0; u < n; u++) start[u + 1] = (start[u + 1] as number) + (start[u] as number);
  const fill = start.slice(0, n);
  const targets = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) {
    const u = from[e] as number;
    targets[fill[u] as number] = to[e] as number;
    fill[u] = (fill[u] as number) + 1;
  }
  return { start, to: targets };
}

/**
 * The cycles among the nodes Kahn's algorithm could not place: Tarjan's strongly connected
 * components (iterative, so a long chain cannot overflow the stack), each of more than one
 * node being one knot of cycles.
 */
export function findCycles(keys: readonly ResourceKey[], deps: EdgeIndex, placed: Uint8Array): CycleError[] {
  const n = keys.length;
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const next = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const path: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  const enter = (u: number) => {
    order[u] = low[u] = counter++;
    next[u] = deps.start[u] as number;
    stack.push(u);
    onStack[u] = 1;
    path.push(u);
  };
  for (let root = 0; root < n; root++) {
    if (placed[root] === 1 || order[root] !== -1) continue;
    enter(root);
    while (path.length > 0) {
      const u = path[path.length - 1] as number;
      if ((next[u] as number) < (deps.start[u + 1] as number)) {
        const v = deps.to[next[u] as number] as number;
        next[u] = (next[u] as number) + 1;
        if (placed[v] === 1) continue;
        if (order[v] === -1) enter(v);
        else if (onStack[v] === 1) low[u] = Math.min(low[u] as number, order[v] as number);
        continue;
      }
      path.pop();
      const parent = path[path.length - 1];
      if (parent !== undefined) low[parent] = Math.min(low[parent] as number, low[u] as number);
      if (low[u] !== order[u]) continue;
      const component: number[] = [];
      let v: number;
      do {
        v = stack.pop() as number;
        onStack[v] = 0;
        component.push(v);
      } while (v !== u);
      if (component.length > 1) components.push(component);
    }
  }
  const errors = components.map((component) => cycleError(keys, deps, component));
  return errors.sort((a, b) => ((a.keys[0] as string) < (b.keys[0] as string) ? -1 : 1));
}

export type CycleError = Extract<GraphError, { code: 'cycle' }>;

/** Name a knot of cycles: a shortest cycle through its smallest key (breadth-first), then the rest. */
function cycleError(keys: readonly ResourceKey[], deps: EdgeIndex, component: readonly number[]): CycleError {
  const members = new Set(component);
  let start = component[0] as number;
  for (const u of component) if ((keys[u] as string) < (keys[start] as string)) start = u;
  const parent = new Map<number, number>();
  const queue = [start];
  let last = -1;
  for (let head = 0; head < queue.length && last < 0; head++) {
    const u = queue[head] as number;
    for (let e = deps.start[u] as number; e < (deps.start[u + 1] as number); e++) {
      const v = deps.to[e] as number;
      if (v === start) {
        last = u;
        break;
      }
      if (members.has(v) && !parent.has(v)) {
        parent.set(v, u);
        queue.push(v);
      }
    }
  }
  const cycle: number[] = [];
  for (let u = last; u !== start; u = parent.get(u) as number) cycle.push(u);
  cycle.push(start);
  cycle.reverse();
  const inCycle = new Set(cycle);
  const names = cycle.map((u) => keys[u] as ResourceKey);
  const rest = component.filter((u) => !inCycle.has(u)).map((u) => keys[u] as ResourceKey);
  rest.sort();
  return { code: RULES.acyclic.code, keys: [...names, ...rest], message: RULES.acyclic.message(names, rest) };
}

/**
 * The cycles through `starts`, named as `findCycles` names them, found in only the part of the
 * graph their dependencies reach: the cost is the size of that part, not of the whole set.
 * `lookup` gives the resource for a key (`undefined` for one not declared); a dependency on
 * an undeclared key, on the resource itself, or from a `dependsOn` that is not a list of keys
 * makes no edge, as in `orderByDependencies`.
 */
export function cyclesThrough(
  starts: Iterable<ResourceKey>,
  lookup: (key: ResourceKey) => { readonly dependsOn?: readonly string[] } | undefined,
): CycleError[] {
  const keys: ResourceKey[] = [];
  const indexOf = new Map<ResourceKey, number>();
  const visit = (key: ResourceKey): number => {
    let u = indexOf.get(key);
    if (u === undefined) {
      u = keys.length;
      indexOf.set(key, u);
      keys.push(key);
    }
    return u;
  };
  for (const key of starts) visit(key);
  const from: number[] = [];
  const to: number[] = [];
  for (let u = 0; u < keys.length; u++) {
    const key = keys[u] as ResourceKey;
    const deps: unknown = lookup(key)?.dependsOn ?? [];
    if (!isKeyList(deps)) continue;
    for (const dep of deps) {
      if (dep === key || lookup(dep) === undefined) continue;
      from.push(u);
      to.push(visit(dep));
    }
  }
  const n = keys.length;
  return findCycles(keys, indexEdges(n, from, to), new Uint8Array(n));
}
