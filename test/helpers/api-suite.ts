import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createDesiredApi, type DesiredApi } from '../../src/api/desired-api.js';
import { openApiDocument } from '../../src/api/openapi.js';
import { WatchHub } from '../../src/api/watch-hub.js';
import type { Resource } from '../../src/index.js';
import { createRuntime } from '../../src/index.js';
import { createStatusServer } from '../../src/server/status-server.js';
import type { SpecStore } from '../../src/store/desired/spec-store.js';
import { memoryProvider, seededRandom, TestClock } from '../../src/testing.js';
import { openEvents } from './sse-client.js';

/** A store for the suite to run on, and what it can do beside the interface. */
export interface OpenedBackend {
  readonly store: SpecStore;
  /** Keep only the latest `keep` changes now (for the 410 test). */
  compact(keep: number): Promise<void>;
  close(): Promise<void>;
}

/** `retain`: how many changes the store keeps for watchers (it may compact as it goes). */
export type OpenBackend = (options: { retain: number }) => Promise<OpenedBackend>;

interface Served {
  readonly url: string;
  readonly api: DesiredApi;
  readonly backend: OpenedBackend;
  readonly clock: TestClock;
  /** Publish as the config source would. */
  publish(resources: Resource[]): ReturnType<DesiredApi['publish']>;
}

const KINDS = new Set(['files', 'web']);

/**
 * The desired-state API's suite, through real HTTP on 127.0.0.1 with `fetch`: the same tests
 * for every store (`open` makes a fresh one per test).
 */
