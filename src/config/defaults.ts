import type { JitterMode } from '../backoff/jitter.js';
import type { DriftPolicy } from '../contract/resource.js';
import { RUNTIME_DEFAULTS } from '../runtime/defaults.js';
import type { DeletionBudgetLimit } from '../runtime/index.js';
import type { ConfigFile } from './config-schema.js';
import { parseListen } from './config-schema.js';
import { durationMs } from './schema-parts.js';

/** The runtime settings a config file may set under `defaults:`, in milliseconds. */
export interface ConfigDefaults {
  /** Resync interval after a success. */
  readonly intervalMs: number;
  readonly backoff: {
    readonly baseMs: number;
    readonly capMs: number;
    readonly factor: number;
    readonly jitter: JitterMode;
  };
  /** Failures before a resource is Degraded. */
  readonly maxRetries: number;
  /** How long a change may stay progressing before it has failed. */
  readonly progressDeadlineMs: number;
  /** More than `maxApplies` applies at one generation within `windowMs` is a hot loop. */
  readonly hotLoop: { readonly maxApplies: number; readonly windowMs: number };
  readonly drift: DriftPolicy;
  /** Delete resources in the inventory that are no longer desired. */
  readonly prune: boolean;
  /** Let prune delete what was adopted too (else it is released, left in place). */
  readonly pruneAdopted: boolean;
  /** Let prune take the set down to zero. */
  readonly allowEmpty: boolean;
  /** Deletes per kind and window that need no approval (`max: Infinity`: no budget). */
  readonly deletionBudget: { readonly max: number; readonly fraction: number; readonly windowMs: number };
  /** When Degraded, apply the last spec that worked. */
  readonly rollback: boolean;
  /** Operations in flight per provider. */
  readonly concurrency: number;
  /** Timeout of one provider operation. */
  readonly timeoutMs: number;
  /** How long a graceful shutdown may take. */
  readonly shutdownMs: number;
  /** Dry-run is a command-line choice (`apply --dry-run`), never a config setting. */
  readonly dryRun?: never;
}

/** The HTTP endpoint of `setpoint run`. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Bearer token for `/status`, when set. */
  readonly token?: string;
  /** The dashboard at `/`: served or not, and who may look when a token is set. */
  readonly dashboard: { readonly enabled: boolean; readonly reads: 'open' | 'token' };
}

/**
 * What a config file that says nothing gets: the runtime's defaults, but for `prune`, which a
 * config file turns on explicitly (its resource files may not be the whole truth).
 */
export const CONFIG_DEFAULTS: ConfigDefaults = Object.freeze({
  intervalMs: RUNTIME_DEFAULTS.intervalMs,
  backoff: RUNTIME_DEFAULTS.backoff,
  maxRetries: RUNTIME_DEFAULTS.maxRetries,
  progressDeadlineMs: RUNTIME_DEFAULTS.progressDeadlineMs,
  hotLoop: RUNTIME_DEFAULTS.hotLoop,
  drift: RUNTIME_DEFAULTS.drift,
  prune: false,
  pruneAdopted: RUNTIME_DEFAULTS.pruneAdopted,
  allowEmpty: RUNTIME_DEFAULTS.allowEmpty,
  deletionBudget: RUNTIME_DEFAULTS.deletionBudget,
  rollback: RUNTIME_DEFAULTS.rollback,
  concurrency: RUNTIME_DEFAULTS.concurrency,
  timeoutMs: RUNTIME_DEFAULTS.timeoutMs,
  shutdownMs: RUNTIME_DEFAULTS.shutdownMs,
});

/** Local only, unless told otherwise. */
export const SERVER_DEFAULTS: ServerConfig = Object.freeze({
  host: '127.0.0.1',
  port: 9464,
  dashboard: Object.freeze({ enabled: true, reads: 'open' as const }),
});

/** `defaults:` as written (already valid), over `CONFIG_DEFAULTS`. */
export function resolveDefaults(section: ConfigFile['defaults']): ConfigDefaults {
  const d = CONFIG_DEFAULTS;
  const s = section ?? {};
  const b = s.backoff ?? {};
  const ms = (value: string | number | undefined, fallback: number) =>
    value === undefined ? fallback : durationMs(value);
  return {
    intervalMs: ms(s.interval, d.intervalMs),
    backoff: {
      baseMs: ms(b.base, d.backoff.baseMs),
      capMs: ms(b.cap, d.backoff.capMs),
      factor: b.factor ?? d.backoff.factor,
      jitter: (b.jitter as JitterMode | undefined) ?? d.backoff.jitter,
    },
    maxRetries: s.maxRetries ?? d.maxRetries,
    progressDeadlineMs: ms(s.progressDeadline, d.progressDeadlineMs),
    hotLoop: {
      maxApplies: s.hotLoop?.maxApplies ?? d.hotLoop.maxApplies,
      windowMs: ms(s.hotLoop?.window, d.hotLoop.windowMs),
    },
    drift: s.drift ?? d.drift,
    prune: s.prune ?? d.prune,
    pruneAdopted: s.pruneAdopted ?? d.pruneAdopted,
    allowEmpty: s.allowEmpty ?? d.allowEmpty,
    deletionBudget: { ...d.deletionBudget, ...budgetLimit(s.deletionBudget) },
    rollback: s.rollback ?? d.rollback,
    concurrency: s.concurrency ?? d.concurrency,
    timeoutMs: ms(s.timeout, d.timeoutMs),
    shutdownMs: ms(s.shutdownTimeout, d.shutdownMs),
  };
}

/** A `deletionBudget:` section as written (already valid), as runtime options: only what it sets. */
export function budgetLimit(section: DeletionBudgetSection | undefined): DeletionBudgetLimit {
  const out: DeletionBudgetLimit = {};
  if (section?.max !== undefined)
    out.max = section.max === 'unlimited' ? Number.POSITIVE_INFINITY : section.max;
  if (section?.fraction !== undefined) out.fraction = section.fraction;
  if (section?.window !== undefined) out.windowMs = durationMs(section.window);
  return out;
}

type DeletionBudgetSection = NonNullable<NonNullable<ConfigFile['defaults']>['deletionBudget']>;

/** `server:` as written (already valid), over `SERVER_DEFAULTS`. */
export function resolveServer(section: ConfigFile['server']): ServerConfig {
  const listen = section?.listen === undefined ? undefined : parseListen(section.listen);
  const dashboard = {
    enabled: section?.dashboard?.enabled ?? SERVER_DEFAULTS.dashboard.enabled,
    reads: section?.dashboard?.reads ?? SERVER_DEFAULTS.dashboard.reads,
  };
  const server = { ...SERVER_DEFAULTS, ...listen, dashboard };
  return section?.token === undefined ? server : { ...server, token: section.token };
}
