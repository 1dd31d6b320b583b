/**
 * The dashboard bench's measures of one page load in Chromium: the time to the first rendered
 * snapshot, the page's own breakdown of it, and its JS heap and DOM nodes after a forced GC;
 * and the same for the anchor, a page that only fetches the feed and parses its snapshot.
 *
 * Every load is in a fresh browser context (no cached bundle, no other page of the server's
 * open), so each one starts the server's feed cold.
 */
import type { Browser, Page } from 'playwright-core';
import { nowMs, sleep } from './measure.js';

const MB = 1024 * 1024;
/** A 100k snapshot takes seconds on a slow machine; a broken page takes this long to fail. */
const RENDER_TIMEOUT_MS = 180_000;

export interface PageMemory {
  readonly heapMB: number;
  /** DOM nodes alive (Chromium's `Nodes` metric). */
  readonly nodes: number;
}

/** The page's own clock, from navigation start (ms). */
export interface PageBreakdown {
  /** The HTML received. */
  readonly htmlMs: number;
  /** The bundle (`/assets/app.js`) received. */
  readonly scriptMs: number;
  readonly domContentLoadedMs: number;
  /** `body[data-rendered="1"]` set: the snapshot fetched, parsed and drawn. */
  readonly renderedMs: number;
}

export interface DashboardLoad {
  /** From `page.goto` until `body[data-rendered="1"]`, on the bench's wall clock. */
  readonly ms: number;
  readonly page: PageBreakdown;
  readonly memory: PageMemory;
  readonly rows: number;
}

export interface AnchorLoad {
  /** From `page.goto('/healthz')` until the snapshot is parsed in the page. */
  readonly ms: number;
  /** The part after `/healthz` loaded: fetch, read to the first blank line, `JSON.parse`. */
  readonly fetchParseMs: number;
  readonly bytes: number;
  readonly memory: PageMemory;
  /** The same measure before the fetch: what an almost empty page holds. */
  readonly blank: PageMemory;
  readonly rows: number;
}

/** JS heap used and DOM nodes after two collections forced through CDP. */
export async function pageMemory(page: Page): Promise<PageMemory> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  for (let i = 0; i < 2; i++) {
    await cdp.send('HeapProfiler.collectGarbage');
    await sleep(50);
  }
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
  return { heapMB: metric('JSHeapUsedSize') / MB, nodes: metric('Nodes') };
}

/** Records, on the page's clock, when the page marks its first snapshot drawn. */
const WATCH_RENDERED = `
  new MutationObserver((_, observer) => {
    if (document.body && document.body.dataset.rendered === '1') {
      globalThis.__renderedAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-rendered'] });
`;

/** Load the dashboard in a fresh context, time it to the first render, measure it, close it. */
export async function loadDashboard(
  browser: Browser,
  url: string,
  keep?: (page: Page) => Promise<void>,
): Promise<DashboardLoad> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(WATCH_RENDERED);
    const t0 = nowMs();
    await page.goto(`${url}/`, { waitUntil: 'commit' });
    await page.waitForSelector('body[data-rendered="1"]', { state: 'attached', timeout: RENDER_TIMEOUT_MS });
    const ms = nowMs() - t0;
    const breakdown = await page.evaluate(() => {
      type Entry = { name: string; responseEnd: number; domContentLoadedEventEnd?: number };
      const g = globalThis as unknown as {
        __renderedAt?: number;
        __setpointDashboard?: { rows(): number };
        performance: { getEntriesByType(type: string): Entry[] };
      };
      const nav = g.performance.getEntriesByType('navigation')[0];
      const script = g.performance
        .getEntriesByType('resource')
        .find((e) => e.name.endsWith('/assets/app.js'));
      return {
        page: {
          htmlMs: nav?.responseEnd ?? Number.NaN,
          scriptMs: script?.responseEnd ?? Number.NaN,
          domContentLoadedMs: nav?.domContentLoadedEventEnd ?? Number.NaN,
          renderedMs: g.__renderedAt ?? Number.NaN,
        },
        rows: g.__setpointDashboard?.rows() ?? 0,
      };
    });
    await sleep(500); // the first recompute and paint after the snapshot are done
    const memory = await pageMemory(page);
    if (keep) await keep(page);
    return { ms, ...breakdown, memory };
  } finally {
    await context.close();
    await sleep(300); // the server sees the feed closed before the next load
  }
}

/**
 * The floor without the page: `/healthz` on the same origin, then in it `fetch` of the feed,
 * read up to the end of its first event (the snapshot), `JSON.parse` of its data, kept on
 * `window` for the heap measure.
 */
export async function loadAnchor(browser: Browser, url: string): Promise<AnchorLoad> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${url}/healthz`, { waitUntil: 'commit' });
    await page.waitForLoadState('load');
    const blank = await pageMemory(page);
    const t0 = nowMs();
    // The same navigation as the dashboard's load, so both include it.
    await page.goto(`${url}/healthz`, { waitUntil: 'commit' });
    const read = await page.evaluate(async () => {
      const started = performance.now();
      const response = await fetch('/dashboard/feed');
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      const pieces: string[] = [];
      let tail = '';
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) throw new Error('the feed ended before its first event');
        bytes += value.byteLength;
        const text = decoder.decode(value, { stream: true });
        pieces.push(text);
        // A blank line ends the event; it may straddle two chunks.
        if ((tail + text).includes('\n\n')) break;
        tail = text.slice(-1);
      }
      await reader.cancel();
      const all = pieces.join('');
      const event = all.slice(0, all.indexOf('\n\n'));
      const data = event.slice(event.indexOf('data: ') + 'data: '.length);
      const parsed = JSON.parse(data) as { rows: unknown[] };
      (globalThis as unknown as { __snapshot: unknown }).__snapshot = parsed;
      return { fetchParseMs: performance.now() - started, bytes, rows: parsed.rows.length };
    });
    const ms = nowMs() - t0;
    const memory = await pageMemory(page);
    return { ms, ...read, memory, blank };
  } finally {
    await context.close();
    await sleep(300);
  }
}
