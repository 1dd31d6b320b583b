import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import type { Resource } from './resource.js';

/** What every provider operation receives. */
export interface ProviderContext {
  /** Aborted on the operation timeout or on shutdown. Pass it to fetch, fs, child processes. */
  readonly signal: AbortSignal;
  /** A child logger bound to the resource (kind, name, generation, attempt). */
  readonly log: Logger;
  readonly clock: Clock;
  /**
   * The provider's own id for this object, as `handleOf` gave it after an earlier create or pass
   * and the inventory recorded it; `undefined` when none is known (a first pass, an object made
   * by someone else, a recovery after a crash). A provider whose server assigns ids addresses the
   * object with it, and finds it by name when there is none.
   */
  readonly handle?: string;
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

/**
 * How a kind's desired spec is compared with what its provider observes. A provider sets
 * these once (`Provider.compare`); `diff` takes them per kind.
 *
 * ```ts
 * const compare: CompareOptions = {
 *   ignore: ['status', 'metadata.uid'],   // set by the server: never a difference
 *   replaceOn: ['path'],                  // cannot change in place: delete, then create
 * };
 * ```
 */
export interface CompareOptions {
  /**
   * Paths in the spec that never count as a difference (e.g. `status`, `metadata.uid`).
   * A path ignores everything inside it too: ignoring `a` ignores `a.b` and `a[0]`.
   */
  readonly ignore?: readonly string[];
  /** Paths whose change cannot be made in place: the plan is delete-then-create (`-/+`). */
  readonly replaceOn?: readonly string[];
  /**
   * Paths the object keeps as they are when the spec stops naming them: dropping one from the
   * spec stops managing it and is no change (a file keeps its mode). Other fields setpoint set
   * before and the spec dropped are removed (see `threeWayChanges`).
   */
  readonly keep?: readonly string[];
  /**
   * Custom equality; when given, it alone decides whether desired and observed are in sync.
   * When it says they are not, the changes are the field differences as usual, or, if there
   * are none, one change of the whole spec (path `''`).
   */
  readonly equals?: (desired: Record<string, unknown>, observed: Record<string, unknown>) => boolean;
}

/**
 * One field that differs: the observed value `old` must become the desired value `new`.
 * `path` is relative to the spec (`env.A`, `ports[0].port`, see `path.ts`); `old` is
 * `undefined` when the field is absent from what was observed. `new` is `undefined` when the
 * field is to be removed: setpoint set it before, and the desired spec no longer has it.
 */
export interface FieldChange {
  readonly path: string;
  readonly old: unknown;
  readonly new: unknown;
}

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
  /**
   * Everything that exists, keyed by name (or by `listKey`): many new resources' first passes
   * read one list instead of observing one by one.
   */
  list?(ctx: ProviderContext): Promise<Map<string, Observed>>;
  /**
   * The key `list` files this resource under, when it is not its name (a file provider lists
   * files by path); `undefined`: look the resource up with `observe` instead.
   */
  listKey?(ref: Resource<Spec>): string | undefined;
  /**
   * The provider's own id in an object it returned from `create`, `update` or `observe` (a
   * server-assigned id), for the inventory to remember and hand back as `ctx.handle`.
   */
  handleOf?(object: unknown): string | undefined;
  /** Health of an observed object. Absent: always healthy. */
  health?(observed: Observed, desired: Resource<Spec>): Health;
  /** The action for an unhealthy object. */
  restart?(current: Observed, desired: Resource<Spec>, ctx: ProviderContext): Promise<void>;
  /**
   * The provider's own check of a spec, before it joins the desired set: every problem, each
   * at its field. Pure and quick (it reads nothing). The desired-state API refuses a spec with
   * a problem (422); absent, any object is accepted.
   */
  checkSpec?(spec: Spec): readonly SpecProblem[];
  /**
   * Tell the runtime when objects may have changed outside its passes (a node that was
   * unreachable answers again, an agent restarted): the runtime starts a pass at once for each
   * name `wake` is given that it manages. Called once at start; the function it returns is
   * called at stop.
   */
  watch?(wake: (names: readonly string[]) => void): () => void;
  readonly compare?: CompareOptions;
}

/** One thing wrong with a spec: the field (`path`, `ports[0].port`; `` for the whole) and what. */
export interface SpecProblem {
  readonly path: string;
  readonly message: string;
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
