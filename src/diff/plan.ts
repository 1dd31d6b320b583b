import { describe } from '../contract/describe.js';
import type { CompareOptions, FieldChange } from '../contract/provider.js';
import { parseKey, type ResourceKey } from '../contract/resource.js';
import { isSpec, NO_CHANGES, needsReplace } from './compare.js';
import { type CompiledCompare, compileCompare } from './compare-options.js';
import { changesWithRemovals } from './three-way.js';

type Spec = Record<string, unknown>;

interface ActionBase {
  /** `kind/name`. */
  readonly key: ResourceKey;
  readonly kind: string;
  readonly name: string;
}

/**
 * One thing the plan will do to one resource. Plain data, safe to `JSON.stringify`:
 *
 * | action    | when                                                  | carries                |
 * |-----------|-------------------------------------------------------|------------------------|
 * | `create`  | desired, not observed                                 | `desired` spec         |
 * | `update`  | both, fields differ, none under `replaceOn`           | `changes`              |
 * | `replace` | both, a field under `replaceOn` differs (`-/+`)       | `changes`              |
 * | `delete`  | observed, no longer desired                           | `current` spec         |
 * | `adopt`   | desired, observed, not yet this runtime's: take it over | `changes` (may be none) |
 *
 * A change whose `new` is `undefined` removes the field: setpoint set it before (it is in the
 * last-applied spec) and the desired spec dropped it (see `threeWayChanges`).
 */
export type PlannedAction =
  | (ActionBase & { readonly action: 'create'; readonly desired: Spec })
  | (ActionBase & { readonly action: 'update'; readonly changes: readonly FieldChange[] })
  | (ActionBase & { readonly action: 'replace'; readonly changes: readonly FieldChange[] })
  | (ActionBase & { readonly action: 'delete'; readonly current: Spec })
  | (ActionBase & { readonly action: 'adopt'; readonly changes: readonly FieldChange[] });

export type ActionType = PlannedAction['action'];

/**
 * Counted as Terraform counts: a replace is one to add and one to destroy. An adoption is
 * counted on its own, whether or not it changes fields.
 */
export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly adopt: number;
}

/** What it takes to bring the observed state to the desired one: actions sorted by key. */
export interface Plan {
  readonly actions: readonly PlannedAction[];
  readonly summary: PlanSummary;
  /** Kinds whose deletes exceed their deletion budget: how many an apply would hold. */
  readonly held?: readonly HeldDeletes[];
}

/** Of a kind's planned deletes, how many go ahead now and how many a deletion budget holds. */
export interface HeldDeletes {
  readonly kind: string;
  readonly deletes: number;
  /** Deletes that go ahead without approval. */
  readonly through: number;
  /** The budget: deletes per window. */
  readonly limit: number;
  readonly windowMs: number;
}

/** The plan of a world already in its desired state. */
export const emptyPlan: Plan = Object.freeze({
  actions: Object.freeze([]),
  summary: Object.freeze({ add: 0, change: 0, destroy: 0, adopt: 0 }),
});

export function summarize(actions: readonly PlannedAction[]): PlanSummary {
  let add = 0;
  let change = 0;
  let destroy = 0;
  let adopt = 0;
  for (const { action } of actions) {
    if (action === 'create') add += 1;
    else if (action === 'update') change += 1;
    else if (action === 'delete') destroy += 1;
    else if (action === 'adopt') adopt += 1;
    else {
      add += 1;
      destroy += 1;
    }
  }
  return { add, change, destroy, adopt };
}

/**
 * A plan of `actions` (from any source, e.g. one `planFor` per resource), sorted by key so
 * the same actions always give the same plan. Does not change `actions`.
 */
export function planOf(actions: readonly PlannedAction[]): Plan {
  if (actions.length === 0) return emptyPlan;
  const sorted = [...actions].sort(byKey);
  return { actions: sorted, summary: summarize(sorted) };
}

export function byKey(a: { readonly key: string }, b: { readonly key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * The action for one resource, or `undefined` when it is in sync. `desired` is its desired
 * spec (`undefined`: no longer desired), `observed` what its provider observed (`undefined`:
 * absent), `options` its kind's compare options. The resource actor calls this each pass.
 *
 * ```ts
 * planFor('user/alice', { role: 'admin' }, { role: 'guest', id: 7 });
 * // { action: 'update', key: 'user/alice', kind: 'user', name: 'alice',
 * //   changes: [{ path: 'role', old: 'guest', new: 'admin' }] }
 * planFor('user/alice', { role: 'admin' }, { role: 'admin', id: 7 }); // undefined
 * ```
 */
export function planFor(
  key: ResourceKey,
  desired: Spec | undefined,
  observed: Spec | undefined,
  options?: CompareOptions,
): PlannedAction | undefined {
  const slash = typeof key === 'string' ? key.indexOf('/') : -1;
  if (slash <= 0 || slash === (key as string).length - 1) {
    throw new TypeError(`Expected \`key\` to be \`kind/name\`, like \`user/alice\`, got ${describe(key)}`);
  }
  checkSpec(desired, 'desired');
  checkSpec(observed, 'observed');
  const compiled = compileCompare(options);
  if (desired === undefined && observed === undefined) return undefined;
  const probe = actionFor('', '', '', desired, observed, compiled);
  if (probe === undefined) return undefined;
  const { kind, name } = parseKey(key);
  return { ...probe, key, kind, name };
}

/**
 * `planFor` with the key already split and everything checked: what `diff` calls. With
 * `lastApplied` (the spec this runtime applied last), a field it set that desired dropped
 * and observed still holds is removed (`threeWayChanges`).
 */
export function actionFor(
  key: ResourceKey,
  kind: string,
  name: string,
  desired: Spec | undefined,
  observed: Spec | undefined,
  compiled: CompiledCompare,
  lastApplied?: Spec,
): PlannedAction | undefined {
  if (desired === undefined) {
    return observed === undefined ? undefined : { action: 'delete', key, kind, name, current: observed };
  }
  if (observed === undefined) return { action: 'create', key, kind, name, desired };
  const changes = changesWithRemovals(lastApplied, desired, observed, compiled);
  if (changes.length === 0) return undefined;
  const action = needsReplace(changes, compiled) ? 'replace' : 'update';
  return { action, key, kind, name, changes };
}

/**
 * The action for a resource this runtime does not manage yet (not in its inventory), which
 * exists: an `adopt`, carrying the changes of the update it needs (none when it is in sync).
 * A create (it does not exist), a replace (it is destroyed and made anew) and a delete stay
 * what they are.
 */
export function asAdoption(
  action: PlannedAction | undefined,
  key: ResourceKey,
  kind: string,
  name: string,
  observed: Spec | undefined,
): PlannedAction | undefined {
  if (action === undefined) {
    return observed === undefined ? undefined : { action: 'adopt', key, kind, name, changes: NO_CHANGES };
  }
  return action.action === 'update' ? { ...action, action: 'adopt' } : action;
}

function checkSpec(spec: unknown, name: string): void {
  if (spec !== undefined && !isSpec(spec)) {
    throw new TypeError(
      `Expected \`${name}\` to be a spec object (or undefined when absent), got ${describe(spec)}`,
    );
  }
}
