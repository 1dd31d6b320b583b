import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { type HttpProviderOptions, httpProvider } from '../src/providers/http.js';
import { createRuntime } from '../src/runtime/index.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';
import { capturedIo } from './helpers/captured-io.js';
import { type RestServer, startJsonServer } from './helpers/json-server.js';
import { stopAfterEach } from './helpers/runtime-harness.js';
import { tempProjects } from './helpers/temp-project.js';

/**
 * The http provider against json-server, a REST server package: a collection whose server
 * assigns ids on POST (`/users/1`, `/users/2`), as most REST servers do. Applying twice must not
 * make a second copy, and a create the server does not keep where setpoint looks is an error.
 */
const files = tempProjects('setpoint-json-server-');
let server: RestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const USERS = ['alice', 'bob', 'carol'];

function project(url: string, options: string, names = USERS, prune = true): string {
  const docs = names.map(
    (name) => `kind: users\nname: ${name}\nspec: { role: ${name === 'bob' ? 'admin' : 'guest'} }\n`,
  );
  return files({
    'setpoint.yaml': `resources: [users.yaml]\nproviders:\n  users: { use: http, options: { baseUrl: "${url}", ${options} } }\ndefaults: { prune: ${prune}, maxRetries: 1, backoff: { base: 10ms, cap: 20ms } }\nserver: { listen: "127.0.0.1:1" }\n`,
    'users.yaml': docs.join('---\n'),
  });
}

async function setpoint(dir: string, ...argv: string[]) {
  const { io, out } = capturedIo(dir);
  const code = await runCli(argv, io);
  return { code, text: out.stdout + out.stderr };
}

const byName = (items: Record<string, unknown>[]) =>
  Object.fromEntries(items.map((item) => [item.name as string, item]));

