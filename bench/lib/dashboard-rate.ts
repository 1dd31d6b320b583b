/**
 * The dashboard bench's update rate: real spec changes through the runtime at a fixed rate,
 * while the page (in Chromium) and a plain Node client read the same feed. Measures how many
 * rows a second reach each, how far behind the page is, and whether the runtime itself applied
 * the changes as fast as they came.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import type { Resource } from '../../src/contract/resource.js';
import type { Runtime } from '../../src/runtime/index.js';
import type { FeedWorker } from './dashboard-feed-client.js';
import { resourceAt } from './fixtures.js';
import { distribution, sleep } from './measure.js';

const TICK_MS = 100;
const SAMPLE_MS = 100;
/** Behind by at most this much (p99), and not growing: the reader keeps up. */
export const KEEP_UP_LAG_MS = 1000;
const GROWTH_LIMIT_MS = 250;
const DRAIN_LIMIT_MS = 15_000;

/** What drives the changes: the runtime, a cursor over the resources, their generations. */
export interface Driver {
  readonly runtime: Pick<Runtime, 'updateDesired' | 'settled'>;
  /** `action:applied` so far. */
  readonly applied: () => number;
  readonly generations: Uint32Array;
  cursor: number;
  issued: number;
}

export interface RateResult {
  /** Changed resources per second asked for. */
  readonly rate: number;
  /** Changed resources per second handed to `updateDesired` (the driver's timer may slip). */
  readonly issuedPerSec: number;
  readonly runtime: { readonly appliedPerSec: number; readonly keptUp: boolean };
  readonly page: {
    /** Rows of the `changes` events the page applied, per second. */
    readonly rowsPerSec: number;
    readonly lagMs: ReturnType<typeof distribution>;
    /** Mean lag of the last third of the window minus the first third's. */
    readonly growthMs: number;
    /** A sample's round trip: how long the page's main thread took to answer. */
    readonly answerMs: ReturnType<typeof distribution>;
    /** Share of wall time the renderer's main thread ran tasks (Chromium's `TaskDuration`). */
    readonly busy: number;
    readonly reconnects: number;
    readonly keptUp: boolean;
  };
  /** The anchor: the same feed parsed in Node. */
  readonly node: {
    readonly rowsPerSec: number;
    /** From the server's `at` to parsed in this process. */
    readonly delayMs: ReturnType<typeof distribution>;
    readonly keptUp: boolean;
  };
  /** The bench process (runtime, server and Node client on one event loop). */
  readonly process: {
    readonly utilization: number;
    readonly loopDelayP99Ms: number;
    /** It handed out at least 95 % of the changes asked for. */
    readonly keptUp: boolean;
  };
  /** After the window: until the runtime applied every change and the page had every event. */
  readonly drainMs: number;
  readonly drained: boolean;
  /**
   * Which fell behind first, if any: `process` (the bench process's event loop, shared by the
   * runtime, the server and the Node client, was too busy to hand out the changes on time),
   * `runtime` (it applied fewer than it was handed), `server` (the Node client got the events
   * late), `page`, or `none`.
   */
  readonly limitedBy: 'process' | 'runtime' | 'server' | 'page' | 'none';
}

/** Change the next `k` resources' specs in one `updateDesired`. */
function change(d: Driver, k: number): void {
  const n = d.generations.length;
  const set: Resource[] = new Array(k);
  for (let j = 0; j < k; j++) {
    const i = d.cursor++ % n;
    d.generations[i]! += 1;
    set[j] = resourceAt(i, d.generations[i]);
  }
  const result = d.runtime.updateDesired({ set });
  if (!result.ok) throw new Error(`updateDesired refused the change: ${JSON.stringify(result)}`);
  d.issued += k;
}

/** Hand out rate/10 changes every 100 ms for `seconds`; the window's wall-clock bounds. */
async function drive(d: Driver, rate: number, seconds: number): Promise<{ t0: number; t1: number }> {
  const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
  const t0 = Date.now();
  const end = t0 + seconds * 1000;
  for (let tick = 0; t0 + tick * TICK_MS < end; tick++) {
    const wait = t0 + tick * TICK_MS - Date.now();
    // Behind schedule: still let I/O and timers run before the next batch.
    await (wait > 0 ? sleep(wait) : new Promise((resolve) => setImmediate(resolve)));
    change(d, perTick);
  }
  await sleep(Math.max(0, end - Date.now()));
  return { t0, t1: Date.now() };
}

async function settledWithin(d: Driver, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const outcome = await Promise.race([d.runtime.settled().then(() => true as const), late]);
  clearTimeout(timer);
  return outcome;
}

export interface RuntimeAlone {
  readonly rate: number;
  readonly issuedPerSec: number;
  readonly appliedPerSec: number;
  /** Share of the window the bench process's event loop was busy. */
  readonly utilization: number;
  readonly drainMs: number;
}

