import type { ResourceStatus } from '../runtime/index.js';
import { isAfterPass } from '../runtime/index.js';

/**
 * Whether a resource has finished its first reconcile pass, whatever its outcome: in sync,
 * failed and backing off, waiting for a dependency. Readiness is about having looked at the
 * world once, not about the world being right; the conditions say the latter.
 */
export function firstPassDone(status: ResourceStatus | undefined): boolean {
  if (status === undefined) return false;
  return status.lastReconcileAt !== undefined || isAfterPass(status.phase);
}

/**
 * Ready when a desired set is loaded and every resource in it has had its first pass.
 * `keys` is the desired set (`undefined`: none loaded yet).
 */
export function desiredSetReady(
  keys: readonly string[] | undefined,
  status: (key: string) => ResourceStatus | undefined,
): boolean {
  return keys?.every((key) => firstPassDone(status(key))) ?? false;
}
