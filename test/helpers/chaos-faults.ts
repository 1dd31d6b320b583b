import type pg from 'pg';
import { publish } from '../../src/store/pg/resources.js';
import { shardOf } from '../../src/store/pg/shard-of.js';
import { callsSince, readCalls } from './call-log.js';
import type { ChaosOptions } from './chaos-run.js';
import { gainedAt, waitBalanced, waitConverged, waitQuiet } from './chaos-steps.js';
import { type Group, now } from './cluster-procs.js';
import { leases, owners } from './group-db.js';
import { until } from './poll.js';
import type { TcpProxy } from './tcp-proxy.js';

/** Two of the chaos scenarios: an owner paused past its lease, and an owner cut off. */

/** How long `setpoint run` gathers shards gained or lost into one log line. */
const LOG_BATCH_MS = 50;

/**
 * Pause the owner of the most shards past its lease, change every resource while it sleeps,
 * resume it: its shards move, the others apply the change, and it acts on nothing it no longer
 * holds (no provider call, no status row, until it gains shards again at new epochs).
 */
export async function pauseOwner(
  group: Group,
  db: pg.ClientBase,
  o: ChaosOptions,
  names: string[],
  say: (m: string) => void,
) {
  await waitBalanced(group, db, o.renewEveryMs * 3);
  await waitQuiet(group, 1000); // nothing in flight: whatever it does after waking is new
  const victim = group.members.get('p2')!;
  const held = [...owners(await leases(db))].filter(([, w]) => w === victim.name).map(([s]) => s);
  say(`SIGSTOP p2 (${held.length} shards) past its lease; every resource changes meanwhile`);
  group.pause(victim);
  const stoppedAt = victim.downAt!;
  const v2 = names.map((name) => ({ kind: 'things', name, spec: { content: 'v2' } }));
  await publish(db, v2, o.shards);
  await until(
    "p2's shards taken over",
    async () => {
      const now = owners(await leases(db));
      return held.every((s) => now.has(s) && now.get(s) !== victim.name);
    },
    o.leaseTtlMs * 5,
  );
  const takeoverMs = now() - stoppedAt;
  const convergeMs = await waitConverged(group, db, o.convergeMs);
  const resumedAt = now();
  group.resume(victim);
  victim.downAt = undefined;
  await until(
    'p2 logs its lost shards',
    () => group.logged(victim, 'lost').some((l) => l.time >= resumedAt),
    10_000,
  );
  const lost = group.logged(victim, 'lost').find((l) => l.time >= resumedAt);
  await waitBalanced(group, db, o.renewEveryMs * 3);
  // What p2 did after it woke, outside the shards it gained again (at new epochs) since.
  const regained = new Map<number, number>();
  for (const line of group.logged(victim, 'gained').filter((l) => l.time >= resumedAt))
    for (const shard of Object.keys(line.shards as Record<string, number>).map(Number))
      if (!regained.has(shard)) regained.set(shard, line.time);
  // A gain is logged up to LOG_BATCH_MS after it happened (gains made together make one line).
  const stale = (key: string, t: number) => {
    const at = regained.get(shardOf(key, o.shards));
    return at === undefined || t < at - LOG_BATCH_MS;
  };
  const staleCalls = callsSince(readCalls(group.calls), victim.pid, resumedAt).filter((c) =>
    stale(c.key, c.start),
  );
  const { rows } = await db.query<{ key: string }>(
    `select key from resources where status->>'instance' = $1`,
    [victim.name],
  );
  const staleStatusRows = rows.filter((r) => !regained.has(shardOf(r.key, o.shards))).length;
  const staleSamples = staleCalls.slice(0, 5).map((c) => {
    const shard = shardOf(c.key, o.shards);
    const at = regained.get(shard);
    return `${c.op} ${c.key} (shard ${shard}) at +${(c.start - resumedAt).toFixed(0)} ms, shard regained ${at === undefined ? 'never' : `at +${(at - resumedAt).toFixed(0)} ms`}`;
  });
  const lostAt = lost === undefined ? undefined : lost.time - resumedAt;
  const staleWrites = staleCalls.filter((c) => c.op !== 'observe').length;
  return {
    takeoverMs,
    lostLogged: lost?.msg,
    lostAt,
    staleWrites,
    staleReads: staleCalls.length - staleWrites,
    staleSamples,
    staleStatusRows,
    convergeMs,
  };
}

/**
 * Cut the owner behind the proxy off from the database (a blackhole: the server keeps its
 * sessions): it must stop its shards before any other instance claims them, and the claims
 * come only after the leases expired.
 */
export async function cutOwner(
  group: Group,
  db: pg.ClientBase,
  proxy: TcpProxy,
  o: ChaosOptions,
  say: (m: string) => void,
  name: string,
  mode: 'blackhole' | 'reset',
) {
  await waitBalanced(group, db, o.renewEveryMs * 3);
  await waitQuiet(group, 1000);
  const victim = group.members.get(name)!;
  proxy.cut(mode);
  const cutAt = now();
  victim.downAt = cutAt;
  const { rows } = await db.query<{ shard: number; expires: number }>(
    `select shard, extract(epoch from expires_at) * 1000 as expires from shard_leases where owner = $1`,
    [victim.name],
  );
  say(`cut ${name} (${rows.length} shards) off from the database (${mode})`);
  const shards = rows.map((r) => r.shard);
  await until(
    `${name}'s shards claimed by others`,
    async () => {
      const now = owners(await leases(db));
      return shards.every((s) => now.has(s) && now.get(s) !== victim.name);
    },
    o.leaseTtlMs * 5,
  );
  await until('the claims logged', () => gainedAt(group, shards, cutAt).size === shards.length, 5_000);
  // It may stop only later (it should have stopped before the claims): wait a lease for it.
  await until(
    'the cut-off owner logs its shards lost',
    () => group.logged(victim, 'lost').some((l) => l.time >= cutAt),
    o.leaseTtlMs * 2,
  ).catch(() => undefined);
  const claims = gainedAt(group, shards, cutAt);
  const firstClaim = Math.min(...claims.values());
  const stopped = group
    .logged(victim, 'lost')
    .find((l) => l.time >= cutAt && /expired|disconnected/.test(String(l.msg)));
  const expires = new Map(rows.map((r) => [r.shard, Number(r.expires)]));
  const claimsBeforeExpiry = [...claims].filter(([s, t]) => t < (expires.get(s) ?? 0)).length;
  proxy.heal();
  group.kill9(victim);
  await victim.exited;
  return {
    stoppedAfterMs: stopped === undefined ? undefined : stopped.time - cutAt,
    firstClaimAfterMs: firstClaim - cutAt,
    stoppedBeforeClaim: stopped !== undefined && stopped.time < firstClaim,
    claimsBeforeExpiry,
    shards: shards.length,
  };
}
