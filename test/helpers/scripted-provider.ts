import { defineProvider, type Observed, type Provider } from '../../src/contract/provider.js';
import type { Clock } from '../../src/time/clock.js';

type Op = 'observe' | 'create' | 'update' | 'delete' | 'restart';

export interface Call {
  readonly op: Op;
  readonly name: string;
  readonly at: number;
}

/**
 * A small in-memory system with a script of failures, for scenario tests: every call is
 * recorded with its virtual time, and `failNext` makes the next calls of an operation throw.
 */
export function scriptedProvider(kind: string, clock: Clock, options: { latencyMs?: number } = {}) {
  const world = new Map<string, Record<string, unknown>>();
  const calls: Call[] = [];
  const failures: { op: Op | '*'; error: () => unknown; left: number }[] = [];
  const inFlight = new Set<string>();
  let maxInFlightPerKey = 0;
  const unhealthy = new Set<string>();

  const step = async (op: Op, name: string, signal: AbortSignal) => {
    calls.push({ op, name, at: clock.now() });
    if (inFlight.has(name)) maxInFlightPerKey = 2;
    inFlight.add(name);
    try {
      if (options.latencyMs) {
        await new Promise<void>((resolve, reject) => {
          const t = clock.setTimeout(resolve, options.latencyMs!);
          signal.addEventListener('abort', () => {
            clock.clearTimeout(t);
            reject(signal.reason);
          });
        });
      }
      const f = failures.find((x) => (x.op === op || x.op === '*') && x.left > 0);
      if (f) {
        f.left--;
        throw f.error();
      }
    } finally {
      inFlight.delete(name);
    }
  };

  const provider: Provider = defineProvider({
    kind,
    async observe(ref, ctx) {
      await step('observe', ref.name, ctx.signal);
      const found = world.get(ref.name);
      return found ? { ...found } : undefined;
    },
    async create(desired, ctx) {
      await step('create', desired.name, ctx.signal);
      if (world.has(desired.name)) throw new Error(`create of ${desired.name}, which exists`);
      world.set(desired.name, { ...desired.spec });
    },
    async update(desired, _current, _changes, ctx) {
      await step('update', desired.name, ctx.signal);
      world.set(desired.name, { ...world.get(desired.name), ...desired.spec });
    },
    async delete(_current, ref, ctx) {
      await step('delete', ref.name, ctx.signal);
      world.delete(ref.name);
    },
    health(_observed: Observed, desired) {
      return unhealthy.has(desired.name) ? 'unhealthy' : 'healthy';
    },
    async restart(_current, desired, ctx) {
      await step('restart', desired.name, ctx.signal);
      unhealthy.delete(desired.name);
    },
  });

  return {
    provider,
    world,
    calls,
    unhealthy,
    get overlapped() {
      return maxInFlightPerKey > 1;
    },
    callsOf: (op: Op, name?: string) =>
      calls.filter((c) => c.op === op && (name === undefined || c.name === name)),
    failNext(op: Op | '*', times: number, error: () => unknown = () => new Error(`${op} failed`)) {
      failures.push({ op, error, left: times });
    },
    clearFailures() {
      failures.length = 0;
    },
  };
}
