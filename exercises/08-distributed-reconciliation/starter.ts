/**
 * Exercise 08 — distributed reconciliation with leases. Read README.md first; then make
 * `npm run exercise -- 08` pass.
 *
 * This version lets anyone take any lease at any time, and never lets one go. Each `TODO(you)`
 * marks a gap. `homeOf` and `heartbeat` are given: do not change them.
 */

/**
 * Leases on keys, with a time to live. A shared table like this one lives in a database in
 * real life (a row per key with `holder` and `expires_at`, changed with a conditional update);
 * here it is in memory, and time is passed in.
 */
export class LeaseTable {
  readonly #leases = new Map<string, { holder: string; expiresAt: number }>();

  constructor(readonly ttlMs: number) {}

  /**
   * Take the lease on `key` for `holder` at `now`, or renew it when `holder` already holds it.
   * True when `holder` holds the lease afterwards; false when someone else holds it.
   */
  acquire(key: string, holder: string, now: number): boolean {
    // TODO(you): a lease someone else holds, and that has not expired, is theirs.
    this.#leases.set(key, { holder, expiresAt: now + this.ttlMs });
    return true;
  }

  /** Who holds `key` at `now`: `undefined` when nobody does (never taken, released, or expired). */
  holder(key: string, _now: number): string | undefined {
    // TODO(you): a lease not renewed within its time to live has expired.
    return this.#leases.get(key)?.holder;
  }

  /** Give the lease up before it expires. Only its holder can. */
  release(_key: string, _holder: string): void {
    // TODO(you)
  }
}

/** The instance a key belongs to when every instance is up: the same answer everywhere. */
export function homeOf(key: string, instances: readonly string[]): string {
  const sorted = [...instances].sort();
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return sorted[hash % sorted.length]!;
}

/** The lease that says an instance is alive. */
export const heartbeat = (instance: string) => `instance/${instance}`;

/**
 * One round of instance `me`, run every second: renew its heartbeat, hold its own keys, cover
 * for instances that are down, and hand keys back to instances that are up again. Returns the
 * keys `me` holds afterwards, sorted: the ones it must reconcile.
 */
export function claimRound(
  table: LeaseTable,
  me: string,
  _instances: readonly string[],
  keys: readonly string[],
  now: number,
): string[] {
  // TODO(you): renew the heartbeat; take only your own keys, or those of an instance that is
  // down; hand back what you hold for an instance that is up again.
  for (const key of keys) table.acquire(key, me, now);
  return keys.filter((key) => table.holder(key, now) === me).sort();
}
