import type pg from 'pg';
import type { Clock } from '../../time/clock.js';
import { claim, release, renew } from './leases.js';

/** A base for the advisory lock of each shard, so setpoint's locks do not collide with others'. */
const SHARD_LOCK_BASE = 0x5e7b0000;
/** The first key of each member's advisory lock (the second is the hash of its id). */
const MEMBER_LOCK_CLASS = 0x5e7b;

/** Why a shard was lost: its lease ran out, another took it, it was handed over, the process stopped or lost its database session. */
export type LostWhy = 'expired' | 'taken' | 'released' | 'stopped' | 'disconnected';

export interface ShardManagerOptions {
  /** This instance's id (unique among the instances sharing the database). */
  readonly id: string;
  /** How many shards there are (fixed for the database). */
  readonly shards: number;
  /** For leases and membership. */
  readonly db: pg.ClientBase;
  /**
   * A session of its own that holds one advisory lock per owned shard: when this process dies,
   * the database drops the session and its locks, and another instance can tell at once.
   */
  readonly locks: pg.ClientBase;
  /** How long a lease lasts without a renewal. */
  readonly ttlMs: number;
  /** The instance's clock: only to know how long ago its own last renewal succeeded. */
  readonly clock: Clock;
  /** Shards moved away from this instance per tick, at most (balancing gently). Default 2. */
  readonly maxReleasesPerTick?: number;
  /**
   * How long an owner's sessions must have been gone before its shards are taken (while its
   * leases run): a process that is alive but lost its connection (a reset) sees its sessions
   * end too, and stops its shards at once; this is its time to do so. Default: a fifth of the
   * lease, at most 1 s.
   */
  readonly goneGraceMs?: number;
  /** A shard is now this instance's, at this epoch: start its resources. */
  onGained(shard: number, epoch: number): void;
  /** A shard is no longer this instance's: stop its resources at once. */
  onLost(shard: number, epoch: number, why: LostWhy): void;
  /**
   * Before shards given up by choice (balancing, a graceful stop) are released: resolves once
   * the work stopped by `onLost` has finished its calls in flight, so the next owner starts on a
   * quiet key. Default: release at once.
   */
  drain?(): Promise<void>;
}

/**
 * One instance's share of the shards. Each `tick` (every `ttlMs / 5` or so):
 *
 * 1. renews the leases it holds; one it cannot renew is lost (`onLost`), and if no renewal has
 *    succeeded for 60 % of the lease, every shard is given up before the lease can expire, so a
 *    partitioned instance stops before anyone may take over;
 * 2. counts the live members (a heartbeat within a lease, and a session that still holds the
 *    member's advisory lock, so a dead process stops counting at once) and aims at
 *    `ceil(shards / members)`;
 * 3. claims every shard whose lease expired; below its aim, claims shards whose owner is gone
 *    (its shard and member advisory locks are free: no need to wait for the lease to expire)
 *    and unowned ones; above its aim, releases a few shards, once their work has drained.
 *
 * Every comparison of lease times is the database's; the clock here only measures how long ago
 * this instance last renewed.
 */
export class ShardManager {
  readonly held = new Map<number, number>();
  #lastRenewed: number;

  constructor(private readonly o: ShardManagerOptions) {
    this.#lastRenewed = o.clock.now();
  }

  #joined = false;

