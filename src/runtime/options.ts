import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type Backoff, type BackoffOptions, exponentialBackoff } from '../backoff/backoff.js';
import { describe } from '../contract/describe.js';
import type { Provider } from '../contract/provider.js';
import type { DriftPolicy } from '../contract/resource.js';
import type { RateLimit } from '../queue/operation-queue.js';
import type { StateStore } from '../store/index.js';
import { createMemoryStore } from '../store/index.js';
import type { RestartBackoffOptions } from '../supervisor/index.js';
import { type Clock, systemClock, systemRandom } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { RUNTIME_DEFAULTS } from './defaults.js';
import {
  type DeletionBudgetOptions,
  type DeletionBudgetSettings,
  resolveDeletionBudget,
} from './deletion-budget-options.js';

export interface RuntimeOptions {
  /** One provider per kind. */
  providers: readonly Provider[];
  /** Default: the system clock. Tests pass a `TestClock`. */
  clock?: Clock;
  /** Default: the system's. Tests pass a `seededRandom`. */
  random?: Random;
  /** pino logger; default: silent. */
  logger?: Logger;
  /** Resync interval for in-sync resources (±10 % jitter). Default 30000 ms. */
  interval?: number;
  /** Failure backoff. Default base 1000 ms, ×2, cap 60000 ms, full jitter. */
  backoff?: Omit<BackoffOptions, 'random'>;
  /** Failures before a resource is Degraded. Default 5. */
  maxRetries?: number;
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
  /** Allow a desired set that would delete every managed resource. Default false. */
  allowEmpty?: boolean;
  /**
   * Deletes per kind and window that go ahead without `approveDeletions`; the rest are held.
   * Default: the larger of 5 and 10 % of the kind's managed resources, per hour. `false`: none.
   */
  deletionBudget?: DeletionBudgetOptions | false;
  /** Where the inventory and journal live. Default: in memory. */
  store?: StateStore;
  /** Prometheus registry for setpoint's metrics. Default: a private one. */
  registry?: Registry;
  /** Restart intensity of the per-kind supervisors. Default 3 in 5000 ms (OTP/Elixir). */
  supervision?: {
    maxRestarts?: number;
    withinMs?: number;
    /** Wait before restarting a crashed actor, growing while it keeps crashing. Default: restart at once (OTP). */
    restartBackoff?: RestartBackoffOptions;
  };
}

/** The options checked, with every default filled in. */
export interface RuntimeSettings {
  readonly providers: readonly Provider[];
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly backoff: Backoff;
  readonly maxRetries: number;
  readonly concurrency: number;
  readonly rateLimit: RateLimit | undefined;
  readonly timeoutMs: number;
  readonly shutdownMs: number;
  readonly dryRun: boolean;
  readonly drift: DriftPolicy;
  readonly rollback: boolean;
  readonly prune: boolean;
  readonly allowEmpty: boolean;
  readonly deletionBudget: DeletionBudgetSettings;
  readonly store: StateStore;
  readonly registry: Registry | undefined;
  readonly supervision: {
    readonly maxRestarts: number;
    readonly withinMs: number;
    readonly restartBackoff: RestartBackoffOptions | undefined;
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
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  return {
    providers: options.providers,
    clock,
    random,
    logger: options.logger ?? pino({ level: 'silent' }),
    intervalMs: atLeast('interval', options.interval, d.intervalMs, 1),
    backoff: exponentialBackoff({ ...options.backoff, random }),
    maxRetries: atLeast('maxRetries', options.maxRetries, d.maxRetries, 1),
    concurrency: atLeast('concurrency', options.concurrency, d.concurrency, 1),
    rateLimit: options.rateLimit,
    timeoutMs: atLeast('timeout', options.timeout, d.timeoutMs, 1),
    shutdownMs: atLeast('shutdownTimeout', options.shutdownTimeout, d.shutdownMs, 0),
    dryRun: options.dryRun ?? d.dryRun,
    drift: options.drift ?? d.drift,
    rollback: options.rollback ?? d.rollback,
    prune: options.prune ?? d.prune,
    allowEmpty: options.allowEmpty ?? d.allowEmpty,
    deletionBudget: resolveDeletionBudget(options.deletionBudget),
    store: options.store ?? createMemoryStore({ clock }),
    registry: options.registry,
    supervision: {
      maxRestarts: options.supervision?.maxRestarts ?? d.supervision.maxRestarts,
      withinMs: options.supervision?.withinMs ?? d.supervision.withinMs,
      restartBackoff: options.supervision?.restartBackoff,
    },
  };
}

/** A finite number >= `min`, or `fallback` when absent. */
function atLeast(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`Expected \`${name}\` to be a number >= ${min}, got ${describe(value)}`);
  }
  return value;
}
