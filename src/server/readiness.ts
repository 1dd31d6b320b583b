import type { ResourceStatus } from '../actors/status.js';

/** The phases an actor rests in once a pass has ended (`pending` is before the first). */
const AFTER_A_PASS: ReadonlySet<string> = new Set([
  'waiting',
  'synced',
  'outOfSync',
  'progressing',
  'backoff',
  'degraded',
  'deleteBackoff',
]);

/**
 * Whether a resource has finished its first reconcile pass, whatever its outcome: in sync,
 * failed and backing off, waiting for a dependency. Readiness is about having looked at the
 * world once, not about the world being right; the conditions say the latter.
 */
export function firstPassDone(status: ResourceStatus | undefined): boolean {
  if (status === undefined) return false;
  return status.lastReconcileAt !== undefined || AFTER_A_PASS.has(status.phase);
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
