import {
  type Health,
  isAborted,
  type Observed,
  type Provider,
  type ProviderContext,
} from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { applyChanges } from '../diff/apply-changes.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { throwIfAborted } from './abortable.js';
import { frozenCopy } from './frozen.js';
import { MemoryCallGate, type MemoryCalls } from './memory-call-gate.js';
import { compileFaults, type Faults, INVALID_VALUE, type MemoryOperation } from './memory-faults.js';
import { MemoryFlap } from './memory-flap.js';
import { checkString, isRecord, optionError } from './options.js';

/**
 * An in-memory provider: a `Map` standing in for the real system, with faults you can dial in.
 * It is how setpoint tests itself and how you can test a runtime before writing a provider.
 *
 * ```ts
 * const users = memoryProvider({ kind: 'user', clock, random: seededRandom(1), faults: { failRate: 0.2 } });
 * const rt = createRuntime({ providers: [users], clock });
 * users.mutate('alice', (spec) => ({ ...spec, role: 'guest' })); // drift, from outside
 * users.put('bob', { role: 'admin', healthy: false });          // unhealthy: the runtime restarts it
 * ```
 *
 * Behaviour worth knowing:
 * - `create` of a name that already exists throws a plain `Error` ("create of an existing key"),
 *   so a test can catch a reconciler that creates without observing first. `update` and
 *   `restart` of a missing name throw too; `delete` of a missing name succeeds (idempotent).
 * - Stored specs are deeply frozen copies. `observe` returns the stored object itself: never
 *   mutate it; use `put`, `mutate` and `remove`, which also skip faults and counters.
 * - `healthy: false` in a stored spec makes `health` say `unhealthy` (`'progressing'`:
 *   `progressing`); `restart` removes the field and counts a restart. `update` keeps the field:
 *   changing a spec does not cure a sick object. `compare` ignores `healthy`.
 * - `update` applies the changes it is given to the stored object (`applyChanges`): a field
 *   removed (`new: undefined`) goes, a field the spec never named stays. Called with no
 *   changes, it stores the desired spec.
 * - Faults (see {@link Faults}) are decided per call, in this order: outage window (at the
 *   start of the call), latency (one draw of `random` when it is a range), then one draw of
 *   `random` that picks fail, hang, retryAfter, permanent, crash, zombie or ok (and a zombie's
 *   time, one more draw when it is a range). A faulted call changes nothing in the store, but
 *   a zombie: deaf to its signal, it does its work late, `zombieMs` after the signal aborted.
 *   A create or update that did its work then makes, with `flapRate` set, one more draw (two
 *   when `flapMs` is a range): whether another writer undoes it `flapMs` later, and when (see
 *   `MemoryFlap`). No draw is made when no fault is configured.
 * - `calls` counts every call that reached an operation, faulted or not. `inFlight(name)` and
 *   `overlaps` (a call started while another one for the same name was running) track the
 *   per-key operations (all but `list`).
 */
export interface MemoryProviderOptions {
  readonly kind: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly faults?: Faults;
  /** The objects that exist at the start: a `Map`, entries, or a record keyed by name. */
  readonly initial?:
    | ReadonlyMap<string, Record<string, unknown>>
    | Iterable<readonly [string, Record<string, unknown>]>
    | Record<string, Record<string, unknown>>;
}

export type { MemoryCalls } from './memory-call-gate.js';

export interface MemoryProvider extends Provider {
  /** The backing store: name → deeply frozen spec. Prefer `put` / `mutate` / `remove` to editing it. */
  readonly store: Map<string, Observed>;
  readonly calls: MemoryCalls;
  /** Successful restarts. */
  readonly restarts: number;
  /** Calls that started while another call for the same name was still running. */
  readonly overlaps: number;
  /** Calls that drew the zombie fault (they run on past their abort, then do their work). */
  readonly zombies: number;
  /** Writes another writer undid (`flapRate`): not calls, and counted nowhere else. */
  readonly reverts: number;
  /** Calls running now for `name`, or for every name when `name` is omitted. */
  inFlight(name?: string): number;
  /** Replace the fault settings; calls already running keep what they drew. */
  setFaults(faults: Faults | undefined): void;
  /** Set an object from outside (drift, or an object nobody manages). */
  put(name: string, spec: Record<string, unknown>): void;
  /** Change an existing object from outside; returns the new stored object. */
  mutate(name: string, fn: (spec: Observed) => Record<string, unknown>): Observed;
  /** Remove an object from outside; true when it existed. */
  remove(name: string): boolean;
  list(ctx: ProviderContext): Promise<Map<string, Observed>>;
  health(observed: Observed): Health;
  restart(current: Observed, desired: Resource, ctx: ProviderContext): Promise<void>;
}

