import { existsSync, statSync } from 'node:fs';
import type pg from 'pg';
import { type Group, type Member, now } from './cluster-procs.js';
import { converged, convergence, type LeaseRow, leases, owners } from './group-db.js';
import { until } from './poll.js';

/**
 * The steps of the chaos scenarios, shared by the test (small) and `scripts/chaos.ts` (full
 * size): each breaks the group one way and measures what followed.
 */

/** Wait until every resource converged; how long it took (ms). */
export async function waitConverged(group: Group, db: pg.ClientBase, ms: number): Promise<number> {
  const t0 = now();
  let last = await convergence(db, group.world);
  await until(
    'every resource converged',
    async () => {
      // The rows first (one cheap query), the world's files only once they are all ready.
      if ((await notReady(db)) > 0) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return false;
      }
      last = await convergence(db, group.world);
      return converged(last);
    },
    ms,
  ).catch((error: Error) => {
    const sample = [...last.wrongWorld.slice(0, 5), ...last.notReady.slice(0, 5)].join(', ');
    throw new Error(
      `${error.message}: of ${last.total}, ${last.wrongWorld.length} wrong in the world, ${last.notReady.length} not ready (${sample})`,
    );
  });
  return now() - t0;
}

async function notReady(db: pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from resources
      where observed_generation <> generation or coalesce(status->>'ready', '') <> 'true'`,
  );
  return rows[0]?.n ?? 0;
}

/** Wait until every shard runs on a live member and the assignment is balanced and settled. */
export async function waitBalanced(group: Group, db: pg.ClientBase, stableMs: number, ms = 30_000) {
  let previous = '';
  let since = now();
  let rows: LeaseRow[] = [];
  await until(
    'shards balanced over the live members',
    async () => {
      rows = await leases(db);
      const live = new Set(group.live().map((m) => m.name));
      const held = owners(rows);
      const aim = Math.ceil(rows.length / Math.max(1, live.size));
      const counts = new Map<string, number>();
      for (const o of held.values()) counts.set(o, (counts.get(o) ?? 0) + 1);
      const ok =
        held.size === rows.length &&
        [...held.values()].every((o) => live.has(o)) &&
        [...counts.values()].every((n) => n <= aim);
      const shape = JSON.stringify([...held]);
      if (!ok || shape !== previous) {
        previous = shape;
        since = now();
        return false;
      }
      return now() - since >= stableMs;
    },
    ms,
  ).catch((error: Error) => {
    const counts = new Map<string, number>();
    for (const r of rows) {
      const who = r.owner === null ? '(none)' : r.expired ? `${r.owner} (expired)` : r.owner;
      counts.set(who, (counts.get(who) ?? 0) + 1);
    }
    const live = group.live().map((m) => m.name);
    throw new Error(
      `${error.message}: live ${live.join(', ')}; held ${JSON.stringify(Object.fromEntries(counts))}`,
    );
  });
  return owners(rows);
}

/** Wait until no provider call started or ended for `quietMs` (every first pass after a move done). */
export async function waitQuiet(group: Group, quietMs: number, ms = 120_000): Promise<void> {
  let size = -1;
  let since = now();
  await until(
    `no provider call for ${quietMs} ms`,
    () => {
      const size_ = existsSync(group.calls) ? statSync(group.calls).size : 0;
      if (size_ !== size) {
        size = size_;
        since = now();
      }
      return now() - since >= quietMs;
    },
    ms,
  );
}

/** Shards whose owner differs between two assignments. */
export function moved(before: ReadonlyMap<number, string>, after: ReadonlyMap<number, string>): number {
  let n = 0;
  for (const [shard, owner] of after) if (before.get(shard) !== owner) n++;
  return n;
}

/** Kill -9 `victim`; the time until every shard it held is held by another (ms). */
export async function killAndTakeover(group: Group, db: pg.ClientBase, victim: Member): Promise<number> {
  const held = [...owners(await leases(db))].filter(([, o]) => o === victim.name).map(([s]) => s);
  group.kill9(victim);
  const t0 = victim.downAt!;
  await until(
    `${victim.name}'s ${held.length} shards taken over`,
    async () => {
      const now = owners(await leases(db));
      return held.every((s) => {
        const o = now.get(s);
        return o !== undefined && o !== victim.name;
      });
    },
    30_000,
  );
  await victim.exited;
  return now() - t0;
}

/** When each of these shards was next gained by another member, from their logs (ms). */
export function gainedAt(group: Group, shards: readonly number[], after: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of group.members.values()) {
    for (const line of group.logged(m, 'gained')) {
      if (line.time < after) continue;
      for (const shard of Object.keys((line.shards as Record<string, number>) ?? {}).map(Number)) {
        if (!shards.includes(shard)) continue;
        if (!out.has(shard) || out.get(shard)! > line.time) out.set(shard, line.time);
      }
    }
  }
  return out;
}
