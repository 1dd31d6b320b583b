import { afterEach, describe, expect, it } from 'vitest';
import type { Observed } from '../src/contract/provider.js';
import { createRuntime, type Runtime } from '../src/runtime/index.js';
import { createStatusServer, type StatusServer } from '../src/server/status-server.js';
import { TestClock } from '../src/time/test-clock.js';
import { mapProvider, user } from './helpers/runtime-harness.js';

const running: { runtime: Runtime; server: StatusServer }[] = [];
afterEach(async () => {
  for (const { runtime, server } of running.splice(0)) {
    await server.close();
    await runtime.stop();
  }
});

/** A runtime that held the deletes of user/b and user/c (a budget of none), behind a server. */
async function setUp(token: string | undefined) {
  const clock = new TestClock();
  const world = new Map<string, Observed>();
  const runtime = createRuntime({
    providers: [mapProvider('user', world)],
    clock,
    deletionBudget: { max: 0, fraction: 0 },
  });
  await runtime.start();
  runtime.setDesired([user('a', {}), user('b', {}), user('c', {})]);
  await clock.advance(0);
  await runtime.settled();
  runtime.setDesired([user('a', {})]);
  await clock.advance(0);
  const server = await createStatusServer({ runtime, port: 0, ...(token ? { token } : {}) });
  running.push({ runtime, server });
  const approve = (headers: Record<string, string>, body?: string) =>
    fetch(`${server.url}/deletions/approve`, { method: 'POST', headers, ...(body ? { body } : {}) });
  const settle = async () => {
    await clock.advance(0);
    await runtime.settled();
  };
  return { runtime, server, world, approve, settle };
}

describe('POST /deletions/approve', () => {
  it('refuses without the token, or with a wrong one, and approves nothing', async () => {
    const { runtime, approve } = await setUp('s3cret');
    const none = await approve({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="setpoint"');
    expect((await approve({ authorization: 'Bearer guess' })).status).toBe(401);
    expect(runtime.heldDeletions().map((h) => h.key)).toEqual(['user/b', 'user/c']);
  });

  it('approves the keys given, then the rest, with the token; /status lists what is held', async () => {
    const { server, world, approve, settle } = await setUp('s3cret');
    const auth = { authorization: 'Bearer s3cret' };
    const status = (await (await fetch(`${server.url}/status`, { headers: auth })).json()) as {
      heldDeletions: { key: string }[];
      resources: { key: string; conditions: unknown[] }[];
    };
    expect(status.heldDeletions.map((h) => h.key)).toEqual(['user/b', 'user/c']);
    const bob = status.resources.find((r) => r.key === 'user/b');
    expect(bob?.conditions).toContainEqual({ type: 'Synced', status: false, reason: 'DeletionHeld' });

    const one = await approve({ ...auth, 'content-type': 'application/json' }, '{"keys": ["user/c"]}');
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ approved: ['user/c'], heldDeletions: [{ key: 'user/b' }] });
    await settle();
    expect([...world.keys()].sort()).toEqual(['a', 'b']);

    const rest = await approve(auth);
    expect(await rest.json()).toEqual({ approved: ['user/b'], heldDeletions: [] });
    await settle();
    expect([...world.keys()]).toEqual(['a']);
  });

  it('answers 400 to a body it cannot read, 405 to a GET, and 403 when no token is set', async () => {
    const { approve, server } = await setUp('s3cret');
    const auth = { authorization: 'Bearer s3cret' };
    expect((await approve(auth, 'keys please')).status).toBe(400);
    expect((await approve(auth, '{"keys": "user/b"}')).status).toBe(400);
    expect((await fetch(`${server.url}/deletions/approve`, { headers: auth })).status).toBe(405);
    const open = await setUp(undefined);
    expect((await open.approve({})).status).toBe(403);
    expect(open.runtime.heldDeletions()).toHaveLength(2);
  });
});
