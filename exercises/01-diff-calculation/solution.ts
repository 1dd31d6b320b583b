/**
 * Exercise 01 — diff calculation: a solution.
 *
 * One pass over desired (create or update), one over observed (delete), then a sort.
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
    const current = Object.hasOwn(observed, name) ? observed[name] : undefined;
    if (current === undefined) {
      actions.push({ action: 'create', name, spec });
      continue;
    }
    const changes: Change[] = [];
    for (const [field, to] of Object.entries(spec)) {
      const from = Object.hasOwn(current, field) ? current[field] : undefined;
      if (from !== to) changes.push({ field, from, to });
    }
    if (changes.length > 0) actions.push({ action: 'update', name, changes });
  }
  for (const name of Object.keys(observed)) {
    if (!Object.hasOwn(desired, name)) actions.push({ action: 'delete', name });
  }
  return actions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