/** The control: the same changes with no page and no feed open, the runtime alone. */
export async function runtimeAlone(d: Driver, rate: number, seconds: number): Promise<RuntimeAlone> {
  const applied0 = d.applied();
  const issued0 = d.issued;
  const elu0 = performance.eventLoopUtilization();
  const { t0, t1 } = await drive(d, rate, seconds);
  const wallS = (t1 - t0) / 1000;
  const result = {
    rate,
    issuedPerSec: (d.issued - issued0) / wallS,
    appliedPerSec: (d.applied() - applied0) / wallS,
    utilization: performance.eventLoopUtilization(elu0).utilization,
  };
  await settledWithin(d, DRAIN_LIMIT_MS);
  return { ...result, drainMs: Date.now() - t1 };
}

const readPage = (page: Page) =>
  page.evaluate(() => {
    const d = (globalThis as unknown as { __setpointDashboard: { lastSeq(): number } }).__setpointDashboard;
    return { now: Date.now(), seq: d.lastSeq() };
  });

export async function rateWindow(
  d: Driver,
  page: Page,
  feed: FeedWorker,
  rate: number,
  seconds: number,
): Promise<RateResult> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
  };
  let reconnects = 0;
  const onRequest = (r: { url(): string }) => {
    if (r.url().endsWith('/dashboard/feed')) reconnects++;
  };
  page.on('request', onRequest);

  const samples: { now: number; seq: number; answerMs: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const asked = Date.now();
      const s = await readPage(page);
      samples.push({ ...s, answerMs: Date.now() - asked });
      await sleep(Math.max(0, SAMPLE_MS - (Date.now() - asked)));
    }
  })();

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const elu0 = performance.eventLoopUtilization();
  const task0 = await taskSeconds();
  const applied0 = d.applied();
  const issued0 = d.issued;
  const { t0, t1 } = await drive(d, rate, seconds);
  const wallS = (t1 - t0) / 1000;
  const appliedPerSec = (d.applied() - applied0) / wallS;
  const issuedPerSec = (d.issued - issued0) / wallS;
  const elu = performance.eventLoopUtilization(elu0);
  loop.disable();
  const busy = ((await taskSeconds()) - task0) / ((Date.now() - t0) / 1000);
  sampling = false;
  await sampler;
  page.off('request', onRequest);

  // Drain: every change applied (a pass at its generation), and the page has every event the
  // server had sent by then.
  let drained = await settledWithin(d, DRAIN_LIMIT_MS);
  const lastSeq = (await feed.records()).latestSeq;
  while (drained && (await readPage(page)).seq < lastSeq) {
    if (Date.now() - t1 > DRAIN_LIMIT_MS) drained = false;
    else await sleep(50);
  }
  const drainMs = Date.now() - t1;
  await cdp.detach();
  const client = await feed.records();

  const inWindow = samples.filter((s) => s.now >= t0 && s.now <= t1);
  const lags = inWindow.map((s) => client.lagAt(s.now, s.seq));
  const third = Math.max(1, Math.floor(lags.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const growthMs = mean(lags.slice(-third)) - mean(lags.slice(0, third));
  const first = inWindow[0];
  const last = inWindow.at(-1);
  const pageRowsPerSec =
    first && last && last.now > first.now
      ? client.rowsBetween(first.seq, last.seq) / ((last.now - first.now) / 1000)
      : 0;
  const arrived = client.arrivedBetween(t0, t1);
  const nodeRows = arrived.reduce((sum, e) => sum + e.rows, 0);
  const delayMs = distribution(arrived.map((e) => e.arrived - e.at));
  const lagMs = distribution(lags);
  const answerMs = distribution(inWindow.map((s) => s.answerMs));

  const issuedKept = issuedPerSec >= 0.95 * rate;
  const runtimeKept = appliedPerSec >= 0.95 * issuedPerSec;
  const nodeKept = delayMs.p99 < KEEP_UP_LAG_MS;
  // Not the sample's round trip: its answer comes back through this process's event loop (the
  // browser's driver runs here), so it is slow when this process is busy, however the page does.
  // A page whose own thread is blocked shows in its lag, taken from what it had applied.
  const pageKept = lagMs.p99 < KEEP_UP_LAG_MS && growthMs < GROWTH_LIMIT_MS && reconnects === 0;
  return {
    rate,
    issuedPerSec,
    runtime: { appliedPerSec, keptUp: runtimeKept },
    page: { rowsPerSec: pageRowsPerSec, lagMs, growthMs, answerMs, busy, reconnects, keptUp: pageKept },
    node: { rowsPerSec: nodeRows / wallS, delayMs, keptUp: nodeKept },
    process: { utilization: elu.utilization, loopDelayP99Ms: loop.percentile(99) / 1e6, keptUp: issuedKept },
    drainMs,
    drained,
    limitedBy: !issuedKept
      ? 'process'
      : !runtimeKept
        ? 'runtime'
        : !nodeKept
          ? 'server'
          : !pageKept
            ? 'page'
            : 'none',
  };
}
