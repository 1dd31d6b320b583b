/**
 * Exercise 01 — diff calculation. Read README.md first; then make `npm run exercise -- 01` pass.
 *
 * This version works for the first test and gets the rest wrong. Each `TODO(you)` marks a gap.
 */

/** A flat spec: field name to value. */
export type Spec = Record<string, string | number | boolean | null>;

/** One field that differs: the observed value `from` must become the desired value `to`. */
export interface Change {
  readonly field: string;
  readonly from: Spec[string] | undefined;
  readonly to: Spec[string];
}

export type Action =
  | { readonly action: 'create'; readonly name: string; readonly spec: Spec }
  | { readonly action: 'update'; readonly name: string; readonly changes: readonly Change[] }
  | { readonly action: 'delete'; readonly name: string };

/** What it takes to turn `observed` into `desired`, both keyed by name. */
export function diffSpecs(
  desired: Readonly<Record<string, Spec>>,
  observed: Readonly<Record<string, Spec>>,
): Action[] {
  const actions: Action[] = [];
  for (const [name, spec] of Object.entries(desired)) {
    const current = observed[name];
    if (current === undefined) {
      actions.push({ action: 'create', name, spec });
      continue;
    }
    // TODO(you): this compares whole objects, so a field the server adds (an id, a timestamp)
    // makes every object look changed, forever. Compare only the fields `desired` declares,
    // and list each one that differs as { field, from, to }, in the order of desired's fields.
    if (JSON.stringify(spec) !== JSON.stringify(current)) {
      actions.push({ action: 'update', name, changes: [] });
    }
  }
  // TODO(you): what is observed but no longer desired must be deleted.
  // TODO(you): sort the actions by name, so the same input always gives the same plan.
  return actions;
}
