import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CrudServer, startCrudServer } from '../../examples/http-crud/server.js';
import { PermanentError, RetryableError, TimeoutError } from '../contract/errors.js';
import type { ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { TestClock } from '../time/test-clock.js';
import { httpProvider } from './http.js';
import { parseRetryAfter } from './http-errors.js';
import { patchOf } from './http-patch.js';

const START = Date.parse('2030-01-01T00:00:00Z');
let server: CrudServer;
let clock: TestClock;
let controller: AbortController;
let ctx: ProviderContext;
const user = (name: string, spec: Record<string, unknown>): Resource => ({ kind: 'user', name, spec });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

beforeEach(async () => {
  server = await startCrudServer();
  clock = new TestClock({ start: START });
  controller = new AbortController();
  ctx = { signal: controller.signal, log: pino({ level: 'silent' }), clock };
});
afterEach(async () => {
  controller.abort();
  await server.close();
});

describe('http provider', () => {
  it('runs the whole cycle with PUT: create, observe, update, delete, and delete again', async () => {
    const users = httpProvider({ kind: 'user', baseUrl: server.url });
    expect(await users.observe(user('alice', {}), ctx)).toBeUndefined();
    expect(await users.create(user('alice', { role: 'admin' }), ctx)).toEqual({
      name: 'alice',
      role: 'admin',
    });
    expect(await users.observe(user('alice', {}), ctx)).toEqual({ name: 'alice', role: 'admin' });
    await users.update(user('alice', { role: 'guest' }), { name: 'alice', role: 'admin' }, [], ctx);
    expect(server.items.get('alice')).toEqual({ name: 'alice', role: 'guest' });
    expect(await users.list(ctx)).toEqual(new Map([['alice', { name: 'alice', role: 'guest' }]]));
    await users.delete({ name: 'alice' }, user('alice', {}), ctx);
    await users.delete({ name: 'alice' }, user('alice', {}), ctx);
    expect(server.items.size).toBe(0);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /items/alice',
      'PUT /items/alice',
      'GET /items/alice', // the create read back
      'GET /items/alice',
      'PUT /items/alice',
      'GET /items',
      'DELETE /items/alice',
      'DELETE /items/alice',
    ]);
    expect(users.compare?.ignore).toEqual(['name']);
  });

  it('creates with POST and updates with a PATCH of only what differs, leaving server fields alone', async () => {
    const users = httpProvider({ kind: 'user', baseUrl: server.url, create: 'POST', update: 'PATCH' });
    await users.create(user('bob', { role: 'admin', env: { A: '1', B: '2' }, note: 'x' }), ctx);
    server.items.set('bob', { ...server.items.get('bob'), id: 17 });
    const current = (await users.observe(user('bob', {}), ctx))!;
    await users.update(user('bob', { role: 'admin', env: { A: '9', C: '3' } }), current, [], ctx);
    expect(server.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: '/items/bob',
      body: { env: { A: '9', C: '3' } },
    });
    expect(server.items.get('bob')).toEqual({
      name: 'bob',
      id: 17,
      role: 'admin',
      env: { A: '9', B: '2', C: '3' },
      note: 'x',
    });
    const before = server.requests.length;
    await users.update(user('bob', { role: 'admin', env: { A: '9' } }), server.items.get('bob')!, [], ctx);
    expect(server.requests.length).toBe(before);
  });

  it('retries a POST create that finds the object already there', async () => {
    const users = httpProvider({ kind: 'user', baseUrl: server.url, create: 'POST' });
    server.items.set('carol', { name: 'carol' });
    const error = await failure(users.create(user('carol', { role: 'x' }), ctx));
    expect(RetryableError.is(error)).toBe(true);
    expect(error?.message).toMatch(/409: `carol` already exists/);
  });

  it('turns 429 and 503 into retryable errors that wait for Retry-After, in seconds or as a date', async () => {
    const users = httpProvider({ kind: 'user', baseUrl: server.url });
    server.failNext(429, { 'retry-after': '7' });
    const throttled = await failure(users.observe(user('a', {}), ctx));
    expect(RetryableError.is(throttled) && throttled.retryAfterMs).toBe(7000);
    expect(throttled?.message).toMatch(/GET .*\/items\/a -> 429/);
    server.failNext(503, { 'retry-after': new Date(START + 30_000).toUTCString() });
    const unavailable = await failure(users.create(user('a', {}), ctx));
    expect(RetryableError.is(unavailable) && unavailable.retryAfterMs).toBe(30_000);
  });

  it('retries other 5xx, and refuses other 4xx permanently with the status and the body message', async () => {
    const users = httpProvider({ kind: 'user', baseUrl: server.url });
    server.failNext(500);
    const crashed = await failure(users.observe(user('a', {}), ctx));
    expect(RetryableError.is(crashed) && crashed.retryAfterMs).toBe(undefined);
    server.failNext(422, {}, 'role must be one of admin, guest');
    const refused = await failure(users.create(user('a', { role: 'root' }), ctx));
    expect(PermanentError.is(refused)).toBe(true);
    expect(refused?.message).toMatch(/PUT .* -> 422 Unprocessable Entity: role must be one of admin, guest/);
    server.failNext(408);
    expect(RetryableError.is(await failure(users.observe(user('a', {}), ctx)))).toBe(true);
  });

  it('sends its headers but never shows their values in an error, even when the server echoes them', async () => {
    const secret = 'Bearer s3cr3t-t0ken';
    const users = httpProvider({ kind: 'user', baseUrl: server.url, headers: { authorization: secret } });
    server.failNext(401, {}, `token ${secret} is not valid`);
    const error = await failure(users.observe(user('a', {}), ctx));
    expect(PermanentError.is(error)).toBe(true);
    expect(error?.message).not.toContain('s3cr3t');
    expect(error?.message).toContain('[redacted]');
    expect(server.requests.at(-1)?.headers.authorization).toBe(secret);
    await server.close();
    const offline = await failure(users.observe(user('a', {}), ctx));
    expect(RetryableError.is(offline)).toBe(true);
    expect(`${offline?.message} ${String((offline as Error).cause)}`).not.toContain('s3cr3t');
    server = await startCrudServer();
  });

  it('aborts a hung request on its own timeout, measured on the clock', async () => {
    const users = httpProvider({ kind: 'user', baseUrl: server.url, timeoutMs: 5000 });
    server.hangNext();
    let settled = false;
    const pending = failure(users.observe(user('a', {}), ctx)).finally(() => {
      settled = true;
    });
    while (server.requests.length === 0) await clock.settle();
    await clock.advance(4999);
    expect(settled).toBe(false);
    await clock.advance(1);
    const error = await pending;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error?.message).toMatch(/GET .*\/items\/a timed out after 5000 ms/);
    expect(clock.pending()).toBe(0);
  });

  it('rejects with the abort reason when ctx.signal aborts a hung request', async () => {
    const users = httpProvider({ kind: 'user', baseUrl: server.url, timeoutMs: 60_000 });
    server.hangNext();
    const pending = failure(users.observe(user('a', {}), ctx));
    while (server.requests.length === 0) await clock.settle();
    const reason = new Error('shutdown');
    controller.abort(reason);
    expect(await pending).toBe(reason);
    expect(clock.pending()).toBe(0);
  });

  it('lists an object keyed by name, and rejects a list it cannot read', async () => {
    const bodies = [
      JSON.stringify({ a: { role: 'x' }, b: { role: 'y' } }),
      JSON.stringify([{ role: 'no id' }]),
      'oops',
    ];
    const other: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(bodies.shift());
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      const users = httpProvider({ kind: 'user', baseUrl: `http://127.0.0.1:${port}/users/` });
      expect([...(await users.list(ctx)).keys()]).toEqual(['a', 'b']);
      await expect(users.list(ctx)).rejects.toThrow(/item 0 is not an object with a string `name`/);
      await expect(users.list(ctx)).rejects.toThrow(/expected a JSON array or an object keyed by name/);
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('rejects bad options with a TypeError naming the option, and never shows a secret', () => {
    const ok = { kind: 'user', baseUrl: 'http://127.0.0.1:1/users' };
    expect(() => httpProvider({ ...ok, baseUrl: 'ftp://x' })).toThrow(/`options.baseUrl`.*got `"ftp:\/\/x"`/);
    const withPassword = () => httpProvider({ ...ok, baseUrl: 'http://u:hunter2@127.0.0.1/users' });
    expect(withPassword).toThrow(/without credentials/);
    expect(withPassword).not.toThrow(/hunter2/);
    const badHeader = () =>
      httpProvider({ ...ok, headers: { authorization: 'Bearer x\nInjected: hunter2' } });
    expect(badHeader).toThrow(/`options.headers.authorization`/);
    expect(badHeader).not.toThrow(/hunter2/);
    expect(() => httpProvider({ ...ok, update: 'POST' as never })).toThrow(
      /`options.update` to be 'PUT' or 'PATCH'/,
    );
    expect(() => httpProvider({ ...ok, timeoutMs: 0 })).toThrow(/`options.timeoutMs`/);
  });
});

