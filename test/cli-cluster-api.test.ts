import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from './helpers/poll.js';
import { postgresTests } from './helpers/postgres.js';
import { startServingRun } from './helpers/serving-run.js';
import { openEvents } from './helpers/sse-client.js';
import { tempProjects } from './helpers/temp-project.js';

/** The desired-state API served by each `setpoint run` of a group on one PostgreSQL database. */
const files = tempProjects('setpoint-cluster-api-');
const pgt = postgresTests();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const startRun = (dir: string) => startServingRun(dir, children);

const json = { 'content-type': 'application/json' };

describe('the desired-state API of a group', () => {
  it('takes a write on one instance, applies it on the shard owner, and both watch it, with the config as a source beside it', async () => {
    const url = (await pgt.database('cluster_api')).url;
    const dir = files({
      'setpoint.yaml':
        `resources: ["resources/*.yaml"]\nstore: ${url}\ncluster: { shards: 4, leaseTtl: 3s, renewEvery: 500ms }\n` +
        'providers: { files: { use: file, options: { root: ./out } } }\ndefaults: { interval: 1s, prune: true }\n' +
        'server: { listen: "127.0.0.1:0" }\n',
      'resources/base.yaml':
        'kind: files\nname: base\nspec: { path: base.txt, content: "from the config" }\n',
    });
    const [a, b] = [await startRun(dir), await startRun(dir)];
    const list = (await (await fetch(`${b.url}/api/v1/resources`)).json()) as { resourceVersion: number };
    const watch = await openEvents(
      `${b.url}/api/v1/watch?resourceVersion=${list.resourceVersion}&kind=files`,
    );

    const created = await fetch(`${a.url}/api/v1/resources`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        kind: 'files',
        name: 'api',
        spec: { path: 'api.txt', content: 'from the API' },
        dependsOn: ['files/base'],
      }),
    });
    expect(created.status).toBe(201);
    await until('the file the API declared is written', () => existsSync(join(dir, 'out/api.txt')));
    expect(readFileSync(join(dir, 'out/api.txt'), 'utf8')).toBe('from the API');
    // Watched on the other instance; then its status comes back, at the generation it declared.
    const [added] = await watch.next(1);
    expect(added).toMatchObject({ event: 'ADDED', data: { object: { name: 'api', source: 'api' } } });
    await until('the status is written back', async () => {
      const o = (await (await fetch(`${b.url}/api/v1/resources/files/api`)).json()) as {
        observedGeneration: number;
        status: { ready?: boolean } | null;
      };
      return o.observedGeneration === 1 && o.status?.ready === true;
    });
    // The config's key belongs to the config.
    const refused = await fetch(`${b.url}/api/v1/resources/files/base`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('SourceConflict');
    // A validation that needs the table: a cycle through the config's resource is refused.
    const cycle = await fetch(`${a.url}/api/v1/resources/files/api`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({
        kind: 'files',
        name: 'api',
        spec: { path: 'api.txt' },
        dependsOn: ['files/api2'],
      }),
    });
    expect(cycle.status).toBe(422);
    // Deleted through B: the owner deletes the file, and A's watchers see it.
    const watchA = await openEvents(`${a.url}/api/v1/watch?kind=files&labelSelector=`);
    await watchA.next(2); // the objects there now
    expect((await fetch(`${b.url}/api/v1/resources/files/api`, { method: 'DELETE' })).status).toBe(200);
    await until('the file is deleted', () => !existsSync(join(dir, 'out/api.txt')));
    let deleted: Awaited<ReturnType<typeof watchA.next>>[number] | undefined;
    for (let i = 0; i < 10 && deleted === undefined; i++) {
      const [event] = await watchA.next(1);
      if (event?.event === 'DELETED') deleted = event;
    }
    expect(deleted?.data.object).toMatchObject({ name: 'api' });
    watch.close();
    watchA.close();
    expect(a.log()).toContain('desired-state API on');
  }, 60_000);
});
