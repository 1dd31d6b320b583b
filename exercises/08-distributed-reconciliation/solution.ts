/**
 * Exercise 08 — distributed reconciliation with leases: a solution.
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
    const current = this.holder(key, now);
    if (current !== undefined && current !== holder) return false;
    this.#leases.set(key, { holder, expiresAt: now + this.ttlMs });
    return true;
  }

  /** Who holds `key` at `now`: `undefined` when nobody does (never taken, released, or expired). */
  holder(key: string, now: number): string | undefined {
    const lease = this.#leases.get(key);
    return lease !== undefined && now < lease.expiresAt ? lease.holder : undefined;
  }

  /** Give the lease up before it expires. Only its holder can. */
  release(key: string, holder: string): void {
    if (this.#leases.get(key)?.holder === holder) this.#leases.delete(key);
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
  instances: readonly string[],
  keys: readonly string[],
  now: number,
): string[] {
  table.acquire(heartbeat(me), me, now);
  for (const key of [...keys].sort()) {
    const home = homeOf(key, instances);
    if (home === me || table.holder(heartbeat(home), now) === undefined) table.acquire(key, me, now);
    else if (table.holder(key, now) === me) table.release(key, me);
  }
  return keys.filter((key) => table.holder(key, now) === me).sort();
}