describe('the http provider against json-server, whose server assigns ids', () => {
  it('creates each user once, finds them by the id it remembered, and applies again without a copy', async () => {
    server = await startJsonServer('users');
    const dir = project(server.url, 'serverId: id');
    const first = await setpoint(dir, 'apply');
    expect(first.code, first.text).toBe(0);
    expect(first.text).toMatch(/3 created/);
    expect(server.items()).toHaveLength(3);
    const ids = Object.fromEntries(server.items().map((u) => [u.name, u.id]));

    server.requests.length = 0;
    const again = await setpoint(dir, 'apply');
    expect(again.code, again.text).toBe(0);
    expect(again.text).toMatch(/nothing to change/);
    expect(server.items()).toHaveLength(3);
    // Each object read at its own address, by the id the inventory kept: no list, no POST.
    expect(server.requests.filter((r) => r.startsWith('GET')).sort()).toEqual(
      USERS.map((name) => `GET /users/${ids[name]}`).sort(),
    );
    expect(server.requests.some((r) => r.startsWith('POST'))).toBe(false);
  });

  it('updates in place, repairs drift, and prunes by id', async () => {
    server = await startJsonServer('users');
    const dir = project(server.url, 'serverId: id');
    expect((await setpoint(dir, 'apply')).code).toBe(0);
    const before = byName(server.items());

    // Someone changes bob behind setpoint's back, and the config changes carol.
    await fetch(`${server.url}/${before.bob?.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'guest' }),
    });
    writeFileSync(
      join(dir, 'users.yaml'),
      'kind: users\nname: alice\nspec: { role: guest }\n---\nkind: users\nname: bob\nspec: { role: admin }\n---\nkind: users\nname: carol\nspec: { role: auditor }\n',
    );
    const changed = await setpoint(dir, 'apply');
    expect(changed.code, changed.text).toBe(0);
    const after = byName(server.items());
    expect(after.bob).toEqual({ ...before.bob, role: 'admin' });
    expect(after.carol).toEqual({ ...before.carol, role: 'auditor' });
    expect(server.items()).toHaveLength(3);

    writeFileSync(join(dir, 'users.yaml'), 'kind: users\nname: alice\nspec: { role: guest }\n');
    const pruned = await setpoint(dir, 'apply', '--approve-deletions');
    expect(pruned.code, pruned.text).toBe(0);
    expect(server.items().map((u) => u.name)).toEqual(['alice']);
    expect(server.requests).toContain(`DELETE /users/${before.bob?.id}`);
  });

  it('finds what it made by name when its state is lost, instead of making copies', async () => {
    server = await startJsonServer('users');
    const dir = project(server.url, 'serverId: id');
    expect((await setpoint(dir, 'apply')).code).toBe(0);
    rmSync(join(dir, '.setpoint'), { recursive: true });
    const again = await setpoint(dir, 'apply');
    expect(again.code, again.text).toBe(0);
    expect(server.items()).toHaveLength(3);
  });

  it('refuses to guess between two objects of one name', async () => {
    server = await startJsonServer('users', [
      { id: 1, name: 'alice', role: 'guest' },
      { id: 2, name: 'alice', role: 'guest' },
    ]);
    const dir = project(server.url, 'serverId: id', ['alice']);
    const result = await setpoint(dir, 'apply');
    expect(result.code).not.toBe(0);
    expect(result.text).toMatch(/2 objects of .*\/users have `name: "alice"`; remove all but one/);
    expect(server.items()).toHaveLength(2);
  });
});

describe('the http provider against json-server, configured as if it were keyed by name', () => {
  it('says which option to change when PUT by name is refused, and makes nothing', async () => {
    server = await startJsonServer('users');
    const dir = project(server.url, 'create: PUT');
    const result = await setpoint(dir, 'apply');
    expect(result.code).not.toBe(0);
    expect(result.text).toMatch(/PUT .*\/users\/alice -> 404: .*set `serverId: 'id'`/);
    expect(server.items()).toHaveLength(0);
  });

  it('never calls a POST it cannot read back in sync, and does not retry it into copies', async () => {
    server = await startJsonServer('users');
    const dir = project(server.url, 'create: POST', ['alice']);
    const first = await setpoint(dir, 'apply');
    expect(first.code).not.toBe(0);
    expect(first.text).toMatch(/finds no object there: if the server assigns ids, set `serverId`/);
    expect(first.text).toMatch(/0 of 1 resource in sync/);
    // Permanent: no retry posts a second copy (under `run` it waits for a new spec, not a timer).
    expect(server.items()).toHaveLength(1);
    expect(server.requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);
  });
});

describe('the http provider against json-server, under a runtime that keeps ticking', () => {
  const track = stopAfterEach();

  async function ticking(url: string, options: Partial<HttpProviderOptions>, names: string[]) {
    const clock = new TestClock();
    const rt = createRuntime({
      providers: [httpProvider({ kind: 'users', baseUrl: url, ...options })],
      clock,
      random: seededRandom(7),
      interval: 1000,
      backoff: { baseMs: 100, capMs: 400, jitter: 'none' },
    });
    track(rt, clock);
    await rt.start();
    expect(rt.setDesired(names.map((name) => ({ kind: 'users', name, spec: { role: 'guest' } }))).ok).toBe(
      true,
    );
    await rt.settled();
    for (let tick = 0; tick < 10; tick++) {
      await clock.advance(1000);
      await rt.settled();
    }
    return rt;
  }

  it('keeps one object per resource over ten resyncs, each read by its id', async () => {
    server = await startJsonServer('users');
    await ticking(server.url, { serverId: 'id' }, USERS);
    expect(server.items()).toHaveLength(3);
    expect(server.requests.filter((r) => r.startsWith('POST'))).toHaveLength(3);
    const lists = server.requests.filter((r) => r === 'GET /users').length;
    expect(lists, 'lists: only while ids are not known yet').toBeLessThanOrEqual(USERS.length + 1);
  });

  it('misconfigured as keyed by name, makes one copy and then waits, instead of one per resync', async () => {
    server = await startJsonServer('users');
    const rt = await ticking(server.url, { create: 'POST' }, ['alice']);
    expect(server.requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);
    expect(rt.status('users/alice')?.phase).toBe('degraded');
  });
});
