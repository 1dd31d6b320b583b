import type { FieldChange } from '../contract/provider.js';
import { REDACTED } from '../contract/redact.js';
import type { Resource } from '../contract/resource.js';
import { isPrefixOf, type PathSegment, parsePath, replaceAt } from '../diff/path.js';
import type { Plan, PlannedAction } from '../diff/plan.js';

/**
 * Secrets by field, not only by value. Redacting the values of `${env:…}` catches a secret
 * wherever it is printed, but not the secret it replaced: after a rotation, the old value still
 * sits in the world and in the state, and a plan would print it next to `[redacted]`. So a field
 * whose desired value holds a secret is a secret field, and whatever it held before is hidden
 * too: the old side of a plan's change, the last-applied and last-good specs of a status.
 */

type Spec = Record<string, unknown>;

/** Each resource's secret fields, by key: the paths whose desired value contains a secret. */
export function secretFields(
  resources: readonly Resource[],
  secrets: readonly string[],
): Map<string, PathSegment[][]> {
  const out = new Map<string, PathSegment[][]>();
  if (secrets.length === 0) return out;
  for (const r of resources) {
    const paths: PathSegment[][] = [];
    walk(r.spec as Spec, [], secrets, paths);
    if (paths.length > 0) out.set(`${r.kind}/${r.name}`, paths);
  }
  return out;
}

/** `plan` with the secret fields of each change hidden, old and new. */
export function maskPlan(plan: Plan, fields: ReadonlyMap<string, PathSegment[][]>): Plan {
  if (fields.size === 0) return plan;
  const actions = plan.actions.map((a) => maskAction(a, fields.get(a.key)));
  return { ...plan, actions };
}

/** `spec` (a last-applied or last-good spec of `key`) with its secret fields hidden. */
export function maskSpec(
  spec: Spec | undefined,
  paths: readonly PathSegment[][] | undefined,
): Spec | undefined {
  if (spec === undefined || paths === undefined) return spec;
  let out: unknown = spec;
  for (const path of paths) out = maskAt(out, path, 0);
  return out as Spec;
}

function maskAction(action: PlannedAction, paths: PathSegment[][] | undefined): PlannedAction {
  if (paths === undefined) return action;
  if (action.action === 'create') return { ...action, desired: maskSpec(action.desired as Spec, paths)! };
  if (action.action === 'delete') return { ...action, current: maskSpec(action.current as Spec, paths)! };
  return { ...action, changes: action.changes.map((c) => maskChange(c, paths)) };
}

function maskChange(change: FieldChange, paths: readonly PathSegment[][]): FieldChange {
  const at = parsePath(change.path) ?? [];
  let { old, new: next } = change;
  for (const path of paths) {
    if (isPrefixOf(path, at)) return { path: change.path, old: REDACTED, new: REDACTED };
    if (isPrefixOf(at, path)) {
      old = maskAt(old, path, at.length);
      next = maskAt(next, path, at.length);
    }
  }
  return old === change.old && next === change.new ? change : { path: change.path, old, new: next };
}

/** `value` with what lies at `path[from..]` replaced by `[redacted]` (copies on the way). */
function maskAt(value: unknown, path: readonly PathSegment[], from: number): unknown {
  return replaceAt(value, path, (here) => (here === undefined ? here : REDACTED), from);
}

function walk(value: unknown, at: PathSegment[], secrets: readonly string[], out: PathSegment[][]): void {
  if (typeof value === 'string') {
    if (secrets.some((s) => s.length > 0 && value.includes(s))) out.push([...at]);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const entries: [PathSegment, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value as Spec);
  for (const [segment, v] of entries) walk(v, [...at, segment], secrets, out);
}
