import { DEFAULT_HOT_LOOP } from '../actors/hot-loop.js';
import { DEFAULT_BACKOFF } from '../backoff/backoff.js';
import type { DriftPolicy } from '../contract/resource.js';
import { DEFAULT_INTENSITY } from '../supervisor/restart-intensity.js';

/**
 * The defaults, in one table: what a runtime gets for every option it is not given. The config
 * file (`setpoint.yaml`) and the simulation start from the same table, so a default is written
 * once. Times are in ms.
 */
export const RUNTIME_DEFAULTS = Object.freeze({
  intervalMs: 30_000,
  backoff: DEFAULT_BACKOFF,
  maxRetries: 5,
  /** A change not healthy within this long has failed (Kubernetes' `progressDeadlineSeconds`). */
  progressDeadlineMs: 600_000,
  /** More than 5 applies at one generation within 10 minutes is a hot loop. */
  hotLoop: DEFAULT_HOT_LOOP,
  concurrency: 10,
  timeoutMs: 30_000,
  shutdownMs: 30_000,
  drift: 'enforce' as DriftPolicy,
  rollback: false,
  dryRun: false,
  /** The library's desired set is authoritative: what leaves it is deleted (if it is ours). */
  prune: true,
  /** What it adopted (found existing) is released, not deleted, unless told otherwise. */
  pruneAdopted: false,
  allowEmpty: false,
  /** prom-client's default Node process metrics: the host's choice in the library (the CLI turns them on). */
  defaultMetrics: false,
  /**
   * Deletes per kind that go ahead without approval: the larger of 5 and a tenth of the kind's
   * managed resources, per hour. The rest are held until approved.
   */
  deletionBudget: Object.freeze({ max: 5, fraction: 0.1, windowMs: 3_600_000 }),
  /** Crash loops and when they escalate: see `docs/decisions/0013-crash-loops.md`. */
  supervision: Object.freeze({
    // A kind escalates when more than max(maxRestarts, systemicShare × its resources) distinct
    // resources of it crash within withinMs: a crash loop of one resource never does.
    ...DEFAULT_INTENSITY,
    systemicShare: 0.5,
    /** Crashes in a row before a resource shows Degraded, reason CrashLoop. */
    crashLoopAfter: 3,
    /** The wait before restarting a resource's actor after its 2nd, 3rd, … crash in a row. */
    restartBackoff: Object.freeze({ minMs: 1000, maxMs: 300_000, randomFactor: 0.2, resetAfterMs: 600_000 }),
  }),
});

/** The smallest value each setting may take: one table, kept with the resource's policy. */
export { RUNTIME_MINIMUMS } from '../contract/minimums.js';
