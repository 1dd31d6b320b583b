/**
 * The live dashboard with a large fleet, in a real browser. One process holds a runtime of N
 * resources (a provider over a `Map`, the system clock, a 1 h interval so idle resources do not
 * tick), all synced, and the status server that serves the page and its feed; Chromium loads it.
 *
 * 1. Time to first render: from `page.goto('/')` until `body[data-rendered="1"]` (the first
 *    snapshot drawn), median of 3 loads, each in a fresh browser context (a cold feed on the
 *    server, no cached bundle), with the page's own breakdown. Anchor, interleaved: a page on
 *    `/healthz` of the same server that fetches the feed, reads its first event and
 *    `JSON.parse`s it: the floor of transfer and parse of the same snapshot, without drawing.
 * 2. The page's JS heap after a GC forced through CDP, and its DOM nodes (the table draws only
 *    the rows in view, so they should not grow with N). Anchor: the same measure of the anchor
 *    page holding the parsed snapshot.
 * 3. Sustained update rate: `updateDesired` changes the specs of rate/10 resources every 100 ms
 *    for a window, at several rates; the page's applied `seq` is sampled every 250 ms, and its
 *    lag is the age (from the server's `at`) of the oldest event the server had sent that the
 *    page had not applied. A plain Node client on the same feed (the anchor) records every event.
 *    A rate is kept up by the page when its p99 lag is under 1 s and does not grow over the
 *    window; the runtime keeps up when it applies (`action:applied`) as fast as changes come.
 *
 *   node --expose-gc --import tsx bench/dashboard.ts [--quick] [--count N] [--seconds S]
 *     [--rates 1000,5000] [--json]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { createRuntime } from '../src/runtime/index.js';
import { Timeline } from '../src/server/dashboard/timeline.js';
import { createStatusServer } from '../src/server/status-server.js';
import { launchChromium } from './lib/chromium.js';
import { FeedWorker } from './lib/dashboard-feed-client.js';
import { type AnchorLoad, type DashboardLoad, loadAnchor, loadDashboard } from './lib/dashboard-page.js';
import {
  type Driver,
  type RateResult,
  type RuntimeAlone,
  rateWindow,
  runtimeAlone,
} from './lib/dashboard-rate.js';
import { pageAlone } from './lib/dashboard-synthetic.js';
import { benchProvider, makeResources, silentLogger } from './lib/fixtures.js';
import { nowMs, progress, report, sleep } from './lib/measure.js';
import { formatNumber, statOf } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    count: { type: 'string' },
    seconds: { type: 'string' },
    rates: { type: 'string' },
    'page-rates': { type: 'string' },
    loads: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const quick = values.quick === true;
const N = Number(values.count ?? (quick ? 20_000 : 100_000));
const SECONDS = Number(values.seconds ?? (quick ? 3 : 5));
const RATES = (values.rates ?? (quick ? '1000,2000,5000,10000' : '1000,5000,10000,20000,50000'))
  .split(',')
  .map(Number);
// Above 4·N a second, a 250 ms batch would change some rows twice and send them once.
const PAGE_RATES = (
  values['page-rates'] ?? (quick ? '10000,20000,40000,80000' : '10000,20000,50000,100000,200000,400000')
)
  .split(',')
  .map(Number)
  .filter((rate) => rate <= 4 * N);
const LOADS = Number(values.loads);
const HOUR = 3_600_000;

// ── the runtime and its server ────────────────────────────────────────────────────────────
progress(`dashboard: ${N} resources, rates ${RATES.join(', ')}/s for ${SECONDS} s each`);
const resources = makeResources(N);
const provider = benchProvider({ initial: resources });
const runtime = createRuntime({
  providers: [provider],
  concurrency: 64,
  interval: HOUR,
  logger: silentLogger(),
});
const timeline = new Timeline(runtime); // as `setpoint run` does: every event from the start
let applied = 0;
runtime.on('action:applied', () => {
  applied++;
});
await runtime.start();
const t0 = nowMs();
runtime.setDesired(resources);
await runtime.settled();
progress(`dashboard: ${N} synced in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
const server = await createStatusServer({ runtime, port: 0, dashboard: { timeline } });
const url = server.url;
// The first request bundles the page in a source checkout: not part of any load measured.
for (const path of ['/', '/assets/app.js', '/assets/app.css']) await (await fetch(`${url}${path}`)).text();

const browser: Browser = await launchChromium();
let page: Page | undefined;
let client: FeedWorker | undefined;
try {
  // ── 1 and 2: first render and memory, interleaved with the anchor ───────────────────────
  const loads: DashboardLoad[] = [];
  const anchors: AnchorLoad[] = [];
  for (let i = 0; i < LOADS; i++) {
    const load = await loadDashboard(browser, url);
    if (load.rows !== N) throw new Error(`the page shows ${load.rows} rows, not ${N}`);
    loads.push(load);
    const anchor = await loadAnchor(browser, url);
    if (anchor.rows !== N) throw new Error(`the anchor parsed ${anchor.rows} rows, not ${N}`);
    anchors.push(anchor);
    progress(
      `load ${i + 1}/${LOADS}: page ${load.ms.toFixed(0)} ms (heap ${load.memory.heapMB.toFixed(1)} MB, ${load.memory.nodes} nodes); ` +
        `fetch + parse ${anchor.ms.toFixed(0)} ms (heap ${anchor.memory.heapMB.toFixed(1)} MB)`,
    );
  }

  // ── 3: sustained update rate, first the runtime alone (no page, no feed open) ──────────
  const driver: Driver = {
    runtime,
    applied: () => applied,
    generations: new Uint32Array(N),
    cursor: 0,
    issued: 0,
  };
  const alone: RuntimeAlone[] = [];
  for (const rate of RATES) {
    const a = await runtimeAlone(driver, rate, SECONDS);
    alone.push(a);
    progress(
      `${rate}/s, runtime alone: issued ${a.issuedPerSec.toFixed(0)}/s, applied ${a.appliedPerSec.toFixed(0)}/s, ` +
        `process ${(a.utilization * 100).toFixed(0)} % busy, drained in ${a.drainMs} ms`,
    );
    await sleep(500);
  }
  const context = await browser.newContext();
  page = await context.newPage();
  await page.goto(`${url}/`, { waitUntil: 'commit' });
  await page.waitForSelector('body[data-rendered="1"]', { state: 'attached', timeout: 180_000 });
  client = await FeedWorker.open(url);
  await sleep(1000);
  const rates: RateResult[] = [];
  for (const rate of RATES) {
    const r = await rateWindow(driver, page, client, rate, SECONDS);
    rates.push(r);
    progress(
      `${rate}/s: runtime applied ${r.runtime.appliedPerSec.toFixed(0)}/s; page ${r.page.rowsPerSec.toFixed(0)} rows/s, ` +
        `lag p50 ${r.page.lagMs.p50.toFixed(0)} p99 ${r.page.lagMs.p99.toFixed(0)} ms, busy ${(r.page.busy * 100).toFixed(0)} %; ` +
        `node ${r.node.rowsPerSec.toFixed(0)} rows/s, delay p99 ${r.node.delayMs.p99.toFixed(0)} ms; ` +
        `process ${(r.process.utilization * 100).toFixed(0)} % busy; drained in ${r.drainMs} ms; limited by ${r.limitedBy}`,
    );
    if (!r.drained) {
      progress(`not drained after ${r.drainMs} ms: higher rates skipped`);
      break;
    }
    await sleep(1000);
  }

  // ── 4: the page alone, fed by a stand-in runtime that is never the limit ────────────────
  await page.context().close();
  page = undefined;
  const alonePage = await pageAlone(browser, N, PAGE_RATES, SECONDS);
  for (const a of alonePage)
    progress(
      `page alone, ${a.rate} rows/s: staleness p50 ${a.stalenessMs.p50.toFixed(0)} p99 ${a.stalenessMs.p99.toFixed(0)} ms, ` +
        `growth ${a.growthMs.toFixed(0)} ms: ${a.keptUp ? 'kept up' : 'fell behind'}`,
    );

  // ── the result ──────────────────────────────────────────────────────────────────────────
  const median = (xs: number[]) => statOf(xs)?.median ?? Number.NaN;
  const pageMs = median(loads.map((l) => l.ms));
  const anchorMs = median(anchors.map((a) => a.ms));
  const heapMB = median(loads.map((l) => l.memory.heapMB));
  const anchorHeapMB = median(anchors.map((a) => a.memory.heapMB));
  const blankHeapMB = median(anchors.map((a) => a.blank.heapMB));
  const perRow = (mb: number) => ((mb - blankHeapMB) * 1024 * 1024) / N;
  const pageKept = rates.filter((r) => r.limitedBy === 'none');
  const best = pageKept.at(-1);
  const nodeBest = rates.filter((r) => r.process.keptUp && r.runtime.keptUp && r.node.keptUp).at(-1);
  const firstMiss = rates.find((r) => r.limitedBy !== 'none');
  const result = {
    bench: 'dashboard',
    count: N,
    /** 1-minute load average at the end: other work on the machine skews the rates. */
    load: +(os.loadavg()[0] ?? 0).toFixed(2),
    seconds: SECONDS,
    firstRender: {
      setpoint: {
        medianMs: pageMs,
        runsMs: loads.map((l) => l.ms),
        page: {
          htmlMs: median(loads.map((l) => l.page.htmlMs)),
          scriptMs: median(loads.map((l) => l.page.scriptMs)),
          domContentLoadedMs: median(loads.map((l) => l.page.domContentLoadedMs)),
          renderedMs: median(loads.map((l) => l.page.renderedMs)),
        },
      },
      anchor: {
        medianMs: anchorMs,
        runsMs: anchors.map((a) => a.ms),
        fetchParseMs: median(anchors.map((a) => a.fetchParseMs)),
        snapshotMB: (anchors[0]?.bytes ?? 0) / (1024 * 1024),
      },
      ratio: pageMs / anchorMs,
    },
    memory: {
      setpoint: {
        heapMB,
        bytesPerRow: perRow(heapMB),
        nodes: median(loads.map((l) => l.memory.nodes)),
      },
      anchor: { heapMB: anchorHeapMB, bytesPerRow: perRow(anchorHeapMB), nodes: anchors[0]?.memory.nodes },
      blank: { heapMB: blankHeapMB, nodes: anchors[0]?.blank.nodes },
      ratio: heapMB / anchorHeapMB,
    },
    rates,
    runtimeAlone: alone,
    pageAlone: {
      results: alonePage,
      /** The most changed rows a second the page kept up with, the runtime not in the way. */
      rate: alonePage.filter((a) => a.keptUp).at(-1)?.rate ?? 0,
      stalenessP99Ms: alonePage.filter((a) => a.keptUp).at(-1)?.stalenessMs.p99 ?? Number.NaN,
      /** The first rate it did not keep up with; null when it kept up with all. */
      fellBehindAt: alonePage.find((a) => !a.keptUp)?.rate ?? null,
    },
    sustained: {
      /** The highest rate both the runtime and the page kept up with; 0 for none. */
      rate: best?.rate ?? 0,
      pageLagP99Ms: best?.page.lagMs.p99 ?? Number.NaN,
      pageLagP50Ms: best?.page.lagMs.p50 ?? Number.NaN,
      pageRowsPerSec: best?.page.rowsPerSec ?? Number.NaN,
      runtimeAppliedPerSec: best?.runtime.appliedPerSec ?? Number.NaN,
      nodeRowsPerSec: best?.node.rowsPerSec ?? Number.NaN,
      /** Anchor: the highest rate the runtime and the Node client kept up with. */
      anchorRate: nodeBest?.rate ?? 0,
      allKeptUp: pageKept.length === RATES.length ? 1 : 0,
      /** 1 when the page and the runtime kept up at 1,000 changes/s (if that rate ran). */
      keptUpAt1k: rates.some((r) => r.rate === 1000 && r.limitedBy === 'none') ? 1 : 0,
      /** What fell behind first at the lowest rate not sustained. */
      limitedBy: firstMiss?.limitedBy ?? 'none',
      limitedAt: firstMiss?.rate ?? null,
      /** The highest rate the runtime alone (no feed open) applied in full. */
      runtimeAloneRate: alone.filter((a) => a.appliedPerSec >= 0.95 * a.rate).at(-1)?.rate ?? 0,
    },
  };
  report(values.json === true, result, () => human(result));
} finally {
  await client?.close();
  await browser.close();
  await server.close();
  await runtime.stop();
}
process.exit(0);