describe('Retry-After', () => {
  it('reads delay-seconds as that many seconds', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.integer(), (seconds, now) => {
        expect(parseRetryAfter(String(seconds), now)).toBe(seconds * 1000);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads an HTTP date as the time from now until then, and a past date as 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: -86_400, max: 86_400 }), (offset) => {
        const header = new Date(START + offset * 1000).toUTCString();
        expect(parseRetryAfter(header, START)).toBe(Math.max(0, offset * 1000));
      }),
      { numRuns: 1000 },
    );
    expect(parseRetryAfter('soon', START)).toBeUndefined();
    expect(parseRetryAfter(null, START)).toBeUndefined();
  });
});

describe('patchOf', () => {
  const key = fc.constantFrom('a', 'b', 'c', 'name');
  const leaf = fc.oneof(
    fc.integer(),
    fc.string({ maxLength: 3 }),
    fc.boolean(),
    fc.array(fc.integer(), { maxLength: 2 }),
  );
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, tie('object')),
    object: fc.dictionary(key, tie('value'), { maxKeys: 3 }),
  })).object as fc.Arbitrary<Record<string, unknown>>;

  function merge(target: unknown, patch: unknown): unknown {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
    const out: Record<string, unknown> =
      typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = merge(out[k], v);
    }
    return out;
  }

  // Agrees with the spec on every field the spec names (the diff's own rule), keeps the rest.
  function agrees(desired: unknown, merged: unknown): boolean {
    if (typeof desired !== 'object' || desired === null || Array.isArray(desired)) {
      return JSON.stringify(desired) === JSON.stringify(merged);
    }
    if (typeof merged !== 'object' || merged === null || Array.isArray(merged)) return false;
    return Object.entries(desired).every(
      ([k, v]) => k in merged && agrees(v, (merged as Record<string, unknown>)[k]),
    );
  }

  it('merged into the current object, agrees with the spec and keeps every field the spec does not name', () => {
    fc.assert(
      fc.property(json, json, (desired, current) => {
        const merged = merge(current, patchOf(desired, current)) as Record<string, unknown>;
        expect(agrees(desired, merged)).toBe(true);
        for (const key of Object.keys(current))
          if (!(key in desired)) expect(merged[key]).toEqual(current[key]);
      }),
      { numRuns: 1000 },
    );
  });

  it('is empty exactly when the current object already agrees with the spec', () => {
    fc.assert(
      fc.property(json, json, (desired, current) => {
        expect(Object.keys(patchOf(desired, current)).length === 0).toBe(agrees(desired, current));
        const merged = merge(current, patchOf(desired, current)) as Record<string, unknown>;
        expect(patchOf(desired, merged)).toEqual({});
      }),
      { numRuns: 1000 },
    );
  });
});
