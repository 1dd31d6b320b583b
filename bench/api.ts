/**
 * The desired-state API under load, each measure beside its anchor in the same process:
 *
 * 1. `writes`: writes/s through the API. `--clients` HTTP clients (`fetch`, keep-alive) create
 *    resources (`POST /api/v1/resources`) back to back against a real status server on
 *    127.0.0.1 serving the API over the embedded store (fsync'd group commit), with a runtime
 *    running the resources on the memory provider, its own state in the file store as under
 *    `setpoint run` (`--state memory` keeps it in memory): the feed into the runtime, its
 *    journal and the statuses written back are part of the cost. Anchor: the same clients
 *    against a bare `node:http` server that reads the body, parses it and appends one line to a
 *    file with the same group commit and fsync before it answers. The two take turns in
 *    windows of `--seconds`. `--idle` stores and runs resources first; `--no-runtime` feeds
 *    no runtime (the API's share alone).
 * 2. `latency`: spec write → apply starts. `--idle` resources synced; a client PUTs a changed
 *    spec of one of them, one at a time, timed from just before the request to the provider's
 *    `update` call. Anchors, interleaved, from the same client: `GET /healthz` on the same
 *    server (the HTTP round trip), and a POST to the bare fsync'd log server of 1 (the round
 *    trip with one durable write); `--samples` PUTs.
 * 3. `watch`: 100 watchers (`--watchers`) on `/api/v1/watch`; `--writers` loops PUT
 *    `--changes` changes; events/s delivered in all, the delay from commit (the store's
 *    `onCommit`) to each watcher's receipt, and whether every watcher got every change once, in
 *    order. Anchor: the same clients on a bare SSE server that broadcasts each PUT as one
 *    preformatted event (batched per turn of the loop), without a store.
 *
 * The clients run in a worker thread (`lib/api-load.ts`), so they take the second core.
 *
 *   node --expose-gc --import tsx bench/api.ts --measure writes|latency|watch [--quick]
 *     [--state file|memory] [--json]
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createDesiredApi } from '../src/api/desired-api.js';
import { openApiDocument } from '../src/api/openapi.js';
import { feedRuntime, type RuntimeFeed } from '../src/api/runtime-feed.js';
import { WatchHub } from '../src/api/watch-hub.js';
import type { Provider } from '../src/contract/provider.js';
import { memoryProvider } from '../src/providers/memory.js';
import { createRuntime, type Runtime } from '../src/runtime/index.js';
import { createStatusServer, type StatusServer } from '../src/server/status-server.js';
import { openEmbeddedSpecStore } from '../src/store/desired/embedded-store.js';
import type { Write } from '../src/store/desired/spec-store.js';
import { createFileStore } from '../src/store/file-store.js';
import { GroupCommit } from '../src/store/group-commit.js';
import { nodeStoreFs, type StoreFs } from '../src/store/store-fs.js';
import { systemClock, systemRandom } from '../src/time/clock.js';
import type { WatchJob, WatchResult, WindowMark, WritesJob, WritesResult } from './lib/api-load.js';
import { KIND, makeResources, silentLogger } from './lib/fixtures.js';
import { distribution, nowMs, progress, report, sleep } from './lib/measure.js';

const { values } = parseArgs({
  options: {
    measure: { type: 'string', default: 'writes' },
    quick: { type: 'boolean', default: false },
    clients: { type: 'string', default: '32' },
    seconds: { type: 'string' },
    idle: { type: 'string' },
    samples: { type: 'string' },
    watchers: { type: 'string', default: '100' },
    writers: { type: 'string', default: '8' },
    changes: { type: 'string' },
    /** The runtime's own state: `file` (the file store in the state directory, as `setpoint run`) or `memory`. */
    state: { type: 'string', default: 'file' },
    /** Writes only: serve the API with no runtime fed from it (what the runtime's share is). */
    'no-runtime': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const quick = values.quick === true;
if (values.state !== 'file' && values.state !== 'memory') {
  throw new TypeError(`Expected \`--state\` to be file or memory, got \`${values.state}\``);
}
const num = (text: string | undefined, full: number, small: number) =>
  text === undefined ? (quick ? small : full) : Number(text);

// ── shared ───────────────────────────────────────────────────────────────────────────────

/**
 * Run one job of `lib/api-load.ts` in a worker thread and take its answer (the message marked
 * `done`); `onMark` sees the other messages as they come.
 */
