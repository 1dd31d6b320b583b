/**
 * How quickly does a runtime holding 100,000 idle resources react?
 *
 * 1. Desired change → apply starts. All resources synced and ticking at the default 30 s
 *    interval; then, one resource at a time, its spec changes (`setDesired` of the whole set,
 *    with that one resource new) and the bench times the moment the provider's `update` is
 *    called. Reported from the `setDesired` call (what a user sees), from its return (the
 *    actor's wake-up alone), and the `setDesired` call itself (intake of the whole set).
 * 2. Restart of a crashed actor. The provider hands one actor a number from `observe`, a bug
 *    that crashes it; its supervisor starts a fresh one, which observes again. Timed from the
 *    `actor:crashed` event to the fresh actor's first `observe` (running again, doing work):
 *    one crash at a time (p50), and a batch of 1,000 crashing together (wall time from the
 *    first crash to the last fresh observe, per crash).
 *
 *   node --expose-gc --import tsx bench/latency.ts [--count 100000] [--changes 1000]
 *     [--crashes 1000] [--budget 90] [--json]
 */
import { parseArgs } from 'node:util';
import type { Resource } from '../src/contract/resource.js';
import { createRuntime } from '../src/runtime/index.js';
import { benchProvider, makeResources, silentLogger } from './lib/fixtures.js';
import { distribution, nowMs, progress, report, sleep } from './lib/measure.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    changes: { type: 'string', default: '1000' },
    crashes: { type: 'string', default: '1000' },
    /** Seconds the change phase may take at most (each change re-submits the whole set). */
    budget: { type: 'string', default: '90' },
    interval: { type: 'string', default: '30000' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.count);
const CHANGES = Number(values.changes);
const CRASHES = Math.max(1, Math.min(Number(values.crashes), Math.floor(N / 4)));
const BUDGET_MS = Number(values.budget) * 1000;
const TIMEOUT_MS = 5000;

/** One-shot waiters keyed by resource name, resolved with the time they fired. */
function waiters() {
  const pending = new Map<string, (t: number) => void>();
  return {
    fire(name: string, t: number): void {
      const resolve = pending.get(name);
      if (resolve) {
        pending.delete(name);
        resolve(t);
      }
    },
    wait(name: string): Promise<number> {
      return new Promise((resolve) => {
        pending.set(name, resolve);
        setTimeout(() => this.fire(name, Number.NaN), TIMEOUT_MS).unref();
      });
    },
  };
}

const resources = makeResources(N);
const provider = benchProvider({ initial: resources });
const rt = createRuntime({
  providers: [provider],
  concurrency: 64,
  interval: Number(values.interval),
  logger: silentLogger(),
  supervision: { maxRestarts: 1_000_000_000, withinMs: 1000 },
});
await rt.start();

const applied = waiters();
const synced = waiters();
let syncedCount = 0;
let allSynced: () => void = () => {};
const everything = new Promise<void>((resolve) => {
  allSynced = resolve;
});
rt.on('resource:synced', (e) => {
  if (++syncedCount === N) allSynced();
  synced.fire(e.name, nowMs());
});
provider.onApply = (name) => applied.fire(name, nowMs());

progress(`latency: starting ${N} actors`);
rt.setDesired(resources);
await everything;
await sleep(500);

// ── 1. desired change → apply starts ─────────────────────────────────────────────────────
progress(`latency: up to ${CHANGES} changes, one at a time (budget ${BUDGET_MS / 1000} s)`);
const fromCall: number[] = [];
const afterIntake: number[] = [];
const intake: number[] = [];
let timeouts = 0;
const phaseStart = nowMs();
for (let k = 0; k < CHANGES && nowMs() - phaseStart < BUDGET_MS; k++) {
  const i = (k * 7919) % N;
  const before = resources[i] as Resource;
  resources[i] = { ...before, spec: { ...before.spec, revision: k + 1 } };
  const apply = applied.wait(before.name);
  const resynced = synced.wait(before.name);
  const t0 = nowMs();
  const accepted = rt.setDesired(resources);
  const returned = nowMs();
  if (!accepted.ok) throw new Error(`desired set rejected: ${JSON.stringify(accepted.errors)}`);
  const at = await apply;
  if (Number.isNaN(at)) {
    timeouts++;
    continue;
  }
  fromCall.push(at - t0);
  afterIntake.push(at - returned);
  intake.push(returned - t0);
  await resynced;
}

// ── 1b. the same change through updateDesired (intake sized by the change, not the set) ──
progress(`latency: up to ${CHANGES} changes through updateDesired`);
const partial: number[] = [];
let partialTimeouts = 0;
for (let k = 0; k < CHANGES; k++) {
  const i = (k * 104_723 + 3) % N;
  const before = resources[i] as Resource;
  const next = { ...before, spec: { ...before.spec, revision: 1_000_000 + k } };
  resources[i] = next;
  const apply = applied.wait(before.name);
  const resynced = synced.wait(before.name);
  const t0 = nowMs();
  const accepted = rt.updateDesired({ set: [next] });
  if (!accepted.ok) throw new Error(`change rejected: ${JSON.stringify(accepted.errors)}`);
  const at = await apply;
  if (Number.isNaN(at)) {
    partialTimeouts++;
    continue;
  }
  partial.push(at - t0);
  await resynced;
}

