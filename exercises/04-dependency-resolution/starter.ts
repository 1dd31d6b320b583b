/**
 * Exercise 04 — dependency resolution. Read README.md first; then make
 * `npm run exercise -- 04` pass.
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
  // TODO(you): 1. Report every dependency on a key that is not declared (`missing`).
  // TODO(you): 2. Place each key in the earliest wave after all of its dependencies.
  // TODO(you): 3. Report the keys that can never be placed (`stuck`).
  throw new Error(`not implemented (${nodes.length} nodes)`);
}
