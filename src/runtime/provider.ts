import type { Logger } from 'pino';
import type { CompareOptions } from '../diff/compare.js';
import type { FieldChange } from '../diff/diff.js';
import type { Resource } from '../diff/resource.js';
import type { Clock } from './clock.js';

/** What every provider operation receives. */
export interface ProviderContext {
  /** Aborted on the operation timeout or on shutdown. Pass it to fetch, fs, child processes. */
  readonly signal: AbortSignal;
  /** A child logger bound to the resource (kind, name, generation, attempt). */
  readonly log: Logger;
  readonly clock: Clock;
}

/**
 * A context that can say whether its signal has aborted without creating it answers to this
 * key (the runtime's operations do: their `AbortController` is made only when `signal` is read).
 */
export const ABORTED: unique symbol = Symbol('setpoint.aborted');

/** Has this operation's signal aborted? Cheap: does not create a lazy signal. */
export function isAborted(ctx: ProviderContext): boolean {
  const fast = (ctx as { [ABORTED]?: boolean })[ABORTED];
  return fast ?? ctx.signal.aborted;
}

/** The provider's view of one existing object: its observed spec (server-set fields welcome). */
export type Observed = Record<string, unknown>;

export type Health = 'healthy' | 'progressing' | 'unhealthy';

export type { CompareOptions };

/**
 * The plug-in for one kind: it talks to the real system. Every operation must be idempotent.
 */
export interface Provider<Spec extends object = Record<string, unknown>> {
  /** The kind this provider manages (the `kind` of its resources). */
  readonly kind: string;
  /** The current object, or `undefined` if absent. Must not change anything. */
  observe(ref: Resource<Spec>, ctx: ProviderContext): Promise<Observed | undefined>;
  create(desired: Resource<Spec>, ctx: ProviderContext): Promise<unknown>;
  update(
    desired: Resource<Spec>,
    current: Observed,
    changes: readonly FieldChange[],
    ctx: ProviderContext,
  ): Promise<unknown>;
  delete(current: Observed, ref: Resource<Spec>, ctx: ProviderContext): Promise<void>;
  /** Everything that exists, keyed by name: for prune and adoption. */
  list?(ctx: ProviderContext): Promise<Map<string, Observed>>;
  /** Health of an observed object. Absent: always healthy. */
  health?(observed: Observed, desired: Resource<Spec>): Health;
  /** The action for an unhealthy object. */
  restart?(current: Observed, desired: Resource<Spec>, ctx: ProviderContext): Promise<void>;
  readonly compare?: CompareOptions;
}

/** Identity with types: `defineProvider({ kind: 'user', observe, create, update, delete })`. */
export function defineProvider<Spec extends object = Record<string, unknown>>(
  provider: Provider<Spec>,
): Provider<Spec> {
  const missing = (['observe', 'create', 'update', 'delete'] as const).filter(
    (op) => typeof provider[op] !== 'function',
  );
  if (typeof provider.kind !== 'string' || provider.kind.length === 0) {
    throw new TypeError(
      'Expected `kind` to be a non-empty string naming the resources this provider manages',
    );
  }
  if (missing.length > 0) {
    throw new TypeError(
      `Provider \`${provider.kind}\` is missing ${missing.map((m) => `\`${m}\``).join(', ')}: every provider implements observe, create, update and delete`,
    );
  }
  return provider;
}