export function memoryProvider(options: MemoryProviderOptions): MemoryProvider {
  if (!isRecord(options)) throw optionError('options', options, 'an object like { kind, clock, random }');
  const kind = checkString(options.kind, 'options.kind', "'user'");
  const { clock, random } = options;
  if (!isRecord(clock) || typeof clock.now !== 'function' || typeof clock.setTimeout !== 'function') {
    throw optionError('options.clock', clock, 'a Clock such as systemClock or new TestClock()');
  }
  if (typeof random !== 'function') {
    throw optionError('options.random', random, 'a Random such as seededRandom(1) or systemRandom');
  }
  const store = new Map<string, Observed>();
  for (const [name, spec] of entriesOf(options.initial)) {
    if (!isRecord(spec)) throw optionError(`options.initial[${JSON.stringify(name)}]`, spec, 'a spec object');
    store.set(name, frozenCopy(spec));
  }
  const gate = new MemoryCallGate(kind, clock, random, compileFaults(options.faults, 'options.faults'));
  const calls = gate.calls;
  const flap = new MemoryFlap(clock, random, store);
  let restarts = 0;

  function existing(op: MemoryOperation, name: string): Observed {
    const spec = store.get(name);
    if (spec === undefined) throw new Error(`${gate.where(op, name)}: no such object`);
    return spec;
  }

  const provider: MemoryProvider = {
    kind,
    store,
    calls,
    compare: { ignore: ['healthy'] },
    get restarts() {
      return restarts;
    },
    get overlaps() {
      return gate.overlaps;
    },
    get zombies() {
      return gate.zombies;
    },
    get reverts() {
      return flap.reverts;
    },
    inFlight: (name) => gate.inFlight(name),
    setFaults(next) {
      gate.setFaults(compileFaults(next, 'faults'));
    },
    put(name, spec) {
      store.set(name, frozenCopy(spec));
    },
    mutate(name, fn) {
      const before = store.get(name);
      if (before === undefined)
        throw new Error(`memory provider \`${kind}\`: mutate of \`${name}\`: no such object`);
      const next = frozenCopy(fn(before));
      store.set(name, next);
      return next;
    },
    remove: (name) => store.delete(name),

    async observe(ref, ctx) {
      // The hot path: no faults configured means no promise chain beyond this function's own.
      if (!gate.affected('observe') && !isAborted(ctx) && gate.inFlight(ref.name) === 0) {
        calls.observe++;
        return store.get(ref.name);
      }
      return gate.run('observe', ref.name, ctx, () => store.get(ref.name));
    },
    create(desired, ctx) {
      return gate.run('create', desired.name, ctx, () => {
        if (store.has(desired.name)) {
          throw new Error(`${gate.where('create', desired.name)}: create of an existing key`);
        }
        const spec = frozenCopy(desired.spec) as Observed;
        store.set(desired.name, spec);
        flap.wrote(gate.faults, 'create', desired.name, undefined, spec);
        return spec;
      });
    },
    update(desired, _current, changes, ctx) {
      return gate.run('update', desired.name, ctx, () => {
        const before = existing('update', desired.name);
        // The changes, applied to what is stored: a field removed goes, a field nobody
        // declared stays. Without changes, the desired spec replaces the object.
        let spec: Observed;
        if (changes.length > 0) {
          spec = frozenCopy(applyChanges(before, changes)) as Observed;
        } else {
          spec = frozenCopy(desired.spec) as Observed;
          if (before.healthy !== undefined && !('healthy' in spec)) {
            spec = frozenCopy({ ...spec, healthy: before.healthy });
          }
        }
        store.set(desired.name, spec);
        flap.wrote(gate.faults, 'update', desired.name, before, spec);
        return spec;
      });
    },
    delete(_current, ref, ctx) {
      return gate.run('delete', ref.name, ctx, () => {
        store.delete(ref.name);
      });
    },
    async list(ctx) {
      calls.list++;
      throwIfAborted(ctx.signal);
      if (gate.affected('list') && (await gate.inject('list', '*', ctx))) {
        return INVALID_VALUE as unknown as Map<string, Observed>;
      }
      return new Map(store);
    },
    health(observed) {
      if (observed.healthy === false) return 'unhealthy';
      if (observed.healthy === 'progressing') return 'progressing';
      return 'healthy';
    },
    restart(_current, desired, ctx) {
      return gate.run('restart', desired.name, ctx, () => {
        const { healthy: _, ...rest } = existing('restart', desired.name);
        store.set(desired.name, frozenCopy(rest));
        restarts++;
      });
    },
  };
  return provider;
}

function entriesOf(
  initial: MemoryProviderOptions['initial'],
): Iterable<readonly [string, Record<string, unknown>]> {
  if (initial === undefined) return [];
  if (initial instanceof Map || (typeof initial === 'object' && Symbol.iterator in initial)) {
    return initial as Iterable<readonly [string, Record<string, unknown>]>;
  }
  if (!isRecord(initial)) {
    throw optionError(
      'options.initial',
      initial,
      'a Map, entries or a record of name → spec, like { a: { size: 1 } }',
    );
  }
  return Object.entries(initial) as [string, Record<string, unknown>][];
}
