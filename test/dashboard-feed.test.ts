import { afterEach, describe, expect, it, vi } from 'vitest';
import { type SseEvent, SseParser } from '../src/cli/sse-parser.js';
import type { Observed } from '../src/contract/provider.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../src/runtime/index.js';
import {
  type ChangesEvent,
  type OverviewEvent,
  R,
  type ResourceDetail,
  ROW_DEGRADED,
  ROW_HELD,
  ROW_HOT_LOOP,
  ROW_READY,
  type Row,
  type SnapshotEvent,
} from '../src/server/dashboard/protocol.js';
import {
  createStatusServer,
  type StatusServer,
  type StatusServerOptions,
} from '../src/server/status-server.js';
import { TestClock } from '../src/time/test-clock.js';
import { mapProvider, user } from './helpers/runtime-harness.js';

const open: { runtime: Runtime; server: StatusServer; feeds: Feed[] }[] = [];
afterEach(async () => {
  for (const { runtime, server, feeds } of open.splice(0)) {
    for (const feed of feeds) feed.close();
    await server.close();
    await runtime.stop();
  }
});

interface Feed {
  /** The next event of the stream, waiting for it to arrive. */
  next(): Promise<SseEvent>;
  close(): void;
}

async function setUp(
  options: { token?: string; runtime?: Partial<RuntimeOptions>; server?: Partial<StatusServerOptions> } = {},
) {
  const clock = new TestClock();
  const world = new Map<string, Observed>();
  const runtime = createRuntime({
    providers: [mapProvider('user', world)],
    clock,
    interval: 1000,
    ...options.runtime,
  });
  await runtime.start();
  runtime.setDesired([user('a', { n: 1 }), user('b', { n: 2 }), user('c', { n: 3 })]);
  await clock.advance(0);
  await runtime.settled();
  const server = await createStatusServer({
    runtime,
    port: 0,
    clock,
    ...(options.token ? { token: options.token } : {}),
    ...options.server,
  });
  const feeds: Feed[] = [];
  open.push({ runtime, server, feeds });

  async function feed(headers: Record<string, string> = {}): Promise<Feed> {
    const abort = new AbortController();
    const res = await fetch(`${server.url}/dashboard/feed`, { headers, signal: abort.signal });
    if (res.status !== 200 || res.body === null) throw new Error(`feed answered ${res.status}`);
    const reader = res.body.getReader();
    const parser = new SseParser();
    const queued: SseEvent[] = [];
    const made: Feed = {
      async next() {
        while (queued.length === 0) {
          const { value, done } = await reader.read();
          if (done) throw new Error('the feed ended');
          queued.push(...parser.push(value));
        }
        return queued.shift()!;
      },
      close: () => abort.abort(),
    };
    feeds.push(made);
    return made;
  }
  /** Let the runtime and the feed's timers run `ms` of test time. */
  const pass = async (ms: number) => {
    await clock.advance(ms);
    await runtime.settled();
  };
  return { clock, world, runtime, server, feed, pass };
}

const rowsByKey = (rows: readonly Row[]) => new Map(rows.map((r) => [r[R.key], r]));

