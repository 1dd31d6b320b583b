import type { Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import type { CallOperation } from './call.js';

/** Told about every per-key call of a wrapped provider, as it starts and as it settles. */
export interface CallObserver {
  /** A call starts; returns the id that {@link CallObserver.finish} will be given. */
  begin(op: CallOperation, key: string, spec: Record<string, unknown> | undefined): number;
  /** The call settled: `error` is what it threw (undefined on success), `result` what it returned. */
  finish(id: number, op: CallOperation, key: string, error: unknown, result: unknown): void;
}

/**
 * A provider that wraps another and reports every call to an observer — the simulation's
 * vantage point on the runtime, from the outside. It changes nothing: arguments, results,
 * errors and timing (in virtual time) pass through untouched, so the runtime under test is
 * the runtime as shipped.
 *
 * ```ts
 * const checked = checkingProvider(memoryProvider({ kind: 'app', clock, random }), observer);
 * createRuntime({ providers: [checked], clock });
 * ```
 *
 * A call "settles" when the wrapped provider's promise does — not when the runtime's timeout
 * gave up on it — which is exactly what "one operation in flight per key" is about.
 */
export function checkingProvider(inner: Provider, observer: CallObserver): Provider {
  const kind = inner.kind;
  async function track<T>(
    op: CallOperation,
    name: string,
    spec: Record<string, unknown> | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    const key = `${kind}/${name}`;
    const id = observer.begin(op, key, spec);
    let result: T;
    try {
      result = await run();
    } catch (error) {
      observer.finish(id, op, key, error ?? new Error('rejected without a reason'), undefined);
      throw error;
    }
    observer.finish(id, op, key, undefined, result);
    return result;
  }

  const wrapped: Provider = {
    kind,
    observe: (ref: Resource, ctx: ProviderContext) =>
      track('observe', ref.name, undefined, () => inner.observe(ref, ctx)),
    create: (desired: Resource, ctx: ProviderContext) =>
      track('create', desired.name, desired.spec, () => inner.create(desired, ctx)),
    update: (desired, current, changes, ctx) =>
      track('update', desired.name, desired.spec, () => inner.update(desired, current, changes, ctx)),
    delete: (current: Observed, ref: Resource, ctx: ProviderContext) =>
      track('delete', ref.name, undefined, () => inner.delete(current, ref, ctx)),
  };
  const restart = inner.restart;
  if (restart) {
    wrapped.restart = (current, desired, ctx) =>
      track('restart', desired.name, undefined, () => restart.call(inner, current, desired, ctx));
  }
  if (inner.list) wrapped.list = inner.list.bind(inner);
  if (inner.health) wrapped.health = inner.health.bind(inner);
  return inner.compare === undefined ? wrapped : { ...wrapped, compare: inner.compare };
}
