import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { HotLoopPolicy } from '../actors/hot-loop.js';
import { type Backoff, type BackoffOptions, exponentialBackoff } from '../backoff/backoff.js';
import { describe } from '../contract/describe.js';
import type { Provider } from '../contract/provider.js';
import type { DriftPolicy } from '../contract/resource.js';
import type { RateLimit } from '../queue/operation-queue.js';
import type { StateStore } from '../store/index.js';
import { createMemoryStore } from '../store/index.js';
import type { RestartBackoffOptions } from '../supervisor/index.js';
import { checkBackoff } from '../supervisor/options.js';
import { type Clock, systemClock, systemRandom } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { RUNTIME_DEFAULTS, RUNTIME_MINIMUMS } from './defaults.js';
import {
  type DeletionBudgetOptions,
  type DeletionBudgetSettings,
  resolveDeletionBudget,
} from './deletion-budget-options.js';
import { type ObserveOptions, type ObserveSettings, resolveObserveOptions } from './observe-options.js';

/** Every option; those that show what the runtime does (metrics, tracing, inspection) are in `ObserveOptions`. */
export interface RuntimeOptions extends ObserveOptions {
  /** One provider per kind. */
  providers: readonly Provider[];
  /** Default: the system clock. Tests pass a `TestClock`. */
  clock?: Clock;
  /** Default: the system's. Tests pass a `seededRandom`. */
  random?: Random;
  /** pino logger; default: silent. */
  logger?: Logger;
  /** Resync interval for in-sync resources (±10 % jitter). Default 30000 ms, at least 100 ms. */
  interval?: number;
  /** Failure backoff. Default base 1000 ms, ×2, cap 60000 ms, full jitter. */
  backoff?: Omit<BackoffOptions, 'random'>;
  /** Failures before a resource is Degraded. Default 5; 0 or 1: Degraded on the first failure. */
  maxRetries?: number;
  /**
   * How long a change may stay `progressing` (its provider's `health`) before it has failed:
   * Degraded, and rolled back when rollback is on. Default 600000 ms (10 minutes). A resource's
   * `policy.progressDeadlineMs` wins, then `kinds[kind].progressDeadline`, then this.
   */
  progressDeadline?: number;
  /** Settings for one kind, winning over the runtime's: `{ db: { progressDeadline: 1_800_000 } }`. */
  kinds?: Readonly<Record<string, KindOptions>>;
  /**
   * When a resource that keeps being applied at one generation is a hot loop: more than
   * `maxApplies` applies within `window` ms. Default 5 within 600000 ms.
   */
  hotLoop?: { maxApplies?: number; window?: number };
  /** Provider operations in flight per provider. Default 10. */
  concurrency?: number;
  /** Per-provider token bucket. Default: none. */
  rateLimit?: RateLimit;
  /** Per-operation timeout. Default 30000 ms. */
  timeout?: number;
  /** Graceful shutdown budget for in-flight operations. Default 30000 ms. */
  shutdownTimeout?: number;
  /** Compute and report plans; apply nothing. Default false. */
  dryRun?: boolean;
  /** What to do when the world drifts from a synced spec. Default `enforce`. */
  drift?: DriftPolicy;
  /** Apply the last-good spec when a new one exhausts its retries. Default false. */
  rollback?: boolean;
  /** Delete managed resources that leave the desired set. Default true (false: release them). */
  prune?: boolean;
  /**
   * Let prune delete adopted objects too (those that existed before this runtime took them
   * over). Default false: an adopted object that leaves the desired set is released (dropped
   * from the inventory, left in the world); only what this runtime created is deleted.
   */
  pruneAdopted?: boolean;
  /** Allow a desired set that would delete every managed resource. Default false. */
  allowEmpty?: boolean;
  /**
   * For instances that share the work: the keys this runtime runs actors for. A desired key it
   * does not own is held (no actor, counted settled) until `ownershipChanged()` finds it owned.
   * Default: every key.
   */
  owns?: (key: string) => boolean;
  /**
   * With `owns`: whether a key another instance runs is Ready (from the shared status), for the
   * resources here that depend on it. Asked again at each `ownershipChanged()`. Default: never.
   */
  readyElsewhere?: (key: string) => boolean;
  /**
   * Deletes per kind and window that go ahead without `approveDeletions`; the rest are held.
   * Default: the larger of 5 and 10 % of the kind's managed resources, per hour. `false`: none.
   */
  deletionBudget?: DeletionBudgetOptions | false;
  /** Where the inventory and journal live. Default: in memory. */
  store?: StateStore;
  /** Prometheus registry for setpoint's metrics. Default: a private one. */
  registry?: Registry;
  /**
   * Crashed resource actors and when a kind gives up (see `docs/concepts/supervision.md`,
   * "Crash loops"). A resource's actor that crashes is restarted on its own backoff; its kind
   * escalates to the root only when more than max(`maxRestarts`, `systemicShare` × the kind's
   * resources) distinct resources crash within `withinMs`. Defaults: 3, 0.5, 5000 ms.
   */
  supervision?: {
    maxRestarts?: number;
    withinMs?: number;
    /** Share of a kind's resources that must crash within `withinMs` to escalate. Default 0.5. */
    systemicShare?: number;
    /** Crashes in a row before the resource is Degraded (reason `CrashLoop`). Default 3. */
    crashLoopAfter?: number;
    /**
     * The wait before restarting an actor that crashed again: the first crash restarts at once,
     * the n-th in a row waits minMs·2^(n−2) (+ up to randomFactor), at most maxMs; an actor that
     * ran resetAfterMs before crashing starts over. Default 1 s, ×2, 5 min, 0.2, 10 min.
     */
    restartBackoff?: RestartBackoffOptions;
  };
}

