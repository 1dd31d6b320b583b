import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load-config.js';
import type { Provider } from '../contract/provider.js';
import type { DeletionBudgetLimit, RuntimeOptions } from '../runtime/index.js';
import type { StateStore } from '../store/index.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';

export interface RuntimeServices {
  readonly providers: readonly Provider[];
  readonly clock: Clock;
  readonly random: Random;
  /** Where the state lives; left out when the caller gives the runtime its own. */
  readonly store?: StateStore;
  readonly logger?: Logger;
}

/**
 * The runtime options a config asks for. Every setting of `defaults:` is passed through; in
 * particular `prune`, which is off unless the config turns it on (the library's own default
 * is on, for embedding, where the desired set is the program's whole intent). The process is
 * setpoint's own, so its `/metrics` show the Node process too (`defaultMetrics`).
 */
export function runtimeOptionsOf(config: LoadedConfig, services: RuntimeServices): RuntimeOptions {
  const d = config.defaults;
  return {
    providers: services.providers,
    clock: services.clock,
    random: services.random,
    ...(services.store ? { store: services.store } : {}),
    ...(services.logger ? { logger: services.logger } : {}),
    interval: d.intervalMs,
    backoff: {
      baseMs: d.backoff.baseMs,
      capMs: d.backoff.capMs,
      factor: d.backoff.factor,
      jitter: d.backoff.jitter,
    },
    maxRetries: d.maxRetries,
    progressDeadline: d.progressDeadlineMs,
    hotLoop: { maxApplies: d.hotLoop.maxApplies, window: d.hotLoop.windowMs },
    kinds: kindOptions(config),
    drift: d.drift,
    prune: d.prune,
    pruneAdopted: d.pruneAdopted,
    allowEmpty: d.allowEmpty,
    deletionBudget: { ...d.deletionBudget, kinds: kindBudgets(config) },
    rollback: d.rollback,
    concurrency: d.concurrency,
    timeout: d.timeoutMs,
    shutdownTimeout: d.shutdownMs,
    defaultMetrics: true,
  };
}

/** Per-kind settings from `providers:` (today: each kind's progress deadline). */
function kindOptions(config: LoadedConfig): Record<string, { progressDeadline: number }> {
  const out: Record<string, { progressDeadline: number }> = {};
  for (const [kind, entry] of Object.entries(config.providers)) {
    if (entry.progressDeadlineMs !== undefined) out[kind] = { progressDeadline: entry.progressDeadlineMs };
  }
  return out;
}

/** The per-kind deletion budgets the config's providers set. */
function kindBudgets(config: LoadedConfig): Record<string, DeletionBudgetLimit> {
  const kinds: Record<string, DeletionBudgetLimit> = {};
  for (const [kind, entry] of Object.entries(config.providers)) {
    if (entry.deletionBudget !== undefined) kinds[kind] = entry.deletionBudget;
  }
  return kinds;
}
