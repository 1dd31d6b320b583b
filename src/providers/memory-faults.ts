import { checkNumber, isRecord, optionError, rejectUnknownKeys } from './options.js';

/**
 * Fault injection for the memory provider, as data: what can go wrong, how often, and the pure
 * decision of which fault one call gets. Every choice is driven by the injected `Random`, and
 * every window by the injected `Clock`, so the same seed gives the same failures.
 *
 * ```ts
 * const faults: Faults = { failRate: 0.1, latencyMs: [5, 50], outage: [{ from: 60_000, until: 90_000 }] };
 * ```
 */

/** The operations a memory provider counts and can fail. */
export const MEMORY_OPERATIONS = ['observe', 'create', 'update', 'delete', 'list', 'restart'] as const;
export type MemoryOperation = (typeof MEMORY_OPERATIONS)[number];

/** A window of virtual time, `from` inclusive, `until` exclusive, in which every call fails. */
export interface Outage {
  readonly from: number;
  readonly until: number;
}

/**
 * How often calls go wrong, and how: each rate is the share of calls (0..1) that get that
 * fault, and together they add up to at most 1, since a call gets at most one. The memory
 * provider takes them in {@link Faults}; a simulation in its `faults` option.
 */
export interface FaultRates {
  /** Share of calls that throw a plain `Error`: an ordinary, retried failure. */
  readonly failRate?: number;
  /** Share of calls that never resolve; they reject with `ctx.signal.reason` once it aborts (a timeout). */
  readonly hangRate?: number;
  /** Delay before every affected call, on the clock: a fixed number, or `[min, max]` drawn uniformly. */
  readonly latencyMs?: number | readonly [number, number];
  /** Share of calls that throw `RetryableError` carrying `retryAfterMs` (as HTTP 429 with `Retry-After`). */
  readonly retryAfterRate?: number;
  /** The `retryAfterMs` those errors carry. Default 1000 in a memory provider, 5000 in a simulation. */
  readonly retryAfterMs?: number;
  /** Share of calls that throw `PermanentError`: the resource goes Degraded and waits for a new spec. */
  readonly permanentRate?: number;
  /**
   * Share of calls that resolve with {@link INVALID_VALUE} instead of a proper result: a bug to
   * crash on (on observe, the actor crashes and is restarted).
   */
  readonly crashRate?: number;
  /**
   * Share of calls that turn into zombies: deaf to `ctx.signal`, such a call waits until the
   * signal aborts (a timeout, a shutdown), then keeps running for `zombieMs` more of clock
   * time, and then does its real work after all (a late write) and resolves. A signal that
   * never aborts leaves it waiting, like a hung call.
   */
  readonly zombieRate?: number;
  /**
   * How long a zombie runs on past its abort, in ms: a fixed number, or `[min, max]` drawn
   * uniformly. Default 5000.
   */
  readonly zombieMs?: number | readonly [number, number];
  /**
   * Share of successful `create` and `update` calls that another writer undoes: `flapMs` later
   * it puts the object back as it was before the write (or removes the object a create made),
   * unless something wrote the object since. The undo is no call: it is neither counted nor
   * tracked. Drawn apart from the rates above (after a call's work succeeds), so it does not
   * count toward their sum. Default 0.
   */
  readonly flapRate?: number;
  /** How long after the write the other writer undoes it, in ms: a number or `[min, max]`. Default 1000. */
  readonly flapMs?: number | readonly [number, number];
}

/** The memory provider's faults: the rates, and when and where they apply. */
export interface Faults extends FaultRates {
  /**
   * Windows of clock time in which every affected call throws: a list of them, or one window
   * (`outage: { from: 0, until: 45_000 }` is `outage: [{ from: 0, until: 45_000 }]`).
   */
  readonly outage?: Outage | readonly Outage[];
  /** The operations the faults apply to. Default: all of them. */
  readonly operations?: readonly MemoryOperation[];
}

/** What one call gets. `ok` means: do the real work. */
export type FaultOutcome = 'ok' | 'fail' | 'hang' | 'retryAfter' | 'permanent' | 'crash' | 'zombie';

/**
 * What a call hit by `crashRate` resolves with, whatever the operation: this string. It is not
 * an object (what observe, create and update promise), not a `Map` (what list promises) and not
 * `undefined` (what delete and restart promise), so a caller that checks results finds a bug.
 * The call changes nothing in the store.
 */
export const INVALID_VALUE = 'memory-provider: invalid value (injected crash)';

export interface CompiledFaults {
  /** Cumulative thresholds in draw order: fail, hang, retryAfter, permanent, crash, zombie. */
  readonly thresholds: readonly [number, number, number, number, number, number];
  readonly latency: readonly [number, number] | undefined;
  /** How long a zombie runs on past its abort: `[min, max]` ms. */
  readonly zombie: readonly [number, number];
  /** Share of successful writes another writer undoes; 0: none, and no draw. */
  readonly flapRate: number;
  /** How long after the write it undoes it: `[min, max]` ms. */
  readonly flap: readonly [number, number];
  readonly retryAfterMs: number;
  readonly outage: readonly Outage[];
  /** `undefined`: every operation. */
  readonly operations: ReadonlySet<MemoryOperation> | undefined;
  /** False when no call can go wrong (an undo by another writer is not the call's): calls skip the fault path. */
  readonly active: boolean;
}

const KEYS = [
  'failRate',
  'hangRate',
  'latencyMs',
  'retryAfterRate',
  'retryAfterMs',
  'permanentRate',
  'crashRate',
  'zombieRate',
  'zombieMs',
  'flapRate',
  'flapMs',
  'outage',
  'operations',
];
const RATES = ['failRate', 'hangRate', 'retryAfterRate', 'permanentRate', 'crashRate', 'zombieRate'] as const;

