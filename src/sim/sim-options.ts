import type { JitterMode } from '../backoff/jitter.js';
import { describe } from '../contract/describe.js';
import { compileFaults, type FaultRates } from '../providers/index.js';
import { RUNTIME_DEFAULTS, type RuntimeOptions } from '../runtime/index.js';
import { convergenceBound, DEFAULT_OUTAGE_MS, defaultIntensity } from './bounds.js';
import type { KindSupervision } from './checks/supervision-check.js';

type RestartBackoffOptions = NonNullable<NonNullable<RuntimeOptions['supervision']>['restartBackoff']>;

/** The simulation runs the runtime with the runtime's own defaults, unless told otherwise. */
const D = RUNTIME_DEFAULTS;

/**
 * Faults the memory providers inject while the fault window is open: the rates (per call), and
 * outages at random times.
 */
export interface SimFaults extends FaultRates {
  /** Outages per provider, at random times in the fault window: every call fails. Default 0. */
  readonly outages?: number;
  /** How long each outage lasts, `[min, max]` ms. Default one to five minutes. */
  readonly outageMs?: readonly [number, number];
}

/** What {@link simulate} takes. Times in ms of virtual time. */
export interface SimOptions {
  /** Everything random in the run derives from it: same seed, same trace. */
  readonly seed: number;
  /** How many resources the desired set draws from. */
  readonly resources: number;
  /** Virtual time to run, in ms. */
  readonly duration: number;
  readonly faults?: SimFaults;
  /** Faults are on from the start for this long, then off. Default: half of `duration`. */
  readonly faultWindow?: number;
  /** Desired-set changes, at random times while the faults are on. Default 3. */
  readonly changes?: number;
  /** Kinds (one memory provider and one supervisor each). Default 2. */
  readonly kinds?: number;
  /** Runtime resync interval. Default 30000. */
  readonly interval?: number;
  readonly backoff?: {
    readonly baseMs?: number;
    readonly capMs?: number;
    readonly factor?: number;
    readonly jitter?: JitterMode;
  };
  /** Runtime per-operation timeout. Default 30000. */
  readonly timeout?: number;
  /** Runtime operations in flight per provider. Default 10. */
  readonly concurrency?: number;
  readonly maxRetries?: number;
  /** Runtime rollback to the last-good spec. Default false. */
  readonly rollback?: boolean;
  /** Runtime hot-loop detection: applies at one generation allowed within `window` ms. Default the runtime's. */
  readonly hotLoop?: { readonly maxApplies?: number; readonly window?: number };
  /**
   * When a kind escalates (`maxRestarts` derived from `crashRate`, see `docs/reliability.md`;
   * `withinMs` and `systemicShare` the runtime's), and the restart backoff of a crashed actor
   * (default: the runtime's, capped at `backoff.capMs` so that one convergence bound covers it).
   */
  readonly supervision?: Partial<KindSupervision> & { readonly restartBackoff?: RestartBackoffOptions };
  /** Never-desired objects per kind, which must stay untouched. Default max(2, resources / 100). */
  readonly unmanaged?: number;
  /** Share of resources that exist (with an old spec) before the start. Default 0.05. */
  readonly preexisting?: number;
  /** Keep the trace's lines in the report (memory grows with the run). Default false. */
  readonly keepTrace?: boolean;
  /** Event-loop turns the TestClock gives after each timer. Default 1 (memory provider and store need no more). */
  readonly settleTurns?: number;
  /** Called every `progressEveryMs` of virtual time, e.g. to print progress. */
  readonly onProgress?: (atMs: number) => void;
  /** Default one virtual hour. */
  readonly progressEveryMs?: number;
}

/** Options with every default filled in. */
export interface ResolvedSimOptions {
  readonly seed: number;
  readonly resources: number;
  readonly duration: number;
  readonly faults: SimFaults;
  readonly faultWindow: number;
  readonly changes: number;
  readonly kinds: number;
  readonly interval: number;
  readonly backoff: {
    readonly baseMs: number;
    readonly capMs: number;
    readonly factor: number;
    readonly jitter: JitterMode;
  };
  readonly timeout: number;
  readonly concurrency: number;
  readonly maxRetries: number;
  readonly rollback: boolean;
  readonly hotLoop: { readonly maxApplies: number; readonly window: number };
  readonly supervision: KindSupervision & { readonly restartBackoff: RestartBackoffOptions };
  readonly unmanaged: number;
  readonly preexisting: number;
  readonly keepTrace: boolean;
  readonly settleTurns: number;
  readonly onProgress: ((atMs: number) => void) | undefined;
  readonly progressEveryMs: number;
  /** After the faults stop, the world must have converged within this long. */
  readonly convergenceBoundMs: number;
}

function number(
  name: string,
  value: unknown,
  fallback: number | undefined,
  min: number,
  { integer = false, max = Number.POSITIVE_INFINITY } = {},
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `from ${min} to ${max}`;
    throw new TypeError(
      `Expected \`${name}\` to be ${integer ? 'a whole number' : 'a number'} ${range}, got ${describe(value)}`,
    );
  }
  return value;
}