  async tick(): Promise<void> {
    const { db, id, ttlMs, clock } = this.o;
    const started = clock.now();
    if (!this.#joined) {
      // Held for as long as this process's session lives: its death shows at once in pg_locks.
      await this.o.locks.query('select pg_advisory_lock($1, hashtext($2))', [MEMBER_LOCK_CLASS, id]);
      this.#joined = true;
    }
    await db.query(
      `insert into members (id) values ($1)
         on conflict (id) do update set heartbeat_at = now()`,
      [id],
    );
    if (started - this.#lastRenewed > ttlMs * 0.6) {
      await this.#drop([...this.held.keys()], 'expired');
    }
    const kept = new Set(await renew(db, id, this.held, ttlMs));
    this.#lastRenewed = started;
    await this.#drop(
      [...this.held.keys()].filter((shard) => !kept.has(shard)),
      'taken',
    );
    // A shard claimed while a paused owner's session still held its lock: take the lock now.
    for (const shard of this.held.keys()) if (!this.#locked.has(shard)) await this.#lock(shard);
    // Live: a heartbeat within a lease, and its session still holds its member lock.
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from members m
        where m.heartbeat_at > now() - make_interval(secs => $1::double precision / 1000)
          and exists (select 1 from pg_locks l
                       where l.locktype = 'advisory' and l.granted and l.objsubid = 2
                         and l.classid = $2::int::oid and l.objid = hashtext(m.id)::oid)`,
      [ttlMs, MEMBER_LOCK_CLASS],
    );
    const target = Math.ceil(this.o.shards / Math.max(1, rows[0]?.n ?? 1));
    await this.#claim(target - this.held.size);
    if (this.held.size > target) {
      const surplus = [...this.held.keys()].sort((a, b) => b - a);
      const going = surplus.slice(0, Math.min(this.held.size - target, this.o.maxReleasesPerTick ?? 2));
      await this.#give(going, 'released');
    }
  }

  /**
   * Between ticks: when no renewal has succeeded for 60 % of a lease (the database is slow or
   * out of reach, and the tick waits on it), give every shard up now, before another instance
   * may claim them. Call it from a timer of its own. Returns whether it gave them up.
   */
  checkDeadline(): boolean {
    if (this.held.size === 0 || !this.overdue()) return false;
    void this.#drop([...this.held.keys()], 'expired').catch(() => undefined);
    return true;
  }

  /** No renewal (or first look) has succeeded for 60 % of a lease: out of touch with the database. */
  overdue(): boolean {
    return this.o.clock.now() - this.#lastRenewed > this.o.ttlMs * 0.6;
  }

  /**
   * A session with the database is gone: the server may already have freed this instance's
   * locks, and others may take its shards at once. Stop every shard now; nothing is written.
   */
  disconnected(): void {
    const shards = [...this.held.keys()];
    for (const shard of shards) {
      const epoch = this.held.get(shard)!;
      this.held.delete(shard);
      this.#locked.delete(shard);
      this.o.onLost(shard, epoch, 'disconnected');
    }
  }

  /** A write for this shard was refused (a newer epoch holds it): stop its work at once. */
  lose(shard: number): void {
    if (!this.held.has(shard)) return;
    void this.#drop([shard], 'taken').catch(() => undefined);
  }

  /** Give every shard up at once (a graceful stop): others claim them on their next tick. */
  async stop(): Promise<void> {
    await this.#give([...this.held.keys()], 'stopped');
    await this.o.db.query('delete from members where id = $1', [this.o.id]);
    if (this.#joined)
      await this.o.locks.query('select pg_advisory_unlock($1, hashtext($2))', [MEMBER_LOCK_CLASS, this.o.id]);
    this.#joined = false;
  }

  /**
   * Claim shards whose lease expired whatever the aim (someone must run them now, and the others
   * may be as stuck as their owner was); shards of a dead owner (its sessions gone) and unowned
   * ones only up to `wanted`, since every live member takes its part of those on its own tick.
   */
  async #claim(wanted: number): Promise<void> {
    const { db, id, ttlMs } = this.o;
    const { rows } = await db.query<{ shard: number; owner: string | null; expired: boolean }>(
      `select shard, owner, (owner is null or expires_at < now()) as expired
         from shard_leases order by shard`,
    );
    for (const row of rows) {
      if (this.held.has(row.shard) || row.owner === id) continue;
      if (row.owner === null && wanted <= 0) continue;
      let epoch: number | undefined;
      if (row.expired) {
        // The lease is the authority: expired is free, whoever may still hold its lock (a
        // partitioned owner's session can outlive it on the server for minutes).
        epoch = await claim(db, row.shard, id, ttlMs);
        if (epoch !== undefined) await this.#lock(row.shard);
      } else if (wanted > 0 && (await this.#lock(row.shard))) {
        // Taken from a dead owner within this instance's aim only: the others take the rest on
        // their ticks, so a death moves each shard once, not there and back.
        // Its lock was free though the lease runs: the owner is dead if its member lock is gone
        // too. (A live owner may lack a shard's lock for a while: it claimed the shard from a
        // paused instance whose session still held the lock.)
        if (!(await this.#alive(row.owner)) && this.#goneLongEnough(row.shard))
          epoch = await this.#takeFromGone(row.shard, row.owner);
        if (epoch === undefined) await this.#unlock(row.shard);
      } else {
        this.#goneSince.delete(row.shard);
      }
      if (epoch === undefined) continue;
      this.held.set(row.shard, epoch);
      wanted--;
      this.o.onGained(row.shard, epoch);
    }
  }

  readonly #locked = new Set<number>();
  /** When this instance first found each shard's owner gone (on its own clock: a duration only). */
  readonly #goneSince = new Map<number, number>();

  #goneLongEnough(shard: number): boolean {
    const now = this.o.clock.now();
    const since = this.#goneSince.get(shard);
    if (since === undefined) this.#goneSince.set(shard, now);
    const grace = this.o.goneGraceMs ?? Math.min(1000, this.o.ttlMs / 5);
    if (since === undefined ? grace > 0 : now - since < grace) return false;
    this.#goneSince.delete(shard);
    return true;
  }

  /** Does a session hold `owner`'s member lock: is that instance's process alive? */
  async #alive(owner: string | null): Promise<boolean> {
    if (owner === null) return false;
    const { rows } = await this.o.db.query<{ alive: boolean }>(
      `select exists (select 1 from pg_locks l
                       where l.locktype = 'advisory' and l.granted and l.objsubid = 2
                         and l.classid = $1::int::oid and l.objid = hashtext($2)::oid) as alive`,
      [MEMBER_LOCK_CLASS, owner],
    );
    return rows[0]?.alive === true;
  }

  async #lock(shard: number): Promise<boolean> {
    const { rows } = await this.o.locks.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [
      SHARD_LOCK_BASE + shard,
    ]);
    if (rows[0]?.ok) this.#locked.add(shard);
    return rows[0]?.ok === true;
  }

  async #unlock(shard: number): Promise<void> {
    if (!this.#locked.delete(shard)) return;
    await this.o.locks.query('select pg_advisory_unlock($1)', [SHARD_LOCK_BASE + shard]);
  }

  /** Claim a shard whose owner's session is gone, before its lease expires. */
  async #takeFromGone(shard: number, owner: string | null): Promise<number | undefined> {
    const { rows } = await this.o.db.query<{ epoch: string }>(
      `update shard_leases
          set owner = $2, epoch = epoch + 1, expires_at = now() + make_interval(secs => $4::double precision / 1000)
        where shard = $1 and owner is not distinct from $3
        returning epoch`,
      [shard, this.o.id, owner, this.o.ttlMs],
    );
    return rows[0] === undefined ? undefined : Number(rows[0].epoch);
  }

  async #give(shards: number[], why: 'released' | 'stopped'): Promise<void> {
    if (shards.length === 0) return;
    const giving = new Map(shards.map((s) => [s, this.held.get(s)!]));
    for (const [shard, epoch] of giving) {
      this.held.delete(shard);
      this.o.onLost(shard, epoch, why); // stop first, then let go: never two owners at work
    }
    await this.o.drain?.(); // and let the calls in flight finish
    await release(this.o.db, this.o.id, giving);
    for (const shard of shards)
      await this.o.locks.query('select pg_advisory_unlock($1)', [SHARD_LOCK_BASE + shard]);
  }

  async #drop(shards: number[], why: 'expired' | 'taken'): Promise<void> {
    // Every shard is let go before the first unlock is awaited: the work stops at once.
    const dropped = shards.filter((shard) => this.held.has(shard));
    for (const shard of dropped) {
      const epoch = this.held.get(shard)!;
      this.held.delete(shard);
      this.o.onLost(shard, epoch, why);
    }
    for (const shard of dropped) await this.#unlock(shard);
  }
}
