import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createDesiredApi } from '../src/api/desired-api.js';
import { API_ROUTES, openApiDocument } from '../src/api/openapi.js';
import { WatchHub } from '../src/api/watch-hub.js';
import { createRuntime } from '../src/index.js';
import { createStatusServer } from '../src/server/status-server.js';
import { openEmbeddedSpecStore } from '../src/store/desired/embedded-store.js';
import { memoryProvider, seededRandom, TestClock } from '../src/testing.js';
import { tempStateDirs } from './helpers/state-dirs.js';

const stateDir = tempStateDirs('setpoint-openapi-');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve() {
  const clock = new TestClock();
  const store = await openEmbeddedSpecStore({ dir: await stateDir() });
  const api = createDesiredApi({ store, kinds: new Set(['files']) });
  const hub = await WatchHub.start({ store, clock, render: api.render });
  const runtime = createRuntime({
    providers: [memoryProvider({ kind: 'files', clock, random: seededRandom(1) })],
    clock,
  });
  const server = await createStatusServer({ runtime, port: 0, api: { api, hub, openapi: openApiDocument } });
  closers.push(async () => {
    await server.close();
    hub.close();
    await store.close();
  });
  return server.url;
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document, by a validator of its own', async () => {
    const result = await new Validator().validate(openApiDocument());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(openApiDocument().openapi).toBe('3.1.0');
  });

  it('documents every route, and the server answers every documented operation (none is a "no route")', async () => {
    const url = await serve();
    const doc = openApiDocument() as { paths: Record<string, Record<string, { operationId: string }>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(documented.sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    await fetch(`${url}/api/v1/resources`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'files', name: 'a', spec: {} }),
    });
    for (const route of API_ROUTES) {
      const path = route.path.replace('{kind}', 'files').replace('{name}', 'a');
      const controller = new AbortController();
      const response = await fetch(`${url}${path}`, {
        method: route.method.toUpperCase(),
        signal: controller.signal,
        ...(route.body === undefined
          ? {}
          : {
              headers: {
                'content-type':
                  route.body === 'MergePatch' ? 'application/merge-patch+json' : 'application/json',
              },
              body: JSON.stringify(
                route.body === 'StatusWrite' ? { status: {} } : { kind: 'files', name: 'a', spec: {} },
              ),
            }),
      });
      const where = `${route.method} ${route.path}`;
      expect([...route.statuses, 400], where).toContain(response.status);
      if (response.status >= 400)
        expect(((await response.json()) as { message: string }).message, where).not.toMatch(/^no route/);
      controller.abort();
    }
  });

  it('describes with its schemas what the server answers', async () => {
    const url = await serve();
    const doc = openApiDocument() as { components: { schemas: Record<string, object> } };
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(schema, name);
    const created = await (
      await fetch(`${url}/api/v1/resources`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'files',
          name: 'b',
          labels: { a: 'b' },
          spec: { path: 'b' },
          policy: { interval: '5m' },
        }),
      })
    ).json();
    expect(ajv.validate('Resource', created), ajv.errorsText()).toBe(true);
    const list = await (await fetch(`${url}/api/v1/resources`)).json();
    expect(ajv.validate('ResourceList', list), ajv.errorsText()).toBe(true);
    const error = await (await fetch(`${url}/api/v1/resources/files/none`)).json();
    expect(ajv.validate('Error', error), ajv.errorsText()).toBe(true);
    expect(ajv.validate('Error', { code: 'Nope', message: 'x' })).toBe(false);
  });
});
