/**
 * Scale-out on PostgreSQL, with real `setpoint run` processes sharing one database and a
 * recording provider whose mutating calls take a fixed time (20 ms), each instance allowed a
 * few calls in flight (8): the instances, not the CPU, are the limit.
 *
 * - throughput: creates/s converging 2,000 new resources with 1, 2 and 4 instances (target: 4
 *   instances ≥ 3.6× one);
 * - takeover after kill -9: from the kill until every shard the victim held is held by another,
 *   p50 and max over the kills (target ≤ 2 s); a new member joins after each;
 * - spec write → apply starts: a resource's spec changed in the database the way a publisher
 *   does (the row updated, its shard announced) until its owner's provider logs the update's
 *   start, p50 and p99 (target p99 < 100 ms);
 * - shards moved per change of membership (each kill, each join), against ceil(shards/members)+1.
 *
 *   node --import tsx bench/scale-out.ts [--quick] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { publish } from '../src/store/pg/resources.js';
import { CallTail } from '../test/helpers/call-log.js';
import { killAndTakeover, moved, waitBalanced, waitConverged } from '../test/helpers/chaos-steps.js';
import { Group, killEveryChild, now, thingNames } from '../test/helpers/cluster-procs.js';
import { connectDb, leases, owners } from '../test/helpers/group-db.js';
import { until } from '../test/helpers/poll.js';
import { freshDatabase, startCluster } from '../test/helpers/postgres.js';
import { bundleCli } from './lib/cli-bundle.js';
import { distribution, progress, report } from './lib/measure.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    shards: { type: 'string', default: '64' },
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
  },
});
const quick = values.quick === true;
const SHARDS = Number(values.shards);
const RESOURCES = quick ? 600 : 2000;
const KILLS = quick ? 4 : 10;
const CHANGES = quick ? 40 : 200;
const LEASE_TTL_MS = 3000;
const RENEW_EVERY_MS = 500;
const settle = RENEW_EVERY_MS * 3;

const dirs: string[] = [];
const cli = bundleCli();
const cluster = await startCluster();
// Interrupted: no process, database or directory is left behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    killEveryChild();
    cluster.stop();
    cli.remove();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    process.exit(130);
  });
const groups: Group[] = [];
const clients: pg.Client[] = [];
const names = thingNames(RESOURCES);
const things = (content: string) => names.map((name) => ({ kind: 'things', name, spec: { content } }));

/** A group of `count` members on a fresh database, publishing nothing themselves. */
async function makeGroup(count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-scale-'));
  dirs.push(dir);
  const url = await freshDatabase(cluster, 'scale');
  const group = new Group({
    dir,
    bin: cli.bin,
    url,
    shards: SHARDS,
    leaseTtlMs: LEASE_TTL_MS,
    renewEveryMs: RENEW_EVERY_MS,
    latencyMs: Number(values.latency),
    concurrency: Number(values.concurrency),
  });
  groups.push(group);
  group.writeResources(names, () => 'v1');
  await group.start('p1', { publish: false }); // migrates the database
  await Promise.all(
    Array.from({ length: count - 1 }, (_, i) => group.start(`p${i + 2}`, { publish: false })),
  );
  const db = await connectDb(url);
  clients.push(db);
  await waitBalanced(group, db, settle);
  return { group, db };
}

/** Creates per second converging the whole set, published at once to `count` instances. */
async function throughput(count: number) {
  const { group, db } = await makeGroup(count);
  const tail = new CallTail(group.calls);
  await publish(db, things('v1'), SHARDS);
  const t0 = now();
  let done = 0;
  let last = t0;
  await until(
    `${RESOURCES} creates by ${count} instances`,
    () => {
      for (const line of tail.read())
        if (line.op === 'create' && line.phase === 'end') {
          done++;
          last = Math.max(last, line.t);
        }
      return done >= RESOURCES;
    },
    300_000,
  );
  const perSec = RESOURCES / ((last - t0) / 1000);
  progress(
    `${count} instance(s): ${RESOURCES} creates in ${((last - t0) / 1000).toFixed(2)} s = ${perSec.toFixed(0)}/s`,
  );
  return { group, db, perSec };
}