function human(r: {
  count: number;
  firstRender: { setpoint: { medianMs: number; page: Record<string, number> }; anchor: { medianMs: number } };
  memory: {
    setpoint: { heapMB: number; bytesPerRow: number; nodes: number };
    anchor: { heapMB: number; bytesPerRow: number };
  };
  rates: RateResult[];
  runtimeAlone: RuntimeAlone[];
  pageAlone: { rate: number; stalenessP99Ms: number; fellBehindAt: number | null };
  sustained: {
    rate: number;
    anchorRate: number;
    pageLagP99Ms: number;
    limitedBy: string;
    runtimeAloneRate: number;
  };
}): string {
  const f = formatNumber;
  const fr = r.firstRender;
  const m = r.memory;
  const lines = [
    `dashboard: ${r.count} resources`,
    `  first render: ${f(fr.setpoint.medianMs)} ms; fetch + parse of the snapshot: ${f(fr.anchor.medianMs)} ms (${f(fr.setpoint.medianMs / fr.anchor.medianMs)}×)`,
    `    page clock: html ${f(fr.setpoint.page.htmlMs!)}, bundle ${f(fr.setpoint.page.scriptMs!)}, DOMContentLoaded ${f(fr.setpoint.page.domContentLoadedMs!)}, rendered ${f(fr.setpoint.page.renderedMs!)} ms`,
    `  JS heap after GC: ${f(m.setpoint.heapMB)} MB (${f(m.setpoint.bytesPerRow)} B/row); parsed snapshot: ${f(m.anchor.heapMB)} MB (${f(m.anchor.bytesPerRow)} B/row); DOM nodes ${f(m.setpoint.nodes)}`,
    '  rate/s   issued/s  applied/s  page rows/s  lag p50  lag p99  growth  busy  node rows/s  delay p99  process  drain ms  limit',
  ];
  for (const x of r.rates) {
    const cells = [
      f(x.rate).padStart(7),
      f(x.issuedPerSec).padStart(9),
      f(x.runtime.appliedPerSec).padStart(10),
      f(x.page.rowsPerSec).padStart(12),
      f(x.page.lagMs.p50).padStart(8),
      f(x.page.lagMs.p99).padStart(8),
      f(x.page.growthMs).padStart(7),
      `${(x.page.busy * 100).toFixed(0)} %`.padStart(5),
      f(x.node.rowsPerSec).padStart(12),
      f(x.node.delayMs.p99).padStart(10),
      `${(x.process.utilization * 100).toFixed(0)} %`.padStart(8),
      String(x.drainMs).padStart(9),
      ` ${x.limitedBy}`,
    ];
    lines.push(` ${cells.join(' ')}`);
  }
  for (const a of r.runtimeAlone) {
    lines.push(
      `  runtime alone at ${f(a.rate)}/s: issued ${f(a.issuedPerSec)}/s, applied ${f(a.appliedPerSec)}/s, process ${(a.utilization * 100).toFixed(0)} % busy`,
    );
  }
  const s = r.sustained;
  lines.push(
    `  sustained: ${f(s.rate)}/s with p99 lag ${f(s.pageLagP99Ms)} ms (Node client: ${f(s.anchorRate)}/s; runtime alone: ${f(s.runtimeAloneRate)}/s); first limit: ${s.limitedBy}`,
  );
  const pa = r.pageAlone;
  lines.push(
    `  page alone (stand-in runtime): kept up with ${f(pa.rate)} rows/s, staleness p99 ${f(pa.stalenessP99Ms)} ms; ${pa.fellBehindAt === null ? 'kept up with every rate tried' : `fell behind at ${f(pa.fellBehindAt)} rows/s`}`,
  );
  return lines.join('\n');
}
