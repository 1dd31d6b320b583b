/**
 * The state store on PostgreSQL under load: how many changes a second four instances make
 * durable, each through its own connection, with group commit (the changes made while one
 * transaction commits go in the next). A throwaway cluster with `fsync` and synchronous commit
 * on, as a database in service has them, on this machine.
 *
 * - setpoint: 4 stores (`createPostgresStore`, one client each) sharing 64 shards, each write
 *   fenced by its shard's epoch as in a group, each store with 32 writers that loop over the
 *   writes of a create: `intend` → `record` → `settle`. Counted: writes resolved (each one
 *   committed), and the database's own count of commits (`pg_stat_database.xact_commit`) over
 *   the same window. Then one store alone, unfenced, as a single `setpoint run` writes.
 * - anchor, the database's limit: `pgbench` with 4 clients, each transaction one upsert of a
 *   JSON row (the shape of an inventory row), for the same window: commits a second when every
 *   write is its own transaction.
 *
 *   node --import tsx bench/pg-store.ts [--quick] [--seconds S] [--json]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { claim } from '../src/store/pg/leases.js';
import { migrate } from '../src/store/pg/migrations.js';
import { createPostgresStore } from '../src/store/pg/postgres-store.js';
import { shardOf } from '../src/store/pg/shard-of.js';
import { systemClock } from '../src/time/clock.js';
import { freshDatabase, PG_BIN, startCluster } from '../test/helpers/postgres.js';
import { nowMs, progress, report, sleep } from './lib/measure.js';
import { formatNumber } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds ?? (values.quick ? 3 : 10));
const INSTANCES = 4;
const WRITERS = 32;
const SHARDS = 64;

const cluster = await startCluster({ durable: true });
const work = mkdtempSync(join(tmpdir(), 'setpoint-pg-bench-'));
try {
  const url = await freshDatabase(cluster, 'bench_store');
  const commits = async (): Promise<number> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const r = await c.query<{ n: string }>(
        'select xact_commit as n from pg_stat_database where datname = current_database()',
      );
      return Number(r.rows[0]?.n ?? 0);
    } finally {
      await c.end();
    }
  };

  const spec = { image: 'registry.example/app:1.4.2', replicas: 3, env: { MODE: 'production' } };
  /**
   * `instances` stores on their own connections, 32 writers each, for the window. A group
   * (`fenced`) splits the shards between them and fences every write by its shard's epoch, as
   * `setpoint run` on PostgreSQL does; a lone instance owns the database, unfenced.
   */
  const load = async (instances: number, fenced: boolean) => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('truncate inventory, intents').catch(() => undefined); // from an earlier round
    await migrate(admin, SHARDS);
    const epochs = new Map<number, number>();
    const ownerOf = (shard: number) => shard % instances;
    if (fenced) {
      for (let shard = 0; shard < SHARDS; shard++) {
        const epoch = await claim(admin, shard, `i${ownerOf(shard)}`, 600_000);
        if (epoch === undefined) throw new Error(`shard ${shard} could not be claimed`);
        epochs.set(shard, epoch);
      }
    }
    await admin.end();
    const clients = Array.from({ length: instances }, () => new pg.Client({ connectionString: url }));
    for (const c of clients) await c.connect();
    const stores = clients.map((client, i) =>
      createPostgresStore({
        client,
        clock: systemClock,
        instance: `i${i}`,
        shards: SHARDS,
        ...(fenced
          ? { fence: { shardOf: (key) => shardOf(key, SHARDS), epochOf: (s) => epochs.get(s) } }
          : {}),
      }),
    );
    for (const store of stores) await store.open();
    let writes = 0;
    let stop = false;
    const loops = stores.flatMap((store, i) =>
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; !stop; n++) {
          // A key of a shard this instance holds.
          let key = `app/i${i}-w${w}-${n}`;
          for (let salt = 0; fenced && ownerOf(shardOf(key, SHARDS)) !== i; salt++)
            key = `app/i${i}-w${w}-${n}-${salt}`;
          const intent = await store.intend({ key, op: 'create', spec });
          await store.record({ key, kind: 'app', name: key.slice(4), origin: 'created', lastApplied: spec });
          await store.settle(intent.id, 'done');
          writes += 3;
        }
      }),
    );
    await sleep(1000); // warm: connections, plans, the first batches
    const w0 = writes;
    const c0 = await commits();
    const t0 = nowMs();
    await sleep(SECONDS * 1000);
    const wroteIn = writes - w0;
    const tookS = (nowMs() - t0) / 1000;
    const committed = (await commits()) - c0 - 1; // less the count's own read
    stop = true;
    await Promise.all(loops);
    for (const store of stores) await store.close();
    for (const c of clients) await c.end();
    return {
      writesPerSec: wroteIn / tookS,
      commitsPerSec: committed / tookS,
      writesPerCommit: wroteIn / Math.max(1, committed),
    };
  };
  progress(`pg-store: ${INSTANCES} fenced instances × ${WRITERS} writers for ${SECONDS} s`);
  const setpoint = await load(INSTANCES, true);
  progress(
    `pg-store: ${formatNumber(setpoint.writesPerSec)} writes/s in ${formatNumber(setpoint.commitsPerSec)} commits/s`,
  );
  progress(`pg-store: 1 instance, no fence, × ${WRITERS} writers for ${SECONDS} s`);
  const single = await load(1, false);

  // ── the database's limit: pgbench, 4 clients, one upsert per transaction ────────────────
  const script = join(work, 'upsert.sql');
  writeFileSync(
    script,
    [
      '\\set k random(1, 1000000000)',
      `insert into bench_rows (key, doc) values ('app/' || :k, '{"kind":"app","lastApplied":${JSON.stringify(spec)}}') on conflict (key) do update set doc = excluded.doc;`,
      '',
    ].join('\n'),
  );
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query('create table bench_rows (key text primary key, doc jsonb not null)');
  await admin.end();
  const target = new URL(url);
  const out = execFileSync(
    join(PG_BIN, 'pgbench'),
    [
      '-h',
      target.hostname,
      '-p',
      target.port,
      '-U',
      'postgres',
      '-n',
      '-c',
      String(INSTANCES),
      '-j',
      '2',
      '-T',
      String(SECONDS),
      '-f',
      script,
      target.pathname.slice(1),
    ],
    { encoding: 'utf8' },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const result = {
    bench: 'pg-store',
    instances: INSTANCES,
    writers: WRITERS,
    seconds: SECONDS,
    setpoint,
    single,
    anchor: { commitsPerSec: tps },
    /** Changes made durable a second, against the commits a second the database takes one by one. */
    ratio: setpoint.writesPerSec / tps,
  };
  report(values.json === true, result, () =>
    [
      `pg-store: ${INSTANCES} instances × ${WRITERS} writers, ${SECONDS} s, fsync on`,
      `  setpoint, ${INSTANCES} fenced instances: ${formatNumber(setpoint.writesPerSec)} writes/s in ${formatNumber(setpoint.commitsPerSec)} commits/s (${formatNumber(setpoint.writesPerCommit)} writes a commit)`,
      `  setpoint, 1 instance, no fence: ${formatNumber(single.writesPerSec)} writes/s in ${formatNumber(single.commitsPerSec)} commits/s (${formatNumber(single.writesPerCommit)} writes a commit)`,
      `  pgbench, ${INSTANCES} clients, one upsert a transaction: ${formatNumber(tps)} commits/s`,
      `  ratio: ${formatNumber(result.ratio)}× the database's one-write-a-commit limit`,
    ].join('\n'),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  cluster.stop();
}
