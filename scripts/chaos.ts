/**
 * `npm run chaos`: the chaos scenarios of `test/cluster-chaos.test.ts` at full size — four
 * `setpoint run` processes on one PostgreSQL, 64 shards, 10,000 resources — with the figures
 * printed: takeover after kill -9, how soon an instance cut off from the database stops (against
 * its lease), shards moved per change of membership, duplicate creates, calls on one key from
 * two processes at once, the longest time a shard went without an owner, convergence times.
 * Exits 1 when an invariant broke.
 *
 *   npm run chaos
 *   npm run chaos -- --resources 2000 --shards 32 --json
 *
 * It starts a PostgreSQL of its own (`SETPOINT_TEST_DATABASE_URL` names one instead) and
 * compiles the CLI once, so each process starts fast.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCli } from '../test/helpers/built-cli.js';
import { type ChaosFigures, type CutFigures, runChaos } from '../test/helpers/chaos-run.js';
import { killEveryChild } from '../test/helpers/cluster-procs.js';
import { freshDatabase, startCluster } from '../test/helpers/postgres.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '4' },
    shards: { type: 'string', default: '64' },
    resources: { type: 'string', default: '10000' },
    'lease-ttl': { type: 'string', default: '3000' },
    'renew-every': { type: 'string', default: '500' },
    latency: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const n = (name: keyof typeof values) => Number(values[name]);
const leaseTtlMs = n('lease-ttl');
const renewEveryMs = n('renew-every');

const cli = buildCli();
const cluster = await startCluster();
const dir = mkdtempSync(join(tmpdir(), 'setpoint-chaos-'));
// Interrupted: no process, database or directory is left behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    killEveryChild();
    cluster.stop();
    cli.remove();
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
let figures: ChaosFigures | undefined;
let failure: unknown;
try {
  figures = await runChaos({
    dir,
    bin: cli.bin,
    url: await freshDatabase(cluster, 'chaos'),
    members: n('members'),
    shards: n('shards'),
    resources: n('resources'),
    leaseTtlMs,
    renewEveryMs,
    latencyMs: n('latency'),
    concurrency: n('concurrency'),
    convergeMs: 600_000,
    progress: (message) => process.stderr.write(`  · ${message}\n`),
  });
} catch (error) {
  failure = error;
} finally {
  cluster.stop();
  cli.remove();
  if (values.keep) process.stderr.write(`kept ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}
if (figures === undefined) {
  process.stderr.write(`chaos: ${failure instanceof Error ? failure.stack : String(failure)}\n`);
  process.exit(1);
}

const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x)} ms`);
const cutLine = (what: string, c: CutFigures | undefined) =>
  c
    ? `  ${what}: stopped its ${c.shards} shards ${ms(c.stoppedAfterMs)} after the cut (60 % of the lease is ${ms(leaseTtlMs * 0.6)}); first claim by another ${ms(c.firstClaimAfterMs)} after; stopped first: ${c.stoppedBeforeClaim}; claims before the lease expired: ${c.claimsBeforeExpiry}`
    : `  ${what}: not reached`;
const broken: string[] = [];
if (figures.error !== undefined) broken.push(`did not finish: ${figures.error}`);
if (figures.duplicates.length > 0) broken.push(`${figures.duplicates.length} duplicate creates`);
if (figures.overlaps > 0) broken.push(`${figures.overlaps} overlapping calls on one key`);
if (figures.worstOwnerlessMs > figures.ownerlessBoundMs + 200)
  broken.push('a shard went without an owner too long');
if (figures.pause && (figures.pause.staleWrites > 0 || figures.pause.staleStatusRows > 0))
  broken.push('a paused owner wrote after its shards moved');
if (figures.pause && figures.pause.staleReads > 0) broken.push('a paused owner read after its shards moved');
if (figures.cut && (!figures.cut.stoppedBeforeClaim || figures.cut.claimsBeforeExpiry > 0))
  broken.push('a cut-off owner was taken over before it stopped (blackhole)');
if (figures.cutReset && !figures.cutReset.stoppedBeforeClaim)
  broken.push('a cut-off owner was taken over before it stopped (reset)');
for (const c of figures.membership) if (c.moved > c.bound) broken.push(`${c.change}: too many shards moved`);

if (values.json) process.stdout.write(`${JSON.stringify({ ...figures, broken })}\n`);
else {
  const p = figures.pause;
  console.log(
    [
      `chaos: ${n('members')} processes, ${n('shards')} shards, ${n('resources')} resources, lease ${leaseTtlMs} ms, renewed every ${renewEveryMs} ms`,
      `  first convergence (${n('members')} starts, one kill -9 mid-create): ${ms(figures.convergeFirstMs)}`,
      `  takeover after kill -9:                             ${ms(figures.takeoverAfterKillMs)}`,
      ...figures.membership.map(
        (m) => `  ${m.change}: ${m.moved} shards moved (bound ceil(shards/members)+1 = ${m.bound})`,
      ),
      p
        ? `  SIGSTOP past the lease: taken over after ${ms(p.takeoverMs)}; resumed, it logged "${p.lostLogged}" ${ms(p.lostAt)} later; after that: ${p.staleWrites} writes, ${p.staleReads} reads, ${p.staleStatusRows} status rows on shards it no longer held; reconverged in ${ms(p.convergeMs)}`
        : '  SIGSTOP: not reached',
      ...(p?.staleSamples ?? []).map((s) => `      stale: ${s}`),
      cutLine('cut off (blackhole)', figures.cut),
      cutLine('cut off (reset)', figures.cutReset),
      `  last convergence: ${ms(figures.convergeLastMs)}`,
      `  duplicate creates: ${figures.duplicates.length}; overlapping calls on one key: ${figures.overlaps}`,
      ...figures.overlapSamples.map((s) => `      overlap: ${s}`),
      `  longest without an owner at work: ${ms(figures.worstOwnerlessMs)} (bound lease + tick = ${ms(figures.ownerlessBoundMs)}, sampled every 100 ms)`,
      broken.length === 0 ? '  every invariant held' : `  BROKEN: ${broken.join('; ')}`,
    ].join('\n'),
  );
}
process.exit(broken.length === 0 ? 0 : 1);
