import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defineProvider, type Observed } from '../src/contract/provider.js';
import { createRuntime, type Runtime } from '../src/runtime/index.js';
import { desiredSetReady } from '../src/server/readiness.js';
import { createStatusServer, type StatusServer } from '../src/server/status-server.js';
import { TestClock } from '../src/time/test-clock.js';

/** A provider whose observations wait until `open()`: the first pass ends when the test says. */
function gatedProvider() {
  const world = new Map<string, Observed>();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const provider = defineProvider({
    kind: 'user',
    async observe(ref) {
      await gate;
      return world.get(ref.name);
    },
    async create(desired) {
      world.set(desired.name, { ...desired.spec });
    },
    async update(desired) {
      world.set(desired.name, { ...desired.spec });
    },
    async delete(_current, ref) {
      world.delete(ref.name);
    },
  });
  return { provider, open, world };
}

const running: { runtime: Runtime; server: StatusServer; release?: () => void }[] = [];
afterEach(async () => {
  for (const { runtime, server, release } of running.splice(0)) {
    release?.(); // let observations still waiting end, so the runtime can stop
    await server.close();
    await runtime.stop();
  }
});

async function setUp(options: { token?: string; secrets?: string[] } = {}) {
  const clock = new TestClock();
  const gated = gatedProvider();
  const runtime = createRuntime({ providers: [gated.provider], clock });
  await runtime.start();
  runtime.setDesired([
    { kind: 'user', name: 'alice', spec: { role: 'admin', password: 'hunter2' } },
    { kind: 'user', name: 'bob', spec: { role: 'dev' }, dependsOn: ['user/alice'] },
  ]);
  const server = await createStatusServer({
    runtime,
    port: 0,
    ...(options.token ? { token: options.token } : {}),
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });
  running.push({ runtime, server, release: gated.open });
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers });
  const firstPass = async () => {
    gated.open();
    await clock.advance(0);
    await clock.settle();
  };
  return { clock, runtime, server, get, firstPass, world: gated.world };
}

