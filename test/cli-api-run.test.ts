import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { builtCli } from './helpers/built-cli.js';
import { until } from './helpers/poll.js';
import { startServingRun } from './helpers/serving-run.js';
import { tempProjects } from './helpers/temp-project.js';

/** `setpoint run` on one machine serving the desired-state API, as a user runs it. */
const files = tempProjects('setpoint-api-run-');
const execute = promisify(execFile);
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const startRun = (dir: string) => startServingRun(dir, children);

const post = (url: string, body: unknown) =>
  fetch(`${url}/api/v1/resources`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('setpoint run with the desired-state API', () => {
  it('applies what the API declares beside the config, keeps it across a kill -9, and reports a key both sources declare until one lets go', async () => {
    const dir = files({
      'setpoint.yaml':
        'resources: ["resources/*.yaml"]\nproviders: { files: { use: file, options: { root: ./out } } }\n' +
        'defaults: { interval: 1s, prune: true }\nserver: { listen: "127.0.0.1:0" }\n',
      'resources/base.yaml': 'kind: files\nname: base\nspec: { path: base.txt, content: "config" }\n',
    });
    const first = await startRun(dir);
    const created = await post(first.url, {
      kind: 'files',
      name: 'api',
      spec: { path: 'api.txt', content: 'api' },
    });
    expect(created.status).toBe(201);
    const escaping = await post(first.url, { kind: 'files', name: 'out', spec: { path: '../escape.txt' } });
    expect(escaping.status).toBe(422);
    expect(((await escaping.json()) as { field: string }).field).toBe('spec.path');
    await until(
      'both files are written',
      () => existsSync(join(dir, 'out/api.txt')) && existsSync(join(dir, 'out/base.txt')),
    );

    // Killed at once: what the API acknowledged is on disk, and the next run keeps it.
    first.child.kill('SIGKILL');
    await until('it exited', () => first.child.exitCode !== null || first.child.signalCode !== null);
    // A one-shot apply (prune on) keeps what the API declared: it is part of the desired set.
    const applied = await execute(process.execPath, [builtCli().bin, 'apply'], { cwd: dir });
    expect(applied.stderr).toContain('1 resource declared through the desired-state API');
    expect(existsSync(join(dir, 'out/api.txt'))).toBe(true);
    const second = await startRun(dir);
    const kept = (await (await fetch(`${second.url}/api/v1/resources/files/api`)).json()) as {
      source: string;
    };
    expect(kept.source).toBe('api');

    // The config declares the API's key too: the API keeps it, and both sides say so.
    writeFileSync(
      join(dir, 'resources/api.yaml'),
      'kind: files\nname: api\nspec: { path: api.txt, content: "config" }\n',
    );
    await until('the reload reports the conflict', () =>
      second.log().includes('declared by the config and by the source api'),
    );
    const object = (await (await fetch(`${second.url}/api/v1/resources/files/api`)).json()) as {
      conflicts?: { source: string }[];
    };
    expect(object.conflicts?.map((c) => c.source)).toEqual(['config']);
    expect(readFileSync(join(dir, 'out/api.txt'), 'utf8')).toBe('api');

    // Removed through the API: the config's version, waiting behind it, takes the key over.
    expect((await fetch(`${second.url}/api/v1/resources/files/api`, { method: 'DELETE' })).status).toBe(200);
    await until(
      'the config applies its version',
      () => readFileSync(join(dir, 'out/api.txt'), 'utf8') === 'config',
    );
    const now = (await (await fetch(`${second.url}/api/v1/resources/files/api`)).json()) as {
      source: string;
    };
    expect(now.source).toBe('config');

    // A file only the API declared is deleted from the world when the API removes it.
    await post(second.url, { kind: 'files', name: 'gone', spec: { path: 'gone.txt', content: 'x' } });
    await until('it is written', () => existsSync(join(dir, 'out/gone.txt')));
    expect((await fetch(`${second.url}/api/v1/resources/files/gone`, { method: 'DELETE' })).status).toBe(200);
    await until('it is deleted', () => !existsSync(join(dir, 'out/gone.txt')));
  }, 60_000);
});