// ── 2. restart of a crashed actor ────────────────────────────────────────────────────────
const crashedAt = new Map<string, number>();
const reobserved = waiters();
const restartedSync: number[] = [];
rt.on('actor:crashed', (e) => crashedAt.set(e.name, nowMs()));
rt.on('actor:restarted', (e) => {
  const name = e.key.slice(e.key.indexOf('/') + 1);
  const t = crashedAt.get(name);
  if (t !== undefined) restartedSync.push((nowMs() - t) * 1000);
});
provider.onObserve = (name) => {
  if (crashedAt.has(name)) reobserved.fire(name, nowMs());
};

async function crash(names: readonly string[]): Promise<Array<{ crashed: number; running: number }>> {
  const running = names.map((name) => reobserved.wait(name));
  for (const name of names) provider.poison.add(name);
  for (const name of names) rt.reconcile(`app/${name}`);
  const times = await Promise.all(running);
  const out = names.map((name, k) => ({ crashed: crashedAt.get(name) ?? Number.NaN, running: times[k]! }));
  for (const name of names) crashedAt.delete(name);
  // One turn of the event loop, then the next crash: back to back, as the BEAM anchor kills its
  // children (an idle pause between crashes measured a cold CPU, 4× slower, not the restart).
  await new Promise<void>((resolve) => setImmediate(resolve));
  return out;
}

progress(`latency: ${CRASHES} single crashes`);
const single: number[] = [];
let lost = 0;
for (let k = 0; k < CRASHES; k++) {
  const [one] = await crash([`app-${(k * 104_729) % N}`]);
  const us = (one!.running - one!.crashed) * 1000;
  if (Number.isNaN(us)) lost++;
  else single.push(us);
}
const singleSync = distribution(restartedSync.splice(0));

progress(`latency: a batch of ${CRASHES} crashes`);
const batchNames = Array.from({ length: CRASHES }, (_, k) => `app-${(k * 104_729 + 1) % N}`);
const batch = await crash(batchNames);
const okBatch = batch.filter((b) => !Number.isNaN(b.running - b.crashed));
lost += batch.length - okBatch.length;
const batchWallMs =
  okBatch.length === 0
    ? Number.NaN
    : Math.max(...okBatch.map((b) => b.running)) - Math.min(...okBatch.map((b) => b.crashed));
const batchSync = distribution(restartedSync.splice(0));

await rt.stop();

const ms = (xs: number[]) => distribution(xs);
const result = {
  bench: 'latency',
  count: N,
  change: {
    n: fromCall.length,
    timeouts,
    fromCallMs: ms(fromCall),
    afterIntakeMs: ms(afterIntake),
    intakeMs: ms(intake),
  },
  update: { n: partial.length, timeouts: partialTimeouts, fromCallMs: ms(partial) },
  restart: {
    lost,
    single: { ...distribution(single), syncP50Us: singleSync.p50 },
    batch: {
      n: okBatch.length,
      usEach: (batchWallMs * 1000) / Math.max(1, okBatch.length),
      meanUs: distribution(okBatch.map((b) => (b.running - b.crashed) * 1000)).mean,
      syncMeanUs: batchSync.mean,
    },
  },
};
report(values.json === true, result, () => {
  const c = result.change;
  const f = (x: number) => x.toFixed(3);
  return [
    `${N} idle actors: ${c.n} desired changes (${timeouts} timed out)`,
    `  setDesired call → update starts   p50 ${f(c.fromCallMs.p50)} ms  p99 ${f(c.fromCallMs.p99)} ms`,
    `  setDesired return → update starts p50 ${f(c.afterIntakeMs.p50)} ms  p99 ${f(c.afterIntakeMs.p99)} ms`,
    `  setDesired itself                 p50 ${f(c.intakeMs.p50)} ms  p99 ${f(c.intakeMs.p99)} ms`,
    `  updateDesired call → update starts p50 ${f(result.update.fromCallMs.p50)} ms  p99 ${f(result.update.fromCallMs.p99)} ms (${result.update.n} changes)`,
    `restart of a crashed actor (crash → fresh actor observing; ${lost} lost)`,
    `  single  p50 ${result.restart.single.p50.toFixed(1)} µs  p99 ${result.restart.single.p99.toFixed(1)} µs  (crash → restarted event p50 ${singleSync.p50.toFixed(1)} µs)`,
    `  batch of ${okBatch.length}: ${result.restart.batch.usEach.toFixed(1)} µs each (wall), mean ${result.restart.batch.meanUs.toFixed(1)} µs`,
  ].join('\n');
});
process.exit(0);
