/**
 * Exercise 04 — dependency resolution: a solution (Kahn's algorithm, one wave at a time).
 */

/** A resource as far as ordering is concerned: its key, and the keys it needs first. */
export interface Node {
  readonly key: string;
  readonly dependsOn?: readonly string[];
}

/** A dependency on a key that is not declared. */
export interface Missing {
  readonly key: string;
  readonly dependsOn: string;
}

export type Ordering =
  | { readonly ok: true; readonly waves: string[][] }
  | { readonly ok: false; readonly missing: Missing[]; readonly stuck: string[] };

/** Order `nodes` in waves: each wave after every wave it depends on. See README.md. */
export function orderInWaves(nodes: readonly Node[]): Ordering {
  const declared = new Set(nodes.map((node) => node.key));
  // Each key's dependencies, a dependency listed twice counted once.
  const needs = new Map(nodes.map((node) => [node.key, [...new Set(node.dependsOn ?? [])]]));

  // 1. Dependencies on keys nobody declared: all of them, before anything else.
  const missing: Missing[] = [];
  for (const [key, deps] of needs) {
    for (const dep of deps) if (!declared.has(dep)) missing.push({ key, dependsOn: dep });
  }
  if (missing.length > 0) {
    missing.sort((a, b) => compare(a.key, b.key) || compare(a.dependsOn, b.dependsOn));
    return { ok: false, missing, stuck: [] };
  }

  // 2. Kahn's algorithm: how many dependencies each key still waits for, and who waits for it.
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [key, deps] of needs) {
    waiting.set(key, deps.length);
    for (const dep of deps) {
      const list = dependents.get(dep);
      if (list) list.push(key);
      else dependents.set(dep, [key]);
    }
  }
  const waves: string[][] = [];
  let wave = [...needs.keys()].filter((key) => waiting.get(key) === 0);
  let placed = 0;
  while (wave.length > 0) {
    waves.push(wave.sort());
    placed += wave.length;
    const next: string[] = [];
    for (const key of wave) {
      for (const dependent of dependents.get(key) ?? []) {
        const left = waiting.get(dependent)! - 1;
        waiting.set(dependent, left);
        if (left === 0) next.push(dependent);
      }
    }
    wave = next;
  }

  // 3. Whatever still waits can never be placed: a cycle, or behind one.
  if (placed < needs.size) {
    const stuck = [...waiting].filter(([, left]) => left > 0).map(([key]) => key);
    return { ok: false, missing: [], stuck: stuck.sort() };
  }
  return { ok: true, waves };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