/** How long a zombie runs on past its abort unless told otherwise. */
export const DEFAULT_ZOMBIE_MS = 5000;

/** How long after a write another writer undoes it unless told otherwise. */
export const DEFAULT_FLAP_MS = 1000;

/** Check `faults` and compile them; throws a `TypeError` naming the option on misuse. */
export function compileFaults(faults: Faults | undefined, name = 'faults'): CompiledFaults {
  if (faults === undefined) faults = {};
  if (!isRecord(faults)) throw optionError(name, faults, 'an object like { failRate: 0.1 }');
  rejectUnknownKeys(faults, KEYS, name);
  const rates = RATES.map((key) => {
    const rate = faults[key];
    if (rate === undefined) return 0;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      throw optionError(`${name}.${key}`, rate, 'a number from 0 to 1, like 0.05');
    }
    return rate;
  });
  const total = rates.reduce((sum, rate) => sum + rate, 0);
  if (total > 1 + 1e-9) {
    throw new TypeError(
      `Expected the rates in \`${name}\` (${RATES.join(', ')}) to add up to at most 1, got ${total}: each call gets at most one fault`,
    );
  }
  let acc = 0;
  const thresholds = rates.map((rate) => (acc += rate)) as unknown as CompiledFaults['thresholds'];
  const latency = latencyOf(faults.latencyMs, `${name}.latencyMs`);
  const zombie =
    faults.zombieMs === undefined
      ? ([DEFAULT_ZOMBIE_MS, DEFAULT_ZOMBIE_MS] as const)
      : (rangeOf(faults.zombieMs, `${name}.zombieMs`, ['5000', '[1000, 10000]']) ?? ([0, 0] as const));
  const flapRate = faults.flapRate ?? 0;
  if (typeof flapRate !== 'number' || !(flapRate >= 0 && flapRate <= 1)) {
    throw optionError(`${name}.flapRate`, flapRate, 'a number from 0 to 1, like 0.2');
  }
  const flap =
    faults.flapMs === undefined
      ? ([DEFAULT_FLAP_MS, DEFAULT_FLAP_MS] as const)
      : (rangeOf(faults.flapMs, `${name}.flapMs`, ['1000', '[500, 20000]']) ?? ([0, 0] as const));
  const retryAfterMs =
    faults.retryAfterMs === undefined
      ? 1000
      : checkNumber(faults.retryAfterMs, `${name}.retryAfterMs`, 0, '1000');
  const outage = outagesOf(faults.outage, `${name}.outage`);
  const operations = operationsOf(faults.operations, `${name}.operations`);
  const active = total > 0 || latency !== undefined || outage.length > 0;
  return { thresholds, latency, zombie, flapRate, flap, retryAfterMs, outage, operations, active };
}

/** The fault a call gets for a uniform draw `u` in [0, 1). Pure. */
export function pickFault(faults: CompiledFaults, u: number): FaultOutcome {
  const [fail, hang, retryAfter, permanent, crash, zombie] = faults.thresholds;
  if (u < fail) return 'fail';
  if (u < hang) return 'hang';
  if (u < retryAfter) return 'retryAfter';
  if (u < permanent) return 'permanent';
  if (u < crash) return 'crash';
  if (u < zombie) return 'zombie';
  return 'ok';
}

/** The outage window `now` falls in, if any. */
export function outageAt(faults: CompiledFaults, now: number): Outage | undefined {
  for (const window of faults.outage) if (now >= window.from && now < window.until) return window;
  return undefined;
}

function latencyOf(value: unknown, name: string): readonly [number, number] | undefined {
  if (value === undefined) return undefined;
  return rangeOf(value, name, ['20', '[5, 50]']);
}

/** A number of ms, or `[min, max]`, as a range; `undefined` when it is always 0. */
function rangeOf(
  value: unknown,
  name: string,
  [one, range]: readonly [string, string],
): readonly [number, number] | undefined {
  if (typeof value === 'number') {
    checkNumber(value, name, 0, `${one} or ${range}`);
    return value === 0 ? undefined : [value, value];
  }
  const [min, max] = Array.isArray(value) ? value : [];
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof min !== 'number' ||
    typeof max !== 'number' ||
    !(min >= 0 && max >= min && Number.isFinite(max))
  ) {
    throw optionError(name, value, `a number of ms >= 0, or [min, max] with 0 <= min <= max, like ${range}`);
  }
  return max === 0 ? undefined : [min, max];
}

function outagesOf(value: unknown, name: string): Outage[] {
  if (value === undefined) return [];
  if (isRecord(value)) return outagesOf([value], name);
  if (!Array.isArray(value)) {
    throw optionError(name, value, 'a window like { from: 60000, until: 90000 }, or an array of them');
  }
  return value.map((window: unknown, i) => {
    if (
      !isRecord(window) ||
      typeof window.from !== 'number' ||
      typeof window.until !== 'number' ||
      !(window.until >= window.from)
    ) {
      throw optionError(
        `${name}[${i}]`,
        window,
        'a window { from, until } of clock time in ms, with from <= until',
      );
    }
    return { from: window.from, until: window.until };
  });
}

function operationsOf(value: unknown, name: string): ReadonlySet<MemoryOperation> | undefined {
  if (value === undefined) return undefined;
  const known: readonly string[] = MEMORY_OPERATIONS;
  if (!Array.isArray(value) || !value.every((op) => typeof op === 'string' && known.includes(op))) {
    throw optionError(name, value, `an array of operations from ${MEMORY_OPERATIONS.join(', ')}`);
  }
  return new Set(value as MemoryOperation[]);
}
