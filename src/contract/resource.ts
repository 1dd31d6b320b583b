/**
 * A resource: one thing in the world that setpoint keeps in its desired state.
 * Its key is `kind/name`; `kind` names the provider that manages it.
 */
export interface Resource<Spec extends object = Record<string, unknown>> {
  readonly kind: string;
  readonly name: string;
  /** The desired state. Compared field by field with what the provider observes. */
  readonly spec: Spec;
  /** Keys (`kind/name`) that must be Ready before this resource is created or updated. */
  readonly dependsOn?: readonly string[];
  /** Per-resource overrides of the runtime's defaults. */
  readonly policy?: ResourcePolicy;
}

export type DriftPolicy = 'enforce' | 'alert' | 'ignore';

export interface ResourcePolicy {
  readonly drift?: DriftPolicy;
  readonly intervalMs?: number;
  readonly maxRetries?: number;
  readonly rollback?: boolean;
  /** How long a change may stay progressing before it has failed (default: its kind's). */
  readonly progressDeadlineMs?: number;
}

/** `kind/name`. */
export type ResourceKey = string;

export function keyOf(resource: { readonly kind: string; readonly name: string }): ResourceKey {
  // `join` makes one flat string. A template literal of 13 or more characters makes a rope, which
  // becomes a rope wrapped around a flat copy once it is hashed: every key would be held twice.
  return [resource.kind, resource.name].join('/');
}

/** Split a key into kind and name (the name may itself contain `/`). */
export function parseKey(key: ResourceKey): { kind: string; name: string } {
  const slash = key.indexOf('/');
  if (slash <= 0) return { kind: key, name: '' };
  return { kind: key.slice(0, slash), name: key.slice(slash + 1) };
}