describe('the status server', () => {
  it('listens on the loopback address unless told otherwise', async () => {
    const { server } = await setUp();
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers /healthz at once, and /readyz with 503 until every resource has had its first pass', async () => {
    const { get, firstPass, world } = await setUp();
    const health = await get('/healthz');
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const early = await get('/readyz');
    expect([early.status, await early.text()]).toEqual([503, 'not ready\n']);
    await firstPass();
    expect(world.get('alice')).toEqual({ role: 'admin', password: 'hunter2' });
    const ready = await get('/readyz');
    expect([ready.status, await ready.text()]).toEqual([200, 'ready\n']);
  });

  it("serves the runtime's metrics as Prometheus text with prom-client's content type", async () => {
    const { get, firstPass, runtime } = await setUp();
    await firstPass();
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(runtime.metrics.registry.contentType);
    const text = await response.text();
    expect(text).toContain('# TYPE setpoint_reconcile_total counter');
    expect(text).toMatch(/setpoint_actions_total\{kind="user",action="create"\} 2/);
    expect(text).toMatch(/setpoint_resources\{kind="user",phase="synced"\} 2/);
  });

  it('shows the tree and every resource with its conditions and plan, secrets redacted', async () => {
    const { get } = await setUp({ secrets: ['hunter2'] });
    const before = await (await get('/status')).text();
    expect(before).not.toContain('hunter2');
    const body = JSON.parse(before) as {
      ready: boolean;
      resources: { key: string; phase: string; conditions: { type: string }[] }[];
      tree: { id: string; children: { id: string }[] };
    };
    expect(body.ready).toBe(false);
    expect(body.resources.map((r) => r.key)).toEqual(['user/alice', 'user/bob']);
    expect(body.resources[0]?.conditions.map((c) => c.type)).toEqual([
      'Ready',
      'Synced',
      'Progressing',
      'Degraded',
    ]);
    expect(body.tree.id).toBe('root');
    expect(body.tree.children.map((c) => c.id)).toEqual(['user']);
  });

  it('puts the plan in /status while a resource is out of sync, with secrets hidden', async () => {
    const clock = new TestClock();
    const provider = defineProvider({
      kind: 'user',
      observe: async () => ({ role: 'guest', password: 'old-hunter2' }),
      create: async () => {},
      update: async () => {
        throw new Error('the API refuses hunter2');
      },
      delete: async () => {},
    });
    const runtime = createRuntime({ providers: [provider], clock, maxRetries: 1 });
    await runtime.start();
    runtime.setDesired([{ kind: 'user', name: 'alice', spec: { role: 'admin', password: 'hunter2' } }]);
    await clock.settle();
    const server = await createStatusServer({ runtime, port: 0, secrets: () => ['hunter2'] });
    running.push({ runtime, server });
    const text = await (await fetch(`${server.url}/status`)).text();
    expect(text).not.toContain('hunter2');
    const [alice] = (JSON.parse(text) as { resources: { plan: unknown; lastError: string }[] }).resources;
    expect(alice?.lastError).toBe('Error: the API refuses [redacted]');
    expect(alice?.plan).toMatchObject({ action: 'adopt', key: 'user/alice' }); // it existed before: taken over
    expect(JSON.stringify(alice?.plan)).toContain('old-[redacted]');
  });

  it('asks for the bearer token on every endpoint but /healthz when one is set', async () => {
    const { get, firstPass } = await setUp({ token: 's3cret-token' });
    await firstPass();
    for (const path of ['/readyz', '/metrics', '/status']) {
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer wrong' },
        { authorization: 'Basic czNjcmV0' },
      ];
      for (const headers of attempts) {
        const refused = await get(path, headers);
        expect(refused.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="setpoint"');
        await refused.text();
      }
      const allowed = await get(path, { authorization: 'Bearer s3cret-token' });
      expect(allowed.status, path).toBe(200);
      expect(await allowed.text()).not.toContain('s3cret-token');
    }
    expect((await get('/healthz')).status).toBe(200);
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    const { get, server } = await setUp();
    expect((await get('/nope')).status).toBe(404);
    const post = await fetch(`${server.url}/status`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('refuses to start on an address in use, and on a bad port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const { runtime } = await setUp();
    await expect(createStatusServer({ runtime, port })).rejects.toThrow(/EADDRINUSE/);
    await expect(createStatusServer({ runtime, port: 70_000 })).rejects.toThrow(TypeError);
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  });

  it('is ready only for a loaded desired set whose every resource had its first pass', async () => {
    const { runtime, firstPass } = await setUp();
    const status = (key: string) => runtime.status(key);
    expect(desiredSetReady(undefined, status)).toBe(false);
    expect(desiredSetReady(['user/alice'], status)).toBe(false);
    await firstPass();
    expect(desiredSetReady(['user/alice', 'user/bob'], status)).toBe(true);
    expect(desiredSetReady(['user/alice', 'user/carol'], status)).toBe(false);
    expect(desiredSetReady([], status)).toBe(true);
  });

  it('is never ready once the runtime has failed, and says so in /status', async () => {
    const clock = new TestClock();
    // A provider bug on every observe of every resource: a systemic failure, escalated to the root.
    const broken = defineProvider({
      kind: 'user',
      observe: async () => 'not an object' as unknown as Observed,
      create: async () => {},
      update: async () => {},
      delete: async () => {},
    });
    const runtime = createRuntime({ providers: [broken], clock });
    await runtime.start();
    const server = await createStatusServer({ runtime, port: 0, ready: () => true });
    running.push({ runtime, server });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    runtime.setDesired(
      ['alice', 'bob', 'carol', 'dave', 'erin'].map((name) => ({ kind: 'user', name, spec: {} })),
    );
    for (let i = 0; i < 50 && runtime.state === 'running'; i++) await clock.advance(10);
    expect(runtime.state).toBe('failed');
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    const body = (await (await fetch(`${server.url}/status`)).json()) as { state: string; ready: boolean };
    expect(body).toMatchObject({ state: 'failed', ready: false });
  });
});
