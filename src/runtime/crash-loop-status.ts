import type { Condition, ResourceStatus } from '../actors/status.js';

const DEGRADED: Condition = Object.freeze({ type: 'Degraded', status: true, reason: 'CrashLoop' });

/**
 * A resource's status as its crash loop shows it: Degraded, reason `CrashLoop`, and the crash
 * as the last error. While it waits for its restart (`restartAt`) no actor runs for it, so the
 * other conditions say so too and the next reconcile is the restart; once an actor runs again,
 * only `Degraded` says so, until that actor finishes a pass.
 */
export function crashLoopStatus(
  status: ResourceStatus,
  error: string,
  restartAt: number | undefined,
): ResourceStatus {
  if (restartAt === undefined) {
    const conditions = status.conditions.map((c) => (c.type === 'Degraded' ? DEGRADED : c));
    return { ...status, conditions, lastError: error };
  }
  return {
    ...status,
    phase: 'degraded',
    conditions: [
      { type: 'Ready', status: false, reason: 'CrashLoop' },
      { type: 'Synced', status: false, reason: 'CrashLoop' },
      { type: 'Progressing', status: false, reason: 'CrashLoop' },
      DEGRADED,
    ],
    lastError: error,
    nextReconcileAt: restartAt,
  };
}
