/**
 * The booleans of a resource actor's record, packed into one number: a process may hold a
 * million records, and one small integer field costs less than sixteen boolean ones.
 */
export const F_DIRTY = 1; // triggers arrived while busy: one more pass before resting
export const F_DELETE = 2; // left the desired set: delete once the pass in flight ends
export const F_PERMANENT = 4; // the last failure was a PermanentError
export const F_ROLLBACK = 8; // the last-good spec is applied instead of the desired one
export const F_DEGRADED = 16;
export const F_STOPPED = 32;
export const F_FAST = 64; // a hibernated in-sync check is in flight
export const F_DRIFT = 128; // drift was reported and not yet resolved
export const F_INPASS = 256; // a pass started (reconcile:start) and has not ended yet
export const F_UNVERIFIED = 512; // synced by an apply: last-good once an observation confirms it
export const F_CHANGED = 1024; // this pass applied a change or a restart: see whether it takes
export const F_UNHEALTHY = 2048; // the last observation found it unhealthy (or past its progress deadline)
export const F_OVERDUE = 4096; // still progressing past its progress deadline: the change failed
export const F_HOTLOOP = 8192; // keeps being applied without staying in sync: applies are throttled
export const F_APPLIED = 16384; // a change was applied at this generation already
export const F_NODROPS = 32768; // the spec last applied has no field the desired spec dropped: no three-way part
export const F_UNREACHABLE = 65536; // the last call could not reach the target (`UnreachableError`): not a failure of its own