/** Options for the resources of one kind. */
export interface KindOptions {
  /** This kind's progress deadline in ms (see `RuntimeOptions.progressDeadline`). */
  progressDeadline?: number;
}

/** The options checked, with every default filled in. */
export interface RuntimeSettings extends ObserveSettings {
  readonly providers: readonly Provider[];
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly backoff: Backoff;
  readonly maxRetries: number;
  readonly progressDeadlineMs: number;
  /** Each kind's progress deadline, where it has its own. */
  readonly kindDeadlines: ReadonlyMap<string, number>;
  readonly hotLoop: HotLoopPolicy;
  readonly concurrency: number;
  readonly rateLimit: RateLimit | undefined;
  readonly timeoutMs: number;
  readonly shutdownMs: number;
  readonly dryRun: boolean;
  readonly drift: DriftPolicy;
  readonly rollback: boolean;
  readonly prune: boolean;
  readonly pruneAdopted: boolean;
  readonly allowEmpty: boolean;
  readonly owns: ((key: string) => boolean) | undefined;
  readonly readyElsewhere: ((key: string) => boolean) | undefined;
  readonly deletionBudget: DeletionBudgetSettings;
  readonly store: StateStore;
  readonly registry: Registry | undefined;
  readonly supervision: {
    readonly maxRestarts: number;
    readonly withinMs: number;
    readonly systemicShare: number;
    readonly crashLoopAfter: number;
    readonly restartBackoff: RestartBackoffOptions;
  };
}

/**
 * Check `options` and fill in the defaults. The real clock and randomness come in here, at the
 * edge: nothing below the runtime defaults to them. Misuse throws a `TypeError` naming the option.
 */
export function resolveOptions(options: RuntimeOptions): RuntimeSettings {
  if (!options || !Array.isArray(options.providers)) {
    throw new TypeError(
      'Expected `providers` to be an array of providers, e.g. createRuntime({ providers: [users] })',
    );
  }
  const d = RUNTIME_DEFAULTS;
  const m = RUNTIME_MINIMUMS;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  return {
    providers: options.providers,
    clock,
    random,
    logger: options.logger ?? pino({ level: 'silent' }),
    intervalMs: atLeast('interval', options.interval, d.intervalMs, m.intervalMs),
    backoff: exponentialBackoff({ ...options.backoff, random }),
    maxRetries: atLeast('maxRetries', options.maxRetries, d.maxRetries, m.maxRetries),
    progressDeadlineMs: atLeast(
      'progressDeadline',
      options.progressDeadline,
      d.progressDeadlineMs,
      m.progressDeadlineMs,
    ),
    kindDeadlines: kindDeadlines(options.kinds),
    hotLoop: {
      maxApplies: atLeast(
        'hotLoop.maxApplies',
        options.hotLoop?.maxApplies,
        d.hotLoop.maxApplies,
        m.hotLoopMaxApplies,
      ),
      windowMs: atLeast('hotLoop.window', options.hotLoop?.window, d.hotLoop.windowMs, m.hotLoopWindowMs),
    },
    concurrency: atLeast('concurrency', options.concurrency, d.concurrency, m.concurrency),
    rateLimit: options.rateLimit,
    timeoutMs: atLeast('timeout', options.timeout, d.timeoutMs, m.timeoutMs),
    shutdownMs: atLeast('shutdownTimeout', options.shutdownTimeout, d.shutdownMs, m.shutdownMs),
    dryRun: options.dryRun ?? d.dryRun,
    drift: options.drift ?? d.drift,
    rollback: options.rollback ?? d.rollback,
    prune: options.prune ?? d.prune,
    pruneAdopted: options.pruneAdopted ?? d.pruneAdopted,
    allowEmpty: options.allowEmpty ?? d.allowEmpty,
    owns: options.owns,
    readyElsewhere: options.readyElsewhere,
    deletionBudget: resolveDeletionBudget(options.deletionBudget),
    store: options.store ?? createMemoryStore({ clock }),
    registry: options.registry,
    ...resolveObserveOptions(options),
    supervision: {
      maxRestarts: options.supervision?.maxRestarts ?? d.supervision.maxRestarts,
      withinMs: options.supervision?.withinMs ?? d.supervision.withinMs,
      systemicShare: share(options.supervision?.systemicShare, d.supervision.systemicShare),
      crashLoopAfter: atLeast(
        'supervision.crashLoopAfter',
        options.supervision?.crashLoopAfter,
        d.supervision.crashLoopAfter,
        1,
      ),
      restartBackoff: checkBackoff(options.supervision?.restartBackoff) ?? d.supervision.restartBackoff,
    },
  };
}

function kindDeadlines(kinds: RuntimeOptions['kinds']): Map<string, number> {
  const out = new Map<string, number>();
  if (kinds === undefined) return out;
  if (typeof kinds !== 'object' || kinds === null) {
    throw new TypeError(`Expected \`kinds\` to be an object of kind → options, got ${describe(kinds)}`);
  }
  for (const [kind, o] of Object.entries(kinds)) {
    const deadline = atLeast(
      `kinds.${kind}.progressDeadline`,
      o?.progressDeadline,
      Number.NaN,
      RUNTIME_MINIMUMS.progressDeadlineMs,
    );
    if (!Number.isNaN(deadline)) out.set(kind, deadline);
  }
  return out;
}

/** A share in [0, 1], or `fallback` when absent. */
function share(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new TypeError(
      `Expected \`supervision.systemicShare\` to be a number from 0 to 1, got ${describe(value)}`,
    );
  }
  return value;
}

/** A finite number >= `min`, or `fallback` when absent. */
function atLeast(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`Expected \`${name}\` to be a number >= ${min}, got ${describe(value)}`);
  }
  return value;
}