describe('the dashboard feed', () => {
  it('starts with every resource, then sends only the rows that changed', async () => {
    const { world, feed, pass, runtime } = await setUp();
    const page = await feed();
    const first = await page.next();
    expect(first.event).toBe('snapshot');
    const snapshot = JSON.parse(first.data) as SnapshotEvent;
    const rows = rowsByKey(snapshot.rows);
    expect([...rows.keys()].sort()).toEqual(['user/a', 'user/b', 'user/c']);
    expect(rows.get('user/a')?.[R.phase]).toBe('synced');
    expect((rows.get('user/a')?.[R.flags] ?? 0) & ROW_READY).toBe(ROW_READY);
    expect(snapshot.overview).toMatchObject({ state: 'running', ready: true, held: [], hotLoops: [] });
    expect(snapshot.overview.tree?.supervisors.map((s) => s.id)).toEqual(['user']);

    // A drift on b: repaired at its next pass. Only b's row is sent, however often a, c pass.
    world.set('b', { n: 99 });
    await pass(1500);
    const changed: Row[] = [];
    const deadline = runtime.status('user/b')!.lastReconcileAt;
    expect(deadline).toBeDefined();
    for (;;) {
      const event = await page.next();
      if (event.event !== 'changes') continue;
      changed.push(...(JSON.parse(event.data) as ChangesEvent).rows);
      if (changed.some((r) => r[R.key] === 'user/b')) break;
    }
    expect(new Set(changed.map((r) => r[R.key]))).toEqual(new Set(['user/b']));
    expect(world.get('b')).toEqual({ n: 2 });
  });

  it('sends the row of a changed spec without reading every resource again', async () => {
    const { feed, pass, runtime } = await setUp();
    const page = await feed();
    const before = rowsByKey((JSON.parse((await page.next()).data) as SnapshotEvent).rows).get('user/b')!;
    const status = vi.spyOn(runtime, 'status');
    expect(runtime.updateDesired({ set: [user('b', { n: 20 })] }).ok).toBe(true);
    await pass(300);
    let row: Row | undefined;
    while (row === undefined || row[R.phase] !== 'synced') {
      const event = await page.next();
      if (event.event === 'changes')
        row = rowsByKey((JSON.parse(event.data) as ChangesEvent).rows).get('user/b');
    }
    expect(row[R.generation]).toBe(before[R.generation] + 1);
    expect(row[R.observedGeneration]).toBe(row[R.generation]);
    expect(status.mock.calls.filter((args) => (args as unknown[]).length === 0)).toEqual([]); // no sweep
  });

  it('sends a removed key, and a held deletion in the row and the overview', async () => {
    const { feed, pass, runtime } = await setUp({ runtime: { deletionBudget: { max: 1, fraction: 0 } } });
    const page = await feed();
    await page.next(); // snapshot
    runtime.setDesired([user('a', { n: 1 })]); // two deletes: one goes, one is held
    await pass(2000); // passes, and the feed's flushes and overviews, all written by now
    let removed: string[] = [];
    let heldRow: Row | undefined;
    let overview: OverviewEvent | undefined;
    while (removed.length === 0 || heldRow === undefined || overview === undefined) {
      const event = await page.next();
      if (event.event === 'changes') {
        const changes = JSON.parse(event.data) as ChangesEvent;
        removed = [...removed, ...changes.removed];
        heldRow ??= changes.rows.find((r) => r[R.flags] & ROW_HELD);
      } else if (event.event === 'overview') {
        const o = JSON.parse(event.data) as OverviewEvent;
        if (o.overview.held.length > 0) overview = o;
      }
    }
    const held = runtime.heldDeletions().map((h) => h.key);
    expect(held).toHaveLength(1);
    expect(heldRow[R.key]).toBe(held[0]);
    expect(overview.overview.held.map((h) => h.key)).toEqual(held);
    expect(removed).toHaveLength(1);
    expect(removed[0]).not.toBe(held[0]);
  });

  it('gives a page that reconnects the state as it is now', async () => {
    const { feed, pass, runtime } = await setUp();
    const first = await feed();
    await first.next();
    first.close();
    runtime.setDesired([user('a', { n: 1 }), user('d', { n: 4 })]);
    await pass(0);
    const again = await feed();
    const snapshot = JSON.parse((await again.next()).data) as SnapshotEvent;
    expect(snapshot.rows.map((r) => r[R.key]).sort()).toEqual(['user/a', 'user/d']);
  });
});

