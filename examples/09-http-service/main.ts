/**
 * Example 09 — embedding setpoint in an HTTP service.
 *
 * setpoint is a library first: a Node service creates a runtime, feeds it desired state from
 * wherever it likes (here: `POST /desired`), and reports status (here: `GET /status`). The
 * service manages DNS records in a downstream system through a provider of its own, written
 * with `defineProvider`.
 *
 * The server is a plain `node:http` server on 127.0.0.1, port 0 (any free port). The requests
 * below are real HTTP requests made with `fetch`; only the runtime's time is virtual.
 *
 *   npm run example -- 09
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import {
  type Clock,
  createRuntime,
  defineProvider,
  type Resource,
  type Runtime,
  TestClock,
} from '../../src/index.js';
import { seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock the runtime runs on. Default: a fresh `TestClock`. */
  clock?: TestClock;
}

type RecordSpec = { type: 'A' | 'CNAME'; value: string; ttl?: number };

/** The downstream DNS system: a zone of records, where every change takes 2 s to propagate. */
function dnsZone(clock: Clock) {
  const records = new Map<string, RecordSpec>();
  const propagate = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(resolve, 2000);
      signal.addEventListener('abort', () => {
        clock.clearTimeout(timer);
        reject(signal.reason);
      });
    });
  const provider = defineProvider<RecordSpec>({
    kind: 'record',
    async observe(ref) {
      const found = records.get(ref.name);
      return found ? { ...found } : undefined;
    },
    async create(desired, ctx) {
      await propagate(ctx.signal);
      records.set(desired.name, { ...desired.spec });
    },
    async update(desired, _current, _changes, ctx) {
      await propagate(ctx.signal);
      records.set(desired.name, { ...desired.spec });
    },
    async delete(_current, ref, ctx) {
      await propagate(ctx.signal);
      records.delete(ref.name);
    },
  });
  return { records, provider };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return JSON.parse(body);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The HTTP face of a runtime: POST /desired replaces the desired set, GET /status reports. */
function handler(rt: Runtime) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      if (req.method === 'POST' && req.url === '/desired') {
        const body = await readJson(req);
        if (!Array.isArray(body)) return send(res, 400, { error: 'expected an array of records' });
        const resources: Resource[] = body.map((r: { name: string; type: string; value: string }) => ({
          kind: 'record',
          name: r.name,
          spec: { type: r.type, value: r.value },
          // An alias needs the record it points to: the runtime creates that one first.
          ...(r.type === 'CNAME' ? { dependsOn: [`record/${r.value}`] } : {}),
        }));
        const result = rt.setDesired(resources);
        return result.ok ? send(res, 202, result) : send(res, 422, { errors: result.errors });
      }
      if (req.method === 'GET' && req.url === '/status') {
        return send(
          res,
          200,
          rt.status().map((s) => ({ name: s.name, phase: s.phase, ready: s.phase === 'synced' })),
        );
      }
      send(res, 404, { error: `no route for ${req.method} ${req.url}` });
    } catch (error) {
      send(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();
  const t = () => `[t=${(clock.now() / 1000).toFixed(1)}s]`;
  const zone = dnsZone(clock);
  const rt = createRuntime({ providers: [zone.provider], clock, random: seededRandom(9), allowEmpty: true });
  await rt.start();

  const server = createServer(handler(rt));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    out(`${t()} ${method} ${path} -> ${res.status} ${await res.text()}`);
  };

  try {
    await call('POST', '/desired', [
      { name: 'www', type: 'A', value: '10.0.0.1' },
      { name: 'api', type: 'CNAME', value: 'www' },
    ]);
    await clock.advance(0);
    await call('GET', '/status');
    await clock.advance(2000);
    await call('GET', '/status');
    await clock.advance(2000);
    await call('GET', '/status');
    out(`${t()} the zone: ${JSON.stringify(Object.fromEntries(zone.records))}`);

    await call('POST', '/desired', [{ name: 'www', type: 'A', value: '10.0.0.2' }]);
    await clock.advance(2000);
    await call('GET', '/status');
    out(`${t()} the zone: ${JSON.stringify(Object.fromEntries(zone.records))}`);

    await call('POST', '/desired', [{ name: 'docs', type: 'CNAME', value: 'wiki' }]);
    await call('GET', '/nowhere');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rt.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
