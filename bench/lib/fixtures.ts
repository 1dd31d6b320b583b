/**
 * What the benches reconcile: a population of resources of one kind, and a small provider
 * whose cost is only what a bench asks of it (optional real latency per call), which counts
 * its calls, tells when an apply starts, and can hand one actor a value that crashes it.
 */
import pino, { type Logger } from 'pino';
import { defineProvider, type Observed, type Provider } from '../../src/contract/provider.js';
import type { Resource } from '../../src/contract/resource.js';

export const KIND = 'app';

/** `count` resources `app/app-<i>` with a small nested spec, the shape every bench uses. */
export function makeResources(count: number): Resource[] {
  const out = new Array<Resource>(count);
  for (let i = 0; i < count; i++) out[i] = resourceAt(i);
  return out;
}

export function resourceAt(i: number, generation = 0): Resource {
  return {
    kind: KIND,
    name: `app-${i}`,
    spec: {
      replicas: ((i + generation) % 5) + 1,
      image: `registry/app:${i % 17}`,
      env: { A: 'a', B: String(i) },
    },
  };
}

export const silentLogger = (): Logger => pino({ level: 'silent' });

export type BenchOperation = 'observe' | 'create' | 'update' | 'delete' | 'list';

export interface BenchProvider extends Provider {
  /** name → current object. */
  readonly store: Map<string, Observed>;
  readonly calls: Record<BenchOperation, number>;
  /** Called synchronously when a create or update starts, before its latency. */
  onApply: ((name: string) => void) | undefined;
  /** Called synchronously when an observe starts. */
  onObserve: ((name: string) => void) | undefined;
  /** Names whose next observe returns a number: a broken provider value that crashes the actor. */
  readonly poison: Set<string>;
}

export interface BenchProviderOptions {
  /** Real latency of every call in ms (a `setTimeout`); 0 answers at once. */
  readonly latencyMs?: number;
  /** Objects that exist at the start: the resources, as they are desired (in sync). */
  readonly initial?: readonly Resource[];
  /** Offer `list` (one call for the whole kind). Default false. */
  readonly list?: boolean;
}

/** A provider over a `Map`, with optional real latency. */
export function benchProvider(options: BenchProviderOptions = {}): BenchProvider {
  const latency = options.latencyMs ?? 0;
  const store = new Map<string, Observed>();
  for (const r of options.initial ?? []) store.set(r.name, r.spec as Observed);
  const calls: Record<BenchOperation, number> = { observe: 0, create: 0, update: 0, delete: 0, list: 0 };
  const poison = new Set<string>();
  const after = <T>(value: () => T): Promise<T> =>
    latency > 0
      ? new Promise((resolve) => setTimeout(() => resolve(value()), latency))
      : Promise.resolve(value());

  const self: BenchProvider = {
    ...defineProvider({
      kind: KIND,
      observe(ref) {
        calls.observe++;
        self.onObserve?.(ref.name);
        if (poison.delete(ref.name)) return Promise.resolve(42 as unknown as Observed);
        return after(() => store.get(ref.name));
      },
      create(desired) {
        calls.create++;
        self.onApply?.(desired.name);
        return after(() => store.set(desired.name, desired.spec as Observed));
      },
      update(desired) {
        calls.update++;
        self.onApply?.(desired.name);
        return after(() => store.set(desired.name, desired.spec as Observed));
      },
      delete(_current, ref) {
        calls.delete++;
        return after(() => {
          store.delete(ref.name);
        });
      },
    }),
    store,
    calls,
    poison,
    onApply: undefined,
    onObserve: undefined,
  };
  if (options.list) {
    return Object.assign(self, {
      list() {
        calls.list++;
        return after(() => new Map(store));
      },
    });
  }
  return self;
}
