/**
 * Example 12 — declaring resources over HTTP.
 *
 * A runtime serves the desired-state API (`/api/v1/…`) on its status listener, as
 * `setpoint run` does, with an embedded store in a temporary state directory. A "service" then
 * drives it with nothing but `fetch`: it creates resources with labels, reads one back, lists by
 * label selector, watches until each is reconciled, updates one with the version it read (and
 * loses a race once: 409, read again, retry), is refused a resource that breaks the rules, and
 * deletes one.
 *
 * The requests are real HTTP requests to 127.0.0.1 on a free port; only the runtime's time is
 * virtual, so the 1 s the broker takes per change costs nothing.
 *
 *   npm run example -- 12
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type Clock,
  createDesiredApi,
  createRuntime,
  createStatusServer,
  defineProvider,
  feedRuntime,
  openApiDocument,
  openEmbeddedSpecStore,
  TestClock,
  WatchHub,
} from '../../src/index.js';
import { seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock the runtime runs on. Default: a fresh `TestClock`. */
  clock?: TestClock;
}

type TopicSpec = { partitions: number; retentionHours: number };

/** The world: a message broker's topics, where every change takes 1 s. */
function broker(clock: Clock) {
  const topics = new Map<string, TopicSpec>();
  const slow = () => new Promise<void>((resolve) => clock.setTimeout(resolve, 1000));
  const provider = defineProvider<TopicSpec>({
    kind: 'topic',
    observe: async (ref) => {
      const found = topics.get(ref.name);
      return found ? { ...found } : undefined;
    },
    create: async (desired) => {
      await slow();
      topics.set(desired.name, { ...desired.spec });
    },
    update: async (desired) => {
      await slow();
      topics.set(desired.name, { ...desired.spec });
    },
    delete: async (_current, ref) => {
      await slow();
      topics.delete(ref.name);
    },
    // The provider's own rule for a spec: the API checks it before anything is stored.
    checkSpec: (spec) =>
      Number(spec.partitions) >= 1 && Number(spec.partitions) <= 64
        ? []
        : [{ path: 'partitions', message: 'partitions must be 1 to 64' }],
  });
  return { topics, provider };
}

/** What the service prints of an object. */
interface ApiObject {
  kind: string;
  name: string;
  labels: Record<string, string>;
  spec: Record<string, unknown>;
  resourceVersion: number;
  generation: number;
  observedGeneration: number;
  status: { phase?: string; ready?: boolean } | null;
}
const brief = (o: ApiObject) =>
  `${o.kind}/${o.name} v${o.resourceVersion} gen ${o.generation} observed ${o.observedGeneration}` +
  (o.status === null ? ' (no status yet)' : ` ${o.status.phase}${o.status.ready ? ', ready' : ''}`);
const done = (o: ApiObject) => o.observedGeneration === o.generation && o.status?.ready === true;

/** One event of a Server-Sent Events stream. */
interface SseEvent {
  id: string;
  event: string;
  data: string;
}

