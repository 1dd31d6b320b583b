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
  /** What it adopted (found existing) is released, not deleted, unless told otherwise. */
  pruneAdopted: false,
  allowEmpty: false,
  supervision: DEFAULT_INTENSITY,
});