function clients<T>(job: WritesJob | WatchJob, onMark?: (mark: WindowMark) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    // A worker does not inherit the loader of TypeScript: it registers tsx, then loads the file.
    const file = new URL('./lib/api-load.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(file)}); });`;
    const worker = new Worker(boot, { eval: true, workerData: job });
    worker.on('message', (message: T | WindowMark) => {
      if ((message as { done?: boolean }).done) {
        resolve(message as T);
        void worker.terminate();
      } else onMark?.(message as WindowMark);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the client worker exited with ${code}`));
    });
  });
}

/**
 * CPU time of this process's main thread (the servers' thread) in ms, from
 * `/proc/self/task/<pid>/stat` (Linux; 10 ms ticks): unlike the event loop's busy time, it
 * does not count time the thread waited for a core the machine gave to something else.
 */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

interface Setpoint {
  readonly server: StatusServer;
  readonly runtime: Runtime;
  readonly store: Awaited<ReturnType<typeof openEmbeddedSpecStore>>;
  /** When the store wrote a snapshot (ms, `nowMs`). */
  readonly snapshots: readonly number[];
  /** Keys the runtime reported in sync at least once. */
  readonly synced: Set<string>;
  /** Provider `update` calls, as they start: name → waiter. */
  readonly onUpdate: Map<string, (t: number) => void>;
  close(): Promise<void>;
}

/**
 * The API as `setpoint run` serves it: the embedded store in a fresh state directory, the watch
 * hub, a runtime on the memory provider with its file store in the same directory, fed from the
 * API's store (`feed`), and the status server on 127.0.0.1. `idle` resources are stored (in one transaction) and synced before it resolves.
 */
async function startSetpoint(o: { idle: number; feed: boolean }): Promise<Setpoint> {
  const dir = await mkdtemp(join(tmpdir(), 'setpoint-bench-api-'));
  // The store's snapshots, as they are renamed into place: they stop the loop while written.
  const snapshots: number[] = [];
  const fs: StoreFs = {
    ...nodeStoreFs,
    async rename(from, to) {
      await nodeStoreFs.rename(from, to);
      if (to.endsWith('desired.json')) snapshots.push(nowMs());
    },
  };
  const store = await openEmbeddedSpecStore({ dir, fs });
  const api = createDesiredApi({ store, kinds: new Set([KIND]) });
  const memory = memoryProvider({ kind: KIND, clock: systemClock, random: systemRandom });
  const onUpdate = new Map<string, (t: number) => void>();
  const provider: Provider = {
    ...memory,
    update(desired, current, changes, ctx) {
      const waiter = onUpdate.get(desired.name);
      if (waiter) {
        onUpdate.delete(desired.name);
        waiter(nowMs());
      }
      return memory.update(desired, current, changes, ctx);
    },
  };
  // The runtime keeps its inventory and journal where `setpoint run` does: the file store in the
  // same state directory (every intent fsync'd), unless `--state memory`.
  const state = values.state === 'memory' ? {} : { store: createFileStore({ dir, clock: systemClock }) };
  const runtime = createRuntime({ providers: [provider], concurrency: 64, logger: silentLogger(), ...state });
  await runtime.start();
  const synced = new Set<string>();
  runtime.on('resource:synced', (e) => synced.add(e.key));
  if (o.idle > 0) {
    await store.transact(async () => ({
      writes: makeResources(o.idle).map(
        (resource): Write => ({ op: 'put', resource, labels: {}, source: 'api' }),
      ),
      result: undefined,
    }));
  }
  const hub = await WatchHub.start({ store, clock: systemClock, render: api.render });
  let feed: RuntimeFeed | undefined;
  if (o.feed) {
    feed = await feedRuntime({ runtime, store, clock: systemClock });
    const t0 = nowMs();
    while (synced.size < o.idle) {
      if (nowMs() - t0 > 120_000) throw new Error(`only ${synced.size} of ${o.idle} idle resources synced`);
      await sleep(20);
    }
  }
  const server = await createStatusServer({ runtime, port: 0, api: { api, hub, openapi: openApiDocument } });
  return {
    server,
    runtime,
    store,
    synced,
    onUpdate,
    snapshots,
    async close() {
      await server.close();
      hub.close();
      await feed?.stop();
      await runtime.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

// ── 1. writes/s ──────────────────────────────────────────────────────────────────────────

/** The anchor of writes/s: read, parse, one fsync'd line with group commit, answer. */
async function bareLogServer(): Promise<{ url: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'setpoint-bench-log-'));
  const file = await open(join(dir, 'log'), 'a');
  const log = new GroupCommit(async (data) => {
    await file.write(data);
    await file.sync();
  });
  let version = 0;
  const server = createServer((req, res) => {
    void bodyOf(req).then(async (text) => {
      const doc = JSON.parse(text) as Record<string, unknown>;
      const v = ++version;
      await log.append(`${JSON.stringify({ v, o: doc })}\n`);
      answer(res, 201, JSON.stringify({ ...doc, resourceVersion: v }));
    });
  });
  const url = await listen(server);
  return {
    url,
    async close() {
      await closeServer(server);
      await log.drain();
      await file.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function measureWrites() {
  const CLIENTS = Number(values.clients);
  const SECONDS = num(values.seconds, 1.5, 0.75);
  const WINDOWS = quick ? 2 : 4;
  /** Resources stored and running before the writes (default none): does a write cost more in a bigger store? */
  const IDLE = num(values.idle, 0, 0);
  const bare = await bareLogServer();
  const sp = await startSetpoint({ idle: IDLE, feed: values['no-runtime'] !== true });
  progress(
    `api writes: ${CLIENTS} clients, POST to a bare fsync'd log server and to setpoint by turns, ${WINDOWS} × ${SECONDS} s each`,
  );
  // The main thread's CPU and busy time in each counted window, by target.
  const cpu = [0, 0];
  const busy = [0, 0];
  let cpu0 = 0;
  let elu0 = performance.eventLoopUtilization();
  const result = await clients<WritesResult>(
    {
      job: 'writes',
      targets: [bare.url, `${sp.server.url}/api/v1/resources`],
      clients: CLIENTS,
      windows: WINDOWS,
      seconds: SECONDS,
      warmupS: quick ? 0.5 : 1,
    },
    (m) => {
      if (m.mark === 'start') {
        cpu0 = mainThreadCpuMs();
        elu0 = performance.eventLoopUtilization();
      } else {
        cpu[m.target]! += mainThreadCpuMs() - cpu0;
        busy[m.target]! += performance.eventLoopUtilization(elu0).active;
      }
    },
  );
  // Did the runtime keep up? Time until every stored resource has been in sync once.
  const stored = (await sp.store.list()).items.length;
  const t0 = nowMs();
  while (sp.synced.size < stored && nowMs() - t0 < 30_000) await sleep(10);
  const drainMs = nowMs() - t0;
  const syncedAll = sp.synced.size >= stored;
  // Store changes per create: the create itself, and the statuses written back for it.
  await sleep(300);
  const changesPerCreate = ((await sp.store.version()) - IDLE) / Math.max(1, stored - IDLE);
  await sp.close();
  await bare.close();

  const figures = (t: 0 | 1) => {
    const r = result.targets[t]!;
    const done = Math.max(1, r.ok + r.failed);
    return {
      ...r,
      perSec: r.ok / r.seconds,
      /** Main-thread CPU per write, and the rate a core of its own would give at that cost. */
      serverCpuUsEach: (cpu[t]! * 1000) / done,
      serverBoundPerSec: (done / cpu[t]!) * 1000,
      serverBusyUsEach: (busy[t]! * 1000) / done,
    };
  };
  const anchor = figures(0);
  const setpoint = { ...figures(1), stored, syncedAll, drainMs, changesPerCreate };
  return {
    bench: 'api-writes',
    clients: CLIENTS,
    idle: IDLE,
    runtimeFed: values['no-runtime'] !== true,
    windows: WINDOWS,
    seconds: SECONDS,
    setpoint,
    anchor,
    ratio: setpoint.perSec / anchor.perSec,
    cpuRatio: setpoint.serverCpuUsEach / anchor.serverCpuUsEach,
  };
}

// ── 2. spec write → apply starts ─────────────────────────────────────────────────────────

async function measureLatency() {
  const IDLE = num(values.idle, 10_000, 2000);
  const SAMPLES = num(values.samples, 400, 200);
  progress(`api latency: ${IDLE} idle resources through the store into the runtime`);
  const sp = await startSetpoint({ idle: IDLE, feed: true });
  await sleep(300);
  const base = `${sp.server.url}/api/v1/resources/${KIND}`;
  const toApply: number[] = [];
  const toAnswer: number[] = [];
  const health: number[] = [];
  const logged: number[] = [];
  // The same write with nothing of setpoint in it: a POST to the bare fsync'd log server.
  const bare = await bareLogServer();
  let timeouts = 0;
  progress(`api latency: ${SAMPLES} PUTs of a changed spec, one at a time, and as many GET /healthz`);
  const warmup = 20;
  const measuredFrom = nowMs();
  for (let k = 0; k < SAMPLES + warmup; k++) {
    const h0 = nowMs();
    await (await fetch(`${sp.server.url}/healthz`)).text();
    const h = nowMs() - h0;
    const l0 = nowMs();
    await (
      await fetch(bare.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: KIND,
          name: `app-${k}`,
          spec: { replicas: 1, image: `registry/app:v${k}` },
        }),
      })
    ).text();
    const l = nowMs() - l0;

    const i = (k * 7919) % IDLE;
    const name = `app-${i}`;
    const applied = new Promise<number>((resolve) => {
      sp.onUpdate.set(name, resolve);
      setTimeout(() => resolve(Number.NaN), 5000).unref();
    });
    const t0 = nowMs();
    const res = await fetch(`${base}/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: KIND, name, spec: { replicas: 1, image: `registry/app:v${k}`, env: {} } }),
    });
    await res.text();
    const answered = nowMs() - t0;
    if (res.status !== 200) throw new Error(`PUT ${name} answered ${res.status}`);
    const at = await applied;
    sp.onUpdate.delete(name);
    if (k < warmup) continue;
    health.push(h);
    logged.push(l);
    toAnswer.push(answered);
    if (Number.isNaN(at)) timeouts++;
    else toApply.push(at - t0);
  }
  const snapshots = sp.snapshots.filter((t) => t >= measuredFrom).length;
  await sp.close();
  await bare.close();
  return {
    bench: 'api-latency',
    idle: IDLE,
    samples: SAMPLES,
    timeouts,
    /** Snapshots of the store written while the PUTs were timed. */
    snapshots,
    applyMs: distribution(toApply),
    answerMs: distribution(toAnswer),
    healthzMs: distribution(health),
    bareLogMs: distribution(logged),
  };
}

// ── 3. watch fan-out ─────────────────────────────────────────────────────────────────────

/**
 * The anchor of fan-out: every PUT becomes one preformatted SSE event; what arrives in one
 * turn of the loop is written to every stream in one write (as the hub hands each watcher what
 * one commit made).
 */
async function bareSseServer(
  commitAt: Map<number, number>,
): Promise<{ url: string; close(): Promise<void> }> {
  const streams = new Set<ServerResponse>();
  let version = 0;
  let pending = '';
  const flush = () => {
    const text = pending;
    pending = '';
    for (const stream of streams) stream.write(text);
  };
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': watching\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    void bodyOf(req).then((text) => {
      const v = ++version;
      const object = { ...(JSON.parse(text) as Record<string, unknown>), resourceVersion: v };
      if (pending === '') setImmediate(flush);
      pending += `id: ${v}\nevent: MODIFIED\ndata: ${JSON.stringify({ type: 'MODIFIED', resourceVersion: v, object })}\n\n`;
      commitAt.set(v, nowMs());
      answer(res, 200, JSON.stringify(object));
    });
  });
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}

function fanOutFigures(result: WatchResult, expected: readonly number[], commitAt: Map<number, number>) {
  let complete = 0;
  let delivered = 0;
  let lastAt = 0;
  const delays: number[] = [];
  for (const { ids, at } of result.received) {
    delivered += ids.length;
    if (ids.length === expected.length && ids.every((id, i) => id === expected[i])) complete++;
    for (let i = 0; i < ids.length; i++) {
      const t = at[i]!;
      if (t > lastAt) lastAt = t;
      const c = commitAt.get(ids[i]!);
      if (c !== undefined) delays.push(t - c);
    }
  }
  const seconds = (lastAt - result.firstWriteAt) / 1000;
  return {
    writesOk: result.writesOk,
    writesFailed: result.writesFailed,
    ...(result.firstFailure ? { firstFailure: result.firstFailure } : {}),
    expectedEach: expected.length,
    delivered,
    /** Watchers that got every change exactly once, in version order. */
    complete,
    allComplete: complete === result.received.length ? 1 : 0,
    seconds,
    eventsPerSec: delivered / seconds,
    delayMs: distribution(delays),
  };
}

async function measureWatch() {
  const WATCHERS = Number(values.watchers);
  const WRITERS = Number(values.writers);
  const CHANGES = num(values.changes, 2000, 200);
  const job = (watchUrl: string, writeBase: string): WatchJob => ({
    job: 'watch',
    watchUrl,
    writeBase,
    watchers: WATCHERS,
    writers: WRITERS,
    changes: CHANGES,
    expect: CHANGES,
    timeoutMs: 60_000,
  });

  progress(`api watch: anchor, ${WATCHERS} SSE clients, ${CHANGES} PUTs from ${WRITERS} writers`);
  const anchorCommits = new Map<number, number>();
  const bare = await bareSseServer(anchorCommits);
  const anchorRun = await clients<WatchResult>(job(`${bare.url}/watch`, `${bare.url}/resources`));
  await bare.close();
  const anchor = fanOutFigures(
    anchorRun,
    Array.from({ length: CHANGES }, (_, i) => i + 1),
    anchorCommits,
  );

  progress(`api watch: setpoint, ${WATCHERS} watchers on /api/v1/watch`);
  const sp = await startSetpoint({ idle: 0, feed: false });
  const commitAt = new Map<number, number>();
  let recorded = await sp.store.version();
  const v0 = recorded;
  sp.store.onCommit(() => {
    const t = nowMs();
    void sp.store.version().then((v) => {
      for (let x = recorded + 1; x <= v; x++) commitAt.set(x, t);
      recorded = Math.max(recorded, v);
    });
  });
  const run = await clients<WatchResult>(
    job(`${sp.server.url}/api/v1/watch`, `${sp.server.url}/api/v1/resources/${KIND}`),
  );
  const changes = await sp.store.changesSince(v0);
  await sp.close();
  if (changes === 'gone') throw new Error('the store compacted the changes away');
  const setpoint = fanOutFigures(
    run,
    changes.map((c) => c.object.resourceVersion),
    commitAt,
  );
  return {
    bench: 'api-watch',
    watchers: WATCHERS,
    writers: WRITERS,
    changes: CHANGES,
    setpoint,
    anchor,
    ratio: setpoint.eventsPerSec / anchor.eventsPerSec,
  };
}

// ── main ─────────────────────────────────────────────────────────────────────────────────

const f = (x: number, d = 2) => x.toFixed(d);
if (values.measure === 'writes') {
  const r = await measureWrites();
  report(values.json === true, r, () =>
    [
      `writes/s through POST /api/v1/resources, ${r.clients} clients, ${r.windows} windows of ${r.seconds} s each, ${r.idle} stored before`,
      `  setpoint ${f(r.setpoint.perSec, 0)}/s (${r.setpoint.failed} failed; all synced: ${r.setpoint.syncedAll}, ${f(r.setpoint.drainMs, 0)} ms after; ${f(r.setpoint.changesPerCreate)} store changes per create)`,
      `  anchor   ${f(r.anchor.perSec, 0)}/s (bare node:http + group-commit fsync)`,
      `  ratio    ${f(r.ratio)}`,
      `  server thread CPU per write: setpoint ${f(r.setpoint.serverCpuUsEach, 0)} µs (${f(r.setpoint.serverBoundPerSec, 0)}/s on a core of its own; busy ${f(r.setpoint.serverBusyUsEach, 0)} µs)`,
      `                              anchor   ${f(r.anchor.serverCpuUsEach, 0)} µs (${f(r.anchor.serverBoundPerSec, 0)}/s; busy ${f(r.anchor.serverBusyUsEach, 0)} µs); ratio ${f(r.cpuRatio)}`,
      r.setpoint.firstFailure ? `  first failure: ${r.setpoint.firstFailure}` : '',
    ].join('\n'),
  );
} else if (values.measure === 'latency') {
  const r = await measureLatency();
  report(values.json === true, r, () =>
    [
      `spec write → apply starts, ${r.idle} idle, ${r.applyMs.n} PUTs (${r.timeouts} timed out; ${r.snapshots} store snapshots meanwhile)`,
      `  PUT → update called  p50 ${f(r.applyMs.p50)} ms  p99 ${f(r.applyMs.p99)} ms`,
      `  PUT → answered       p50 ${f(r.answerMs.p50)} ms  p99 ${f(r.answerMs.p99)} ms`,
      `  GET /healthz         p50 ${f(r.healthzMs.p50)} ms  p99 ${f(r.healthzMs.p99)} ms`,
      `  POST to a bare fsync'd log server p50 ${f(r.bareLogMs.p50)} ms  p99 ${f(r.bareLogMs.p99)} ms`,
    ].join('\n'),
  );
} else if (values.measure === 'watch') {
  const r = await measureWatch();
  const line = (name: string, x: ReturnType<typeof fanOutFigures>) =>
    `  ${name} ${f(x.eventsPerSec, 0)} events/s; delay p50 ${f(x.delayMs.p50)} ms p99 ${f(x.delayMs.p99)} ms; ${x.complete}/${r.watchers} complete (${x.delivered} delivered, ${x.expectedEach} each)`;
  report(values.json === true, r, () =>
    [
      `watch fan-out: ${r.watchers} watchers, ${r.changes} changes from ${r.writers} writers`,
      line('setpoint', r.setpoint),
      line('anchor  ', r.anchor),
      `  ratio ${f(r.ratio)}`,
    ].join('\n'),
  );
} else {
  throw new TypeError(`Expected \`--measure\` to be writes, latency or watch, got \`${values.measure}\``);
}
process.exit(0);