/** Read a `text/event-stream` body, event by event. */
async function* events(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true });
    let end = text.indexOf('\n\n');
    while (end >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      end = text.indexOf('\n\n');
      const event: SseEvent = { id: '', event: 'message', data: '' };
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue; // a comment (": watching") or a blank line
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).trimStart();
        if (field === 'id') event.id = value;
        else if (field === 'event') event.event = value;
        else if (field === 'data') event.data += value;
      }
      if (event.data !== '') yield event;
    }
  }
}

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();
  const world = broker(clock);

  // ── the setpoint side: what `setpoint run` puts together ──────────────────────────────────
  const dir = await mkdtemp(join(tmpdir(), 'setpoint-example-12-'));
  const runtime = createRuntime({
    providers: [world.provider],
    clock,
    random: seededRandom(12),
    allowEmpty: true,
  });
  await runtime.start();
  const store = await openEmbeddedSpecStore({ dir });
  const api = createDesiredApi({
    store,
    providers: [world.provider], // the kinds it accepts, and their checks of a spec
  });
  const hub = await WatchHub.start({ store, clock, render: api.render });
  const feed = await feedRuntime({ runtime, store, clock });
  const server = await createStatusServer({
    runtime,
    port: 0,
    api: { api, hub, openapi: openApiDocument },
  });

  /** Let the runtime's time pass, 100 ms at a time, until `until` holds of the stored objects. */
  const reconcile = async (until: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await until()); i++) {
      await clock.advance(100);
      await feed.flush(); // statuses written back now, not on a timer
    }
  };
  const allDone = (keys: string[]) => async () =>
    (await Promise.all(keys.map((k) => store.get(k)))).every(
      (o) => o !== undefined && o.observedGeneration === o.generation && o.status?.ready === true,
    );

  // ── the service: only HTTP from here on ───────────────────────────────────────────────────
  const base = `${server.url}/api/v1`;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body === undefined
          ? {}
          : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** Watch from `version` until every key in `keys` is reconciled, printing each event. */
  const watch = async (version: number, keys: string[], selector?: string) => {
    const abort = new AbortController();
    const query = new URLSearchParams({ resourceVersion: String(version) });
    if (selector !== undefined) query.set('labelSelector', selector);
    const res = await fetch(`${base}/watch?${query}`, { signal: abort.signal });
    out(
      `GET /api/v1/watch?${decodeURIComponent(query.toString())} -> ${res.status} ${res.headers.get('content-type')}`,
    );
    const latest = new Map<string, ApiObject>();
    let bookmarked = false;
    const watching = (async () => {
      for await (const e of events(res.body as ReadableStream<Uint8Array>)) {
        const event = JSON.parse(e.data) as { type: string; resourceVersion: number; object?: ApiObject };
        if (event.type === 'BOOKMARK') {
          // The first says "caught up to here"; later ones are the 10 s heartbeat.
          if (!bookmarked) out(`  id ${e.id} ${e.event}: caught up`);
          bookmarked = true;
          continue;
        }
        const o = event.object as ApiObject;
        out(`  id ${e.id} ${e.event} ${brief(o)}`);
        latest.set(`${o.kind}/${o.name}`, o);
        if (keys.every((k) => latest.has(k) && done(latest.get(k) as ApiObject))) return;
      }
    })();
    await reconcile(allDone(keys));
    await watching;
    abort.abort();
  };

  try {
    out('1. create three topics, with labels');
    for (const [name, team, partitions] of [
      ['orders', 'payments', 6],
      ['refunds', 'payments', 2],
      ['clicks', 'web', 12],
    ] as const) {
      const created = await call('POST', '/resources', {
        kind: 'topic',
        name,
        labels: { team },
        spec: { partitions, retentionHours: 24 },
      });
      out(
        `POST /api/v1/resources topic/${name} -> ${created.status} ${brief(created.body as unknown as ApiObject)}`,
      );
    }

    out('2. read one back');
    const read = await call('GET', '/resources/topic/orders');
    out(
      `GET /api/v1/resources/topic/orders -> ${read.status} labels ${JSON.stringify(read.body.labels)} spec ${JSON.stringify(read.body.spec)}`,
    );

    out('3. list by label selector, then watch from the list until both are reconciled');
    const listed = await call('GET', `/resources?labelSelector=${encodeURIComponent('team=payments')}`);
    const items = listed.body.items as ApiObject[];
    out(
      `GET /api/v1/resources?labelSelector=team=payments -> ${listed.status} resourceVersion ${listed.body.resourceVersion}: ${items.map((o) => o.name).join(', ')}`,
    );
    await watch(listed.body.resourceVersion as number, ['topic/orders', 'topic/refunds'], 'team=payments');

    out('4. update with the version read; another writer gets there first');
    const mine = (await call('GET', '/resources/topic/orders')).body as unknown as ApiObject;
    out(`service A reads topic/orders at v${mine.resourceVersion}`);
    const theirs = await call(
      'PATCH',
      '/resources/topic/orders',
      { spec: { retentionHours: 72 } },
      {
        'if-match': `"${mine.resourceVersion}"`,
      },
    );
    out(
      `service B: PATCH retentionHours=72, If-Match "${mine.resourceVersion}" -> ${theirs.status} ${brief(theirs.body as unknown as ApiObject)}`,
    );
    // Service A: read, change, write with the version read; on 409, read again and retry.
    let current = mine;
    for (let attempt = 1; ; attempt++) {
      const next = { ...current, spec: { ...current.spec, partitions: 12 } };
      const put = await call('PUT', '/resources/topic/orders', next, {
        'if-match': `"${current.resourceVersion}"`,
      });
      if (put.status !== 409) {
        out(
          `service A: PUT partitions=12, If-Match "${current.resourceVersion}" -> ${put.status} ${brief(put.body as unknown as ApiObject)}`,
        );
        out(`  spec now ${JSON.stringify(put.body.spec)}`);
        await watch(put.body.resourceVersion as number, ['topic/orders']);
        break;
      }
      out(
        `service A: PUT partitions=12, If-Match "${current.resourceVersion}" -> 409 ${put.body.code}: ${put.body.message}`,
      );
      if (attempt === 3) throw new Error('gave up after three conflicts');
      current = (await call('GET', '/resources/topic/orders')).body as unknown as ApiObject;
      out(`service A reads topic/orders again at v${current.resourceVersion}, and retries`);
    }

    out('5. a resource that breaks the rules: refused whole, with every problem');
    const bad = await call('POST', '/resources', {
      kind: 'topic',
      name: 'audit',
      labels: { team: 'payments' },
      spec: { partitions: 0, retentionHours: 24 },
      dependsOn: ['topic/ledger'],
    });
    out(`POST /api/v1/resources topic/audit -> ${bad.status} ${bad.body.code}`);
    for (const p of bad.body.problems as { field: string; message: string }[])
      out(`  ${p.field}: ${p.message}`);

    out('6. delete one');
    const removed = await call('DELETE', '/resources/topic/clicks');
    out(`DELETE /api/v1/resources/topic/clicks -> ${removed.status}`);
    await reconcile(async () => !world.topics.has('clicks'));
    const gone = await call('GET', '/resources/topic/clicks');
    out(`GET /api/v1/resources/topic/clicks -> ${gone.status} ${gone.body.code}`);
    out(`the broker: ${JSON.stringify(Object.fromEntries(world.topics))}`);
  } finally {
    await server.close();
    hub.close();
    await feed.stop();
    await runtime.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