/** Check the options and fill in the defaults; a `TypeError` names any bad option. */
export function resolveSimOptions(options: SimOptions): ResolvedSimOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      'Expected options like { seed: 1, resources: 100, duration: 3_600_000, faults: { failRate: 0.3 } }',
    );
  }
  const seed = number('seed', options.seed, undefined, Number.MIN_SAFE_INTEGER, { integer: true });
  const resources = number('resources', options.resources, undefined, 1, { integer: true });
  const duration = number('duration', options.duration, undefined, 1);
  const faults = options.faults ?? {};
  if (typeof faults !== 'object' || faults === null) {
    throw new TypeError(
      `Expected \`faults\` to be an object like { failRate: 0.3, hangRate: 0.05, zombieRate: 0.02 }, got ${describe(faults)}`,
    );
  }
  const outages = number('faults.outages', faults.outages, 0, 0, { integer: true });
  const outageMs = faults.outageMs ?? DEFAULT_OUTAGE_MS;
  if (
    !Array.isArray(outageMs) ||
    outageMs.length !== 2 ||
    !outageMs.every((ms) => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) ||
    outageMs[0] > outageMs[1]
  ) {
    throw new TypeError(
      `Expected \`faults.outageMs\` to be [min, max] ms with 0 <= min <= max, like [60000, 300000], got ${describe(outageMs)}`,
    );
  }
  const interval = number('interval', options.interval, D.intervalMs, 1);
  const baseMs = number('backoff.baseMs', options.backoff?.baseMs, D.backoff.baseMs, 0);
  const capMs = number('backoff.capMs', options.backoff?.capMs, D.backoff.capMs, baseMs);
  const timeout = number('timeout', options.timeout, D.timeoutMs, 1);
  const retryAfterMs = number('faults.retryAfterMs', faults.retryAfterMs, 5000, 0);
  // The rates as the memory providers will take them, checked here to name `faults.…`.
  const { outages: _, outageMs: __, ...rates } = faults;
  const compiled = compileFaults({ ...rates, retryAfterMs }, 'faults');
  const convergenceBoundMs = convergenceBound({
    interval,
    capMs,
    timeout,
    retryAfterMs: (faults.retryAfterRate ?? 0) > 0 ? retryAfterMs : 0,
    zombieMs: (faults.zombieRate ?? 0) > 0 ? compiled.zombie[1] : 0,
    flapMs: compiled.flapRate > 0 ? compiled.flap[1] : 0,
  });
  const faultWindow = number('faultWindow', options.faultWindow, Math.floor(duration / 2), 0);
  if (faultWindow + convergenceBoundMs > duration) {
    throw new TypeError(
      `Expected \`duration\` (${duration} ms) to leave room after \`faultWindow\` (${faultWindow} ms) for the convergence bound of ${convergenceBoundMs} ms (interval·1.1 + cap + timeout + zombieMs + flapMs + slack): make duration at least ${faultWindow + convergenceBoundMs}`,
    );
  }
  const kinds = number('kinds', options.kinds, 2, 1, { integer: true });
  const withinMs = number('supervision.withinMs', options.supervision?.withinMs, D.supervision.withinMs, 1);
  const derived = defaultIntensity({
    resources,
    kinds,
    interval,
    crashRate: faults.crashRate ?? 0,
    withinMs,
  });
  return {
    seed,
    resources,
    duration,
    faults: { ...faults, retryAfterMs, outages, outageMs },
    faultWindow,
    changes: number('changes', options.changes, 3, 0, { integer: true }),
    kinds,
    interval,
    backoff: {
      baseMs,
      capMs,
      factor: number('backoff.factor', options.backoff?.factor, D.backoff.factor, 1),
      jitter: options.backoff?.jitter ?? D.backoff.jitter,
    },
    timeout,
    concurrency: number('concurrency', options.concurrency, D.concurrency, 1, { integer: true }),
    maxRetries: number('maxRetries', options.maxRetries, D.maxRetries, 1, { integer: true }),
    rollback: options.rollback ?? D.rollback,
    hotLoop: {
      maxApplies: number('hotLoop.maxApplies', options.hotLoop?.maxApplies, D.hotLoop.maxApplies, 1, {
        integer: true,
      }),
      window: number('hotLoop.window', options.hotLoop?.window, D.hotLoop.windowMs, 1),
    },
    supervision: {
      maxRestarts: number(
        'supervision.maxRestarts',
        options.supervision?.maxRestarts,
        derived.maxRestarts,
        0,
      ),
      withinMs,
      systemicShare: number(
        'supervision.systemicShare',
        options.supervision?.systemicShare,
        D.supervision.systemicShare,
        0,
        { max: 1 },
      ),
      restartBackoff: options.supervision?.restartBackoff ?? {
        ...D.supervision.restartBackoff,
        minMs: Math.min(D.supervision.restartBackoff.minMs, capMs),
        maxMs: Math.min(D.supervision.restartBackoff.maxMs, capMs),
      },
    },
    unmanaged: number('unmanaged', options.unmanaged, Math.max(2, Math.ceil(resources / 100)), 0, {
      integer: true,
    }),
    preexisting: number('preexisting', options.preexisting, 0.05, 0, { max: 1 }),
    keepTrace: options.keepTrace ?? false,
    settleTurns: number('settleTurns', options.settleTurns, 1, 1, { integer: true }),
    onProgress: options.onProgress,
    progressEveryMs: number('progressEveryMs', options.progressEveryMs, 3_600_000, 1),
    convergenceBoundMs,
  };
}