describe('a resource page', () => {
  it('shows conditions, the plan as lines and the timeline, secrets hidden', async () => {
    const { world, server, pass } = await setUp({
      runtime: {
        providers: [
          mapProvider('user', new Map(), {
            create: async () => {
              throw new Error('refused by the API with key hunter2');
            },
          }),
        ],
      },
      server: { secrets: ['hunter2'] },
    });
    void world;
    await pass(5000); // a retry, now that the server listens: its failure is in the timeline
    const res = await fetch(`${server.url}/dashboard/resource?key=${encodeURIComponent('user/a')}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    const detail = JSON.parse(text) as ResourceDetail;
    expect(detail.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: false });
    expect(detail.lastError).toContain('[redacted]');
    expect(detail.plan?.action).toBe('create');
    expect(detail.plan?.lines).toEqual([{ path: 'n', new: '1' }]);
    expect(detail.timeline.map((e) => e.event)).toContain('action:failed');
    expect(detail.timeline.every((e) => !e.text.includes('hunter2'))).toBe(true);

    const missing = await fetch(`${server.url}/dashboard/resource?key=user%2Fnope`);
    expect(missing.status).toBe(404);
  });

  it('calls out a hot loop: the row, and the overview with the fields that keep changing', async () => {
    const { world, clock, feed, pass } = await setUp();
    const fight = () => {
      world.set('a', { n: 666 }); // another writer, putting its value back every second
      clock.setTimeout(fight, 1000);
    };
    fight();
    await pass(60_000);
    const page = await feed();
    const snapshot = JSON.parse((await page.next()).data) as SnapshotEvent;
    const a = rowsByKey(snapshot.rows).get('user/a')!;
    expect(a[R.flags] & ROW_HOT_LOOP).toBe(ROW_HOT_LOOP);
    expect(snapshot.overview.hotLoops).toEqual([{ key: 'user/a', fields: expect.stringContaining('n') }]);
    expect(rowsByKey(snapshot.rows).get('user/b')![R.flags] & ROW_HOT_LOOP).toBe(0);
  });

  it('marks a degraded row and lists the resource as not ready', async () => {
    const { feed, pass } = await setUp({
      runtime: {
        providers: [
          mapProvider('user', new Map(), {
            create: async () => {
              throw new Error('quota exceeded');
            },
          }),
        ],
        maxRetries: 2,
      },
    });
    await pass(60_000);
    const page = await feed();
    const rows = rowsByKey((JSON.parse((await page.next()).data) as SnapshotEvent).rows);
    const a = rows.get('user/a')!;
    expect(a[R.flags] & ROW_DEGRADED).toBe(ROW_DEGRADED);
    expect(a[R.flags] & ROW_READY).toBe(0);
    expect(a[R.error]).toContain('quota exceeded');
  });
});

describe('access', () => {
  it('shows the page to anyone, under a policy that allows only its own origin', async () => {
    const { server } = await setUp({ token: 'a-token-of-16-chars' });
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    const js = await fetch(`${server.url}/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    const again = await fetch(`${server.url}/assets/app.js`, {
      headers: { 'if-none-match': js.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('reads without the token, acts only with it', async () => {
    const token = 'a-token-of-16-chars';
    const { server, feed, runtime } = await setUp({ token });
    const page = await feed();
    expect((await page.next()).event).toBe('snapshot');
    const reconcile = (headers: Record<string, string>, body = '{"key":"user/a"}') =>
      fetch(`${server.url}/dashboard/reconcile`, { method: 'POST', headers, body });
    const json = { 'content-type': 'application/json' };
    const refused = await reconcile(json);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toContain('token');
    expect((await reconcile({ ...json, authorization: 'Bearer wrong-token-16-chars' })).status).toBe(401);
    const auth = { authorization: `Bearer ${token}` };
    expect((await reconcile(auth)).status).toBe(415); // not JSON: a cross-site form cannot send it
    const done = await reconcile({ ...json, ...auth });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ ok: true, message: 'user/a: reconciling now' });
    expect((await reconcile({ ...json, ...auth }, '{"key":"user/zz"}')).status).toBe(404);
    expect(runtime.status('user/a')).toBeDefined();
  });

  it('asks for the token before reads when told to', async () => {
    const token = 'a-token-of-16-chars';
    const { server, feed } = await setUp({ token, server: { dashboard: { reads: 'token' } } });
    expect((await fetch(`${server.url}/dashboard/feed`)).status).toBe(401);
    expect((await fetch(`${server.url}/dashboard/resource?key=user%2Fa`)).status).toBe(401);
    expect((await fetch(`${server.url}/`)).status).toBe(200); // the page, to ask for it
    const page = await feed({ authorization: `Bearer ${token}` });
    expect((await page.next()).event).toBe('snapshot');
  });

  it('serves no dashboard when turned off', async () => {
    const { server } = await setUp({ server: { dashboard: false } });
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/dashboard/feed`)).status).toBe(404);
  });
});
