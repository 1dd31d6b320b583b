/**
 * The dashboard's page alone: how many changed rows a second it takes in without falling
 * behind, when the runtime is not the limit. A stand-in runtime holds N plain statuses and
 * changes `rate/10` of them every 100 ms, announcing each with the event a real pass would
 * (`action:applied`); the real status server and feed serve them to the page in Chromium. Every
 * 100 ms (after a warm-up of 0.5 s) the page is asked for the server time (`at`) of the last
 * event it applied: its staleness, at least the feed's 250 ms between batches. A rate is kept up when the staleness p99 stays under 1 s and does not grow.
 */
import type { Browser } from 'playwright-core';
import type { ResourceStatus, Runtime } from '../../src/runtime/index.js';
import { createStatusServer } from '../../src/server/status-server.js';
import { distribution, sleep } from './measure.js';

const TICK_MS = 100;
const KEEP_UP_MS = 1000;
const GROWTH_LIMIT_MS = 250;
const WARM_UP_MS = 500;

type Handler = (e: unknown) => void;

/** A runtime as far as the status server and its feed need one, over plain statuses. */
function standIn(n: number) {
  const statuses = new Map<string, ResourceStatus>();
  const handlers = new Map<string, Handler[]>();
  for (let i = 0; i < n; i++) {
    const key = `bench/r${i}`;
    statuses.set(key, {
      key,
      kind: 'bench',
      name: `r${i}`,
      phase: 'synced',
      conditions: [
        { type: 'Ready', status: true, reason: 'Synced' },
        { type: 'Synced', status: true, reason: 'Synced' },
        { type: 'Progressing', status: false, reason: 'Idle' },
        { type: 'Degraded', status: false, reason: 'AsExpected' },
      ],
      generation: 1,
      observedGeneration: 1,
      attempts: 0,
      lastError: undefined,
      lastReconcileAt: undefined,
      nextReconcileAt: undefined,
      plan: undefined,
      rolledBack: false,
      restarts: 0,
    });
  }
  const keys = [...statuses.keys()];
  let cursor = 0;
  const runtime = {
    state: 'running',
    status: (key?: string) => (key === undefined ? [...statuses.values()] : statuses.get(key)),
    tree: () => undefined,
    heldDeletions: () => [],
    approveDeletions: () => [],
    reconcile: () => true,
    on(name: string, fn: Handler) {
      handlers.set(name, [...(handlers.get(name) ?? []), fn]);
      return () =>
        handlers.set(
          name,
          (handlers.get(name) ?? []).filter((h) => h !== fn),
        );
    },
    metrics: { registry: { contentType: 'text/plain', metrics: async () => '' } },
  };
  /** The next `k` resources move to a new generation, each announced as applied. */
  const change = (k: number, at: number) => {
    const applied = handlers.get('action:applied') ?? [];
    for (let j = 0; j < k; j++) {
      const key = keys[cursor]!;
      cursor = (cursor + 1) % keys.length;
      const s = statuses.get(key)!;
      const generation = s.generation + 1;
      statuses.set(key, { ...s, generation, observedGeneration: generation });
      const e = { key, kind: s.kind, name: s.name, generation, at, action: 'update', durationMs: 1 };
      for (const fn of applied) fn(e);
    }
  };
  return { runtime: runtime as unknown as Runtime, change };
}

export interface PageAloneResult {
  readonly rate: number;
  /** How far behind the page's last applied event was, sampled every 100 ms. */
  readonly stalenessMs: ReturnType<typeof distribution>;
  readonly growthMs: number;
  readonly keptUp: boolean;
}

/** The page alone, at each rate in turn (stopping at the first it does not keep up with). */
export async function pageAlone(
  browser: Browser,
  n: number,
  rates: readonly number[],
  seconds: number,
): Promise<PageAloneResult[]> {
  const { runtime, change } = standIn(n);
  const server = await createStatusServer({ runtime, port: 0 });
  const context = await browser.newContext();
  const page = await context.newPage();
  const results: PageAloneResult[] = [];
  try {
    await page.goto(`${server.url}/`, { waitUntil: 'commit' });
    await page.waitForSelector('body[data-rendered="1"]', { state: 'attached', timeout: 180_000 });
    const lastAt = () =>
      page.evaluate(() =>
        (globalThis as unknown as { __setpointDashboard: { lastAt(): number } }).__setpointDashboard.lastAt(),
      );
    for (const rate of rates) {
      const k = Math.max(1, Math.round((rate * TICK_MS) / 1000));
      const samples: number[] = [];
      const start = Date.now();
      const end = start + seconds * 1000;
      let next = start;
      while (Date.now() < end) {
        change(k, Date.now());
        const staleness = Date.now() - (await lastAt());
        // The first half second only shows the pause before the window: nothing was sent then.
        if (Date.now() - start >= WARM_UP_MS) samples.push(staleness);
        next += TICK_MS;
        await sleep(Math.max(0, next - Date.now()));
      }
      const third = Math.max(1, Math.floor(samples.length / 3));
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      const growthMs = mean(samples.slice(-third)) - mean(samples.slice(0, third));
      const stalenessMs = distribution(samples);
      const keptUp = stalenessMs.p99 < KEEP_UP_MS && growthMs < GROWTH_LIMIT_MS;
      results.push({ rate, stalenessMs, growthMs, keptUp });
      if (!keptUp) break;
      await sleep(1000);
    }
  } finally {
    await context.close();
    await server.close();
  }
  return results;
}
