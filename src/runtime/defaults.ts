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
  concurrency: 10,
  timeoutMs: 30_000,
  shutdownMs: 30_000,
  drift: 'enforce' as DriftPolicy,
  rollback: false,
  dryRun: false,
  /** The library's desired set is authoritative: what leaves it is deleted (if it is ours). */
  prune: true,
  allowEmpty: false,
  /**
   * Deletes per kind that go ahead without approval: the larger of 5 and a tenth of the kind's
   * managed resources, per hour. The rest are held until approved.
   */
  deletionBudget: Object.freeze({ max: 5, fraction: 0.1, windowMs: 3_600_000 }),
  supervision: DEFAULT_INTENSITY,
});