const changes: { change: string; moved: number; bound: number }[] = [];
/** Kill -9 a member, time the takeover; a new member joins; count the shards each change moved. */
async function kills(group: Group, db: pg.Client) {
  const times: number[] = [];
  let next = group.members.size + 1;
  for (let i = 0; i < KILLS; i++) {
    const before = await waitBalanced(group, db, settle);
    const live = group.live();
    const victim = live[i % live.length]!;
    times.push(await killAndTakeover(group, db, victim));
    const afterKill = await waitBalanced(group, db, settle);
    const members = group.live().length;
    changes.push({
      change: `kill -9 ${victim.name}`,
      moved: moved(before, afterKill),
      bound: Math.ceil(SHARDS / members) + 1,
    });
    await group.start(`p${next++}`, { publish: false });
    const afterJoin = await waitBalanced(group, db, settle);
    changes.push({
      change: 'join',
      moved: moved(afterKill, afterJoin),
      bound: Math.ceil(SHARDS / (members + 1)) + 1,
    });
    progress(`kill ${i + 1}/${KILLS}: taken over in ${times.at(-1)!.toFixed(0)} ms`);
  }
  return distribution(times);
}

/** A spec changed in the database until its owner starts the update. */
async function specToApply(group: Group, db: pg.Client) {
  await waitConverged(group, db, 120_000);
  const tail = new CallTail(group.calls);
  tail.read();
  const sample: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const key = `things/${names[(i * 7919) % names.length]}`;
    await db.query('begin');
    await db.query(
      `update resources set spec = $2, generation = generation + 1,
              resource_version = nextval('resource_versions'), updated_at = now()
        where key = $1`,
      [key, JSON.stringify({ content: `change ${i}` })],
    );
    await db.query("select pg_notify('setpoint_resources', shard::text) from resources where key = $1", [
      key,
    ]);
    const t0 = now();
    await db.query('commit');
    let started: number | undefined;
    await until(`the update of ${key} starts`, () => {
      for (const line of tail.read())
        if (line.key === key && line.op === 'update' && line.phase === 'start') started = line.t;
      return started !== undefined;
    });
    sample.push(started! - t0);
  }
  return distribution(sample);
}

let result: Record<string, unknown> | undefined;
try {
  const one = await throughput(1);
  await one.group.killAll();
  const two = await throughput(2);
  await two.group.killAll();
  const four = await throughput(4);
  const takeover = await kills(four.group, four.db);
  const apply = await specToApply(four.group, four.db);
  const worst = changes.reduce((w, c) => (c.moved / c.bound > w.moved / w.bound ? c : w), changes[0]!);
  result = {
    bench: 'scale-out',
    resources: RESOURCES,
    shards: SHARDS,
    latencyMs: Number(values.latency),
    concurrency: Number(values.concurrency),
    throughput: {
      one: one.perSec,
      two: two.perSec,
      four: four.perSec,
      twoVsOne: two.perSec / one.perSec,
      fourVsOne: four.perSec / one.perSec,
    },
    takeover,
    apply,
    moved: { worst: worst.moved, bound: worst.bound, change: worst.change, all: changes },
    leasesAtEnd: owners(await leases(four.db)).size,
  };
} finally {
  for (const g of groups) await g.killAll();
  for (const c of clients) await c.end().catch(() => undefined);
  cluster.stop();
  cli.remove();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

const r = result as {
  throughput: Record<string, number>;
  takeover: ReturnType<typeof distribution>;
  apply: ReturnType<typeof distribution>;
  moved: { worst: number; bound: number; change: string };
};
report(values.json === true, result, () =>
  [
    `scale-out: ${RESOURCES} resources, ${SHARDS} shards, ${values.latency} ms per mutating call, ${values.concurrency} in flight per instance`,
    `  creates/s: 1 instance ${r.throughput.one!.toFixed(0)}, 2: ${r.throughput.two!.toFixed(0)} (${r.throughput.twoVsOne!.toFixed(2)}×), 4: ${r.throughput.four!.toFixed(0)} (${r.throughput.fourVsOne!.toFixed(2)}×; target ≥ 3.6×)`,
    `  takeover after kill -9: p50 ${r.takeover.p50.toFixed(0)} ms, max ${r.takeover.max.toFixed(0)} ms over ${r.takeover.n} (target ≤ 2,000 ms)`,
    `  spec write → apply starts: p50 ${r.apply.p50.toFixed(1)} ms, p99 ${r.apply.p99.toFixed(1)} ms over ${r.apply.n} (target p99 < 100 ms)`,
    `  shards moved per change, worst against ceil(shards/members)+1: ${r.moved.worst} of ${r.moved.bound} (${r.moved.change})`,
  ].join('\n'),
);
process.exit(0);