export function describeApiSuite(name: string, open: OpenBackend): void {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function serve(options: { token?: string; retain?: number } = {}): Promise<Served> {
    const backend = await open({ retain: options.retain ?? 10_000 });
    const clock = new TestClock();
    // What the config source declares, for a key the API lets go of to pass to it.
    const declared = new Map<string, Resource>();
    const api = createDesiredApi({
      store: backend.store,
      kinds: KINDS,
      claimant: (key) => {
        const resource = declared.get(key);
        return resource && { source: 'config', resource };
      },
    });
    const publish = (resources: Resource[]) => {
      declared.clear();
      for (const r of resources) declared.set(`${r.kind}/${r.name}`, r);
      return api.publish('config', resources);
    };
    const hub = await WatchHub.start({ store: backend.store, clock, render: api.render });
    const random = seededRandom(1);
    const providers = [...KINDS].map((kind) => memoryProvider({ kind, clock, random }));
    const runtime = createRuntime({ providers, clock, random });
    const server = await createStatusServer({
      runtime,
      port: 0,
      ...(options.token ? { token: options.token } : {}),
      api: { api, hub, openapi: openApiDocument },
    });
    cleanups.push(async () => {
      await server.close();
      hub.close();
      await backend.close();
    });
    return { url: server.url, api, backend, clock, publish };
  }

  const send = async (url: string, method: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(url, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
  };
  const file = (n: string, extra: Record<string, unknown> = {}) => ({
    kind: 'files',
    name: n,
    spec: { path: `${n}.txt`, content: n },
    ...extra,
  });

  describe(`the desired-state API on ${name}`, () => {
    it('creates, reads, replaces and deletes, with versions, generations and a status subresource', async () => {
      const { url } = await serve();
      const R = `${url}/api/v1/resources`;
      const created = await send(R, 'POST', file('a', { labels: { team: 'x' } }));
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe('/api/v1/resources/files/a');
      expect(created.body).toMatchObject({
        kind: 'files',
        name: 'a',
        source: 'api',
        generation: 1,
        observedGeneration: 0,
        status: null,
      });
      const v1 = created.body.resourceVersion as number;
      expect(created.headers.get('etag')).toBe(`"${v1}"`);
      expect((await send(R, 'POST', file('a'))).body.code).toBe('AlreadyExists');

      // Labels alone: a new version, the same generation.
      const relabelled = await send(`${R}/files/a`, 'PUT', file('a', { labels: { team: 'y' } }));
      expect(relabelled.status).toBe(200);
      expect(relabelled.body.generation).toBe(1);
      expect(relabelled.body.resourceVersion).toBeGreaterThan(v1);
      // The spec: the next generation.
      const changed = await send(`${R}/files/a`, 'PUT', {
        ...file('a'),
        spec: { path: 'a.txt', content: 'new' },
      });
      expect(changed.body.generation).toBe(2);
      expect(changed.body.labels).toEqual({});
      // The status: never the generation.
      const status = await send(`${R}/files/a/status`, 'PUT', {
        status: { phase: 'synced' },
        observedGeneration: 2,
      });
      expect(status.body).toMatchObject({
        generation: 2,
        observedGeneration: 2,
        status: { phase: 'synced' },
      });
      expect(status.body.resourceVersion).toBeGreaterThan(changed.body.resourceVersion);
      expect((await send(`${R}/files/a/status`, 'PUT', { status: {}, observedGeneration: 3 })).status).toBe(
        422,
      );
      // An unchanged write changes nothing, not even the version.
      const same = await send(`${R}/files/a`, 'PUT', {
        ...file('a'),
        spec: { path: 'a.txt', content: 'new' },
      });
      expect(same.body.resourceVersion).toBe(status.body.resourceVersion);

      const patched = await send(
        `${R}/files/a`,
        'PATCH',
        { spec: { content: null, mode: '0600' }, labels: { t: 'z' } },
        { 'content-type': 'application/merge-patch+json' },
      );
      expect(patched.status).toBe(200);
      expect(patched.body.spec).toEqual({ path: 'a.txt', mode: '0600' });
      expect(patched.body.labels).toEqual({ t: 'z' });
      expect(patched.body.generation).toBe(3);

      const deleted = await send(`${R}/files/a`, 'DELETE');
      expect(deleted.status).toBe(200);
      expect(deleted.body.name).toBe('a');
      const gone = await send(`${R}/files/a`, 'GET');
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ code: 'NotFound', message: 'files/a does not exist' });
      // A name with a slash travels encoded.
      expect((await send(R, 'POST', file('dir/b'))).status).toBe(201);
      expect((await send(`${R}/files/${encodeURIComponent('dir/b')}`, 'GET')).body.name).toBe('dir/b');
    });

    it('lets one of two writers of the same version win; the other gets 409 naming the version now, and wins on retry', async () => {
      const { url } = await serve();
      const one = `${url}/api/v1/resources/files/a`;
      await send(`${url}/api/v1/resources`, 'POST', file('a'));
      const read = (await send(one, 'GET')).body;
      const write = (content: string) =>
        send(
          one,
          'PUT',
          { ...file('a'), spec: { path: 'a.txt', content } },
          { 'if-match': `"${read.resourceVersion}"` },
        );
      const results = await Promise.all([write('first'), write('second')]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
      const winner = results.find((r) => r.status === 200)?.body;
      const loser = results.find((r) => r.status === 409)?.body;
      expect(loser).toMatchObject({
        code: 'Conflict',
        field: 'resourceVersion',
        resourceVersion: winner.resourceVersion,
      });
      expect(loser.message).toContain(`it is at ${winner.resourceVersion}`);
      // The loser reads again and retries with what it read: accepted.
      const again = (await send(one, 'GET')).body;
      const retried = await send(one, 'PUT', {
        ...file('a'),
        spec: { path: 'a.txt', content: 'third' },
        resourceVersion: again.resourceVersion,
      });
      expect(retried.status).toBe(200);
      // A stale version in the body or the query is refused too.
      expect((await send(one, 'PUT', { ...file('a'), resourceVersion: again.resourceVersion })).status).toBe(
        409,
      );
      expect((await send(`${one}?resourceVersion=${again.resourceVersion}`, 'DELETE')).status).toBe(409);
      expect(
        (await send(one, 'DELETE', undefined, { 'if-match': `"${retried.body.resourceVersion}"` })).status,
      ).toBe(200);
    });

    it('refuses an invalid resource with every problem at once, and stores nothing', async () => {
      const { url } = await serve();
      const R = `${url}/api/v1/resources`;
      await send(R, 'POST', file('base'));
      const before = (await send(R, 'GET')).body;
      const bad = await send(R, 'POST', {
        kind: 'nope',
        name: 'x',
        spec: {},
        dependsOn: ['files/missing', 'web/absent'],
      });
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe('Invalid');
      expect(
        bad.body.problems.map((p: { code: string; field: string }) => `${p.code}@${p.field}`).sort(),
      ).toEqual(['missing-dependency@dependsOn', 'missing-dependency@dependsOn', 'unknown-kind@kind']);
      const shape = await send(R, 'POST', {
        kind: 'files',
        name: 'y',
        spec: 'text',
        labels: { 'bad key!': 'v' },
        extra: 1,
      });
      expect(shape.status).toBe(422);
      expect(shape.body.problems.map((p: { field: string }) => p.field).sort()).toEqual([
        'extra',
        'labels.bad key!',
        'spec',
      ]);
      // A cycle, and a delete that would leave a dependent behind.
      await send(R, 'POST', file('b', { dependsOn: ['files/base'] }));
      const cycle = await send(`${R}/files/base`, 'PUT', file('base', { dependsOn: ['files/b'] }));
      expect(cycle.status).toBe(422);
      expect(cycle.body.problems[0].code).toBe('cycle');
      const orphan = await send(`${R}/files/base`, 'DELETE');
      expect(orphan.status).toBe(422);
      expect(orphan.body.problems[0].message).toContain('files/b');
      const after = (await send(R, 'GET')).body;
      expect(after.items.map((o: { name: string }) => o.name)).toEqual(['b', 'base']);
      expect(after.items.find((o: { name: string }) => o.name === 'base').dependsOn).toBeUndefined();
      expect(before.items.length).toBe(1);
    });

    it('lists by kind and by label selector', async () => {
      const { url } = await serve();
      const R = `${url}/api/v1/resources`;
      await send(R, 'POST', file('a', { labels: { team: 'x', tier: 'web' } }));
      await send(R, 'POST', file('b', { labels: { team: 'y' } }));
      await send(R, 'POST', { kind: 'web', name: 'c', spec: {}, labels: { team: 'x', tier: 'db' } });
      const names = async (query: string) =>
        ((await send(`${R}${query}`, 'GET')).body.items as { name: string }[]).map((o) => o.name);
      expect(await names('')).toEqual(['a', 'b', 'c']);
      expect(await names('?kind=files')).toEqual(['a', 'b']);
      expect(((await send(`${R}/web`, 'GET')).body.items as { name: string }[]).map((o) => o.name)).toEqual([
        'c',
      ]);
      expect(await names('?labelSelector=team%3Dx')).toEqual(['a', 'c']);
      expect(await names('?labelSelector=team!%3Dx')).toEqual(['b']);
      expect(await names(`?labelSelector=${encodeURIComponent('tier in (web,db),team=x')}`)).toEqual([
        'a',
        'c',
      ]);
      expect(await names('?labelSelector=!tier')).toEqual(['b']);
      const bad = await send(`${R}?labelSelector=${encodeURIComponent('team==')}x==`, 'GET');
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('labelSelector');
    });

    it('watches from a version: every committed change in order, resumed after a disconnect with none missed or repeated', async () => {
      const { url } = await serve();
      const R = `${url}/api/v1/resources`;
      await send(R, 'POST', file('before'));
      const list = (await send(R, 'GET')).body;
      const first = await openEvents(`${url}/api/v1/watch?resourceVersion=${list.resourceVersion}`);
      expect(first.response.headers.get('content-type')).toContain('text/event-stream');
      const [bookmark] = await first.next(1, { bookmarks: true });
      expect(bookmark?.event).toBe('BOOKMARK');
      await send(R, 'POST', file('a'));
      await send(R, 'POST', file('b'));
      await send(`${R}/files/a`, 'PUT', { ...file('a'), spec: { path: 'a.txt', content: 'v2' } });
      const seen = await first.next(3);
      expect(seen.map((e) => `${e.event} ${(e.data.object as { name: string }).name}`)).toEqual([
        'ADDED a',
        'ADDED b',
        'MODIFIED a',
      ]);
      for (const e of seen) expect(e.id).toBe(String(e.data.resourceVersion));
      first.close();
      // While nobody watches.
      await send(`${R}/files/b`, 'DELETE');
      await send(R, 'POST', file('c'));
      const resumed = await openEvents(`${url}/api/v1/watch`, { 'last-event-id': String(seen.at(-1)?.id) });
      const rest = await resumed.next(2);
      expect(rest.map((e) => `${e.event} ${(e.data.object as { name: string }).name}`)).toEqual([
        'DELETED b',
        'ADDED c',
      ]);
      const versions = [...seen, ...rest].map((e) => Number(e.id));
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(new Set(versions).size).toBe(versions.length);
      // Nothing more comes: no change was repeated.
      await send(R, 'POST', file('d'));
      const [next] = await resumed.next(1);
      expect((next?.data.object as { name: string } | undefined)?.name).toBe('d');
      resumed.close();
    });

    it('starts a watch without a version with the objects there now, filtered by kind and labels', async () => {
      const { url, clock } = await serve();
      const R = `${url}/api/v1/resources`;
      await send(R, 'POST', file('a', { labels: { team: 'x' } }));
      await send(R, 'POST', file('b'));
      const watch = await openEvents(`${url}/api/v1/watch?kind=files&labelSelector=team%3Dx`);
      const [added] = await watch.next(1);
      expect(added).toMatchObject({ event: 'ADDED', data: { object: { name: 'a' }, initial: true } });
      expect(added?.id).toBeUndefined(); // not a place to resume from: the bookmark after it is
      await send(R, 'POST', { kind: 'web', name: 'w', spec: {}, labels: { team: 'x' } });
      await send(R, 'POST', file('c', { labels: { team: 'x' } }));
      const [c] = await watch.next(1);
      expect((c?.data.object as { name: string } | undefined)?.name).toBe('c');
      // The heartbeat: a bookmark at the version seen, on the clock's time.
      clock.advance(10_000);
      const [beat] = await watch.next(1, { bookmarks: true });
      expect(beat?.event).toBe('BOOKMARK');
      expect(Number(beat?.data.resourceVersion)).toBeGreaterThanOrEqual(Number(c?.id));
      watch.close();
    });

    it('answers 410 for a version compacted away, and a re-list gives a version to watch from', async () => {
      const { url, backend } = await serve({ retain: 2 });
      const R = `${url}/api/v1/resources`;
      // More than the store keeps (it may keep up to a quarter more, and 16 at least).
      for (let i = 0; i < 24; i++) await send(R, 'POST', file(`r${i}`));
      await backend.compact(2);
      const old = await fetch(`${url}/api/v1/watch?resourceVersion=1`);
      expect(old.status).toBe(410);
      expect(await old.json()).toMatchObject({ code: 'Gone', field: 'resourceVersion' });
      const list = (await send(R, 'GET')).body;
      const watch = await openEvents(`${url}/api/v1/watch?resourceVersion=${list.resourceVersion}`);
      await send(R, 'POST', file('last'));
      const [last] = await watch.next(1);
      expect((last?.data.object as { name: string } | undefined)?.name).toBe('last');
      watch.close();
    });

    it('keeps each key to one source: a write for a key another source declares is a conflict, reported on both', async () => {
      const { url, publish } = await serve();
      const R = `${url}/api/v1/resources`;
      await publish([{ kind: 'files', name: 'owned', spec: { path: 'o.txt' } }]);
      const write = await send(`${R}/files/owned`, 'PUT', file('owned'));
      expect(write.status).toBe(409);
      expect(write.body).toMatchObject({ code: 'SourceConflict', owner: 'config' });
      expect((await send(`${R}/files/owned`, 'DELETE')).body.code).toBe('SourceConflict');
      await send(R, 'POST', file('mine'));
      const published = await publish([
        { kind: 'files', name: 'owned', spec: { path: 'o.txt' } },
        { kind: 'files', name: 'mine', spec: { path: 'other.txt' } },
      ]);
      expect(published.conflicts).toEqual([{ key: 'files/mine', owner: 'api' }]);
      const mine = (await send(`${R}/files/mine`, 'GET')).body;
      expect(mine.spec).toEqual({ path: 'mine.txt', content: 'mine' });
      expect(mine.conflicts).toEqual([{ source: 'config', message: expect.stringContaining('config') }]);
      // The API lets go: the config's version takes the key over in the same write.
      const watch = await openEvents(`${url}/api/v1/watch?resourceVersion=${mine.resourceVersion}`);
      const released = await send(`${R}/files/mine`, 'DELETE');
      expect(released.status).toBe(200);
      expect(released.body).toMatchObject({ source: 'config', spec: { path: 'other.txt' } });
      expect(released.body.conflicts).toBeUndefined();
      const [handover] = await watch.next(1);
      expect(handover).toMatchObject({
        event: 'MODIFIED',
        data: { object: { name: 'mine', source: 'config' } },
      });
      watch.close();
    });

    it('refuses without the token when one is set', async () => {
      const { url } = await serve({ token: 's3cret' });
      const R = `${url}/api/v1/resources`;
      const refused = await send(R, 'POST', file('a'));
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('Bearer');
      expect(refused.body.code).toBe('Unauthorized');
      expect((await send(R, 'GET')).status).toBe(401);
      expect((await fetch(`${url}/api/v1/watch`)).status).toBe(401);
      expect((await send(R, 'GET', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
      const ok = await send(R, 'POST', file('a'), { authorization: 'Bearer s3cret' });
      expect(ok.status).toBe(201);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    });

    it('refuses a 10 MB body, JSON nested too deep and a body that is not JSON, and keeps serving', async () => {
      const { url } = await serve();
      const R = `${url}/api/v1/resources`;
      const huge = JSON.stringify(
        file('big', { spec: { path: 'big.txt', content: 'x'.repeat(10 * 1024 * 1024) } }),
      );
      const big = await send(R, 'POST', huge);
      expect(big.status).toBe(413);
      expect(big.body.code).toBe('PayloadTooLarge');
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const nested = await send(R, 'POST', deep);
      expect(nested.status).toBe(400);
      expect(nested.body.message).toContain('nested');
      expect((await send(R, 'POST', 'kind: files', { 'content-type': 'text/yaml' })).status).toBe(415);
      expect((await send(R, 'POST', '{"kind":')).body.code).toBe('BadRequest');
      expect((await send(R, 'POST', file('small'))).status).toBe(201);
      expect((await send(`${url}/api/v1/nowhere`, 'GET')).status).toBe(404);
      expect((await send(R, 'DELETE')).status).toBe(405);
    });

    it('ends, for any interleaving of concurrent conditional writers, in the state of one serial order of the writes it accepted', async () => {
      const { url } = await serve();
      const R = `${url}/api/v1/resources`;
      const keys = ['k0', 'k1'];
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.array(
              fc.record({
                key: fc.constantFrom(...keys),
                op: fc.constantFrom('put', 'patch', 'delete'),
                value: fc.nat(99),
              }),
              {
                minLength: 1,
                maxLength: 4,
              },
            ),
            { minLength: 2, maxLength: 4 },
          ),
          async (writers) => {
            round++;
            const names = keys.map((k) => `${k}-${round}`);
            const accepted: { version: number; name: string; op: string; value: number }[] = [];
            // Each writer: read, then write with the version read; on a conflict, read again and retry.
            await Promise.all(
              writers.map(async (ops) => {
                for (const { key, op, value } of ops) {
                  const name = names[keys.indexOf(key)] as string;
                  const one = `${R}/files/${name}`;
                  for (let attempt = 0; attempt < 20; attempt++) {
                    const current = await send(one, 'GET');
                    const version = current.status === 200 ? String(current.body.resourceVersion) : undefined;
                    const match: Record<string, string> =
                      version === undefined ? {} : { 'if-match': `"${version}"` };
                    let result: Awaited<ReturnType<typeof send>>;
                    if (op === 'delete' || (op === 'patch' && version === undefined)) {
                      if (version === undefined) break; // nothing to delete or patch
                      result = await send(one, 'DELETE', undefined, match);
                    } else if (op === 'patch') {
                      result = await send(one, 'PATCH', { spec: { content: String(value) } }, match);
                    } else {
                      result = await send(
                        one,
                        'PUT',
                        file(name, { spec: { path: `${name}.txt`, content: String(value) } }),
                        match,
                      );
                    }
                    if (result.status === 409 || result.status === 404) continue;
                    expect(result.status).toBeLessThan(300);
                    accepted.push({
                      version: result.body.resourceVersion,
                      name,
                      op: op === 'patch' ? 'put' : op,
                      value,
                    });
                    break;
                  }
                }
              }),
            );
            // Replay what was accepted in the order of the versions it got: the state must be the one stored.
            accepted.sort((a, b) => a.version - b.version);
            const model = new Map<string, string>();
            for (const w of accepted) {
              if (w.op === 'delete') model.delete(w.name);
              else model.set(w.name, String(w.value));
            }
            for (const name of names) {
              const stored = await send(`${R}/files/${name}`, 'GET');
              expect(stored.status === 200 ? stored.body.spec.content : undefined).toBe(model.get(name));
            }
            // Writes that share a version: one changed it, the others changed nothing (the same value again).
            for (const [i, w] of accepted.entries()) {
              const prev = accepted[i - 1];
              if (prev?.version === w.version)
                expect([prev.name, prev.op, prev.value]).toEqual([w.name, w.op, w.value]);
            }
          },
        ),
        { numRuns: 12 },
      );
    });
  });
}
