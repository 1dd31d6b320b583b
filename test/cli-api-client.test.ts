import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { follow } from '../src/cli/api-watch.js';
import type { CliIo, StopSignal } from '../src/cli/cli-io.js';
import { runCli } from '../src/cli/main.js';
import { TestClock } from '../src/time/test-clock.js';
import { capturedIo } from './helpers/captured-io.js';
import { freePort, until } from './helpers/poll.js';
import { tempProjects } from './helpers/temp-project.js';

/**
 * The client commands (get, apply -f, delete, watch) against a real `setpoint run`, started
 * in-process in a temporary project: what each prints, and its exit status.
 */
const projects = tempProjects('setpoint-api-client-');
const TOKEN = 'tok-7f3a9c-the-right-one';

/** An io whose SIGTERM the test sends with `stop()`. */
function stoppableIo(cwd: string, env: Record<string, string> = {}) {
  const { io: base, out } = capturedIo(cwd, { env: { NO_COLOR: '1', ...env } });
  let handler: ((signal: StopSignal) => void) | undefined;
  const io: CliIo = {
    ...base,
    onSignal: (fn) => {
      handler = fn;
      return () => {
        handler = undefined;
      };
    },
  };
  return { io, out, stop: () => handler?.('SIGTERM') };
}

let dir: string;
let server: string;
let stopRun: () => void;
let running: Promise<number>;

beforeAll(async () => {
  const port = await freePort();
  server = `http://127.0.0.1:${port}`;
  // One project for the whole file (a run takes a moment to start), removed at the end.
  dir = mkdtempSync(join(tmpdir(), 'setpoint-api-client-run-'));
  writeFiles(dir, {
    'setpoint.yaml':
      'resources: ["resources/*.yaml"]\n' +
      'providers:\n  files: { use: file, options: { root: ./out } }\n' +
      `server: { listen: "127.0.0.1:${port}", token: "${TOKEN}" }\n`,
    'resources/a.yaml': 'kind: files\nname: a.txt\nspec: { path: a.txt, content: "a\\n" }\n',
  });
  const run = stoppableIo(dir);
  stopRun = run.stop;
  running = runCli(['run'], run.io);
  await until('run serves the API', () => run.out.stderr.includes('desired-state API on'));
});

afterAll(async () => {
  stopRun();
  expect(await running).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A client command in-process from `cwd` (default: the project, whose config names the server). */
async function setpoint(argv: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const { io, out } = capturedIo(options.cwd ?? dir, { env: { NO_COLOR: '1', ...options.env } });
  const code = await runCli(argv, io);
  return { code, ...out };
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

describe('setpoint get, apply -f, delete', () => {
  it('lists the resources with their source, generations and status, and shows one', async () => {
    await until('a.txt is synced', async () => (await setpoint(['get'])).stdout.includes('synced'));
    const all = await setpoint(['get']);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]?.split(/\s+/)).toEqual([
      'KIND',
      'NAME',
      'SOURCE',
      'GENERATION',
      'OBSERVED',
      'PHASE',
      'READY',
    ]);
    expect(lines[1]?.split(/\s+/)).toEqual(['files', 'a.txt', 'config', '1', '1', 'synced', 'yes']);

    const one = await setpoint(['get', 'files/a.txt', '-o', 'json']);
    expect(JSON.parse(one.stdout)).toMatchObject({ kind: 'files', name: 'a.txt', source: 'config' });
    const list = await setpoint(['get', 'files', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({
      resourceVersion: expect.any(Number),
      items: [{ name: 'a.txt' }],
    });
    const yaml = await setpoint(['get', 'files/a.txt', '-o', 'yaml']);
    expect(parse(yaml.stdout)).toMatchObject({ kind: 'files', spec: { path: 'a.txt' } });

    const missing = await setpoint(['get', 'files/nope']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe('setpoint: files/nope not found\n');
  });

  it('creates, configures and leaves unchanged, and says which', async () => {
    const docs = (content: string) =>
      'kind: files\nname: x\nlabels: { team: a }\nspec: { path: x.txt, content: "x" }\n---\n' +
      `kind: files\nname: dir/y\nspec: { path: y.txt, content: "${content}" }\n`;
    file('xy.yaml', docs('one'));
    const created = await setpoint(['apply', '-f', 'xy.yaml']);
    expect(created).toMatchObject({ code: 0, stdout: 'files/x created\nfiles/dir/y created\n', stderr: '' });
    const again = await setpoint(['apply', '-f', 'xy.yaml']);
    expect(again).toMatchObject({ code: 0, stdout: 'files/x unchanged\nfiles/dir/y unchanged\n' });
    file('xy.yaml', docs('two'));
    const changed = await setpoint(['apply', '-f', 'xy.yaml']);
    expect(changed).toMatchObject({ code: 0, stdout: 'files/x unchanged\nfiles/dir/y configured\n' });

    const labelled = await setpoint(['get', '-l', 'team=a']);
    expect(labelled.stdout).toMatch(/^files\s+x\s+api\s+1\s/m);
    expect(labelled.stdout).not.toContain('dir/y');
    const y = JSON.parse((await setpoint(['get', 'files/dir/y', '--json'])).stdout);
    expect(y).toMatchObject({ name: 'dir/y', generation: 2, spec: { content: 'two' } });
  });

  it('reports every problem of a refused document and of a source conflict, and goes on', async () => {
    file(
      'mixed.yaml',
      'kind: files\nname: bad\nspec: { path: ../bad, content: "b" }\ndependsOn: [files/nowhere]\n---\n' +
        'kind: files\nname: a.txt\nspec: { path: a.txt, content: "mine" }\n---\n' +
        'kind: files\nname: fine\nspec: { path: fine.txt, content: "f" }\n',
    );
    const done = await setpoint(['apply', '-f', 'mixed.yaml']);
    expect(done.code).toBe(1);
    expect(done.stdout).toBe('files/fine created\n');
    expect(done.stderr).toContain('mixed.yaml:1: files/bad is invalid: 2 problems');
    expect(done.stderr).toMatch(/^ {2}dependsOn: .*files\/nowhere/m);
    expect(done.stderr).toMatch(/^ {2}spec\.path: .*\.\./m);
    expect(done.stderr).toMatch(/^mixed\.yaml:6: files\/a\.txt belongs to the source config/m);
    const a = JSON.parse((await setpoint(['get', 'files/a.txt', '--json'])).stdout);
    expect(a.spec.content).toBe('a\n');
  });

  it('sends nothing when a file does not parse, naming file and line', async () => {
    file('good.yaml', 'kind: files\nname: never\nspec: { path: never.txt }\n');
    file('broken.yaml', 'kind: files\nname: broken\nspec: { path: b.txt\n');
    const done = await setpoint(['apply', '-f', 'good.yaml', '-f', 'broken.yaml']);
    expect(done).toMatchObject({ code: 1, stdout: '' });
    expect(done.stderr).toMatch(/^broken\.yaml:\d+:\d+ error yaml-syntax/m);
    expect(done.stderr).toContain('nothing was sent');
    expect((await setpoint(['get', 'files/never'])).code).toBe(1);
  });

  it('deletes what the API declared, refuses what the config declares, and says what was not found', async () => {
    file('gone.yaml', 'kind: files\nname: gone\nspec: { path: gone.txt, content: "g" }\n');
    expect((await setpoint(['apply', '-f', 'gone.yaml'])).code).toBe(0);
    const done = await setpoint(['delete', 'files/gone', 'files/never-was']);
    expect(done).toMatchObject({ code: 1, stdout: 'files/gone deleted\n' });
    expect(done.stderr).toBe('setpoint: files/never-was not found\n');
    const config = await setpoint(['delete', 'files/a.txt']);
    expect(config.code).toBe(1);
    expect(config.stderr).toMatch(/files\/a\.txt not deleted: .*belongs to the source config/);
    expect((await setpoint(['get', 'files/a.txt'])).code).toBe(0);
  });
});

describe('apply -f from stdin, in JSON, and delete at a version', () => {
  it('reads - as standard input, answers -o json, and refuses a delete at a stale version', async () => {
    const { io, out } = capturedIo(dir, { env: { NO_COLOR: '1' } });
    const stdin = 'kind: files\nname: s\nlabels: { from: stdin }\nspec: { path: s.txt, content: "s" }\n';
    const code = await runCli(['apply', '-f', '-', '-o', 'json'], { ...io, readStdin: async () => stdin });
    expect(code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      results: [{ key: 'files/s', result: 'created', object: { source: 'api', labels: { from: 'stdin' } } }],
    });
    const stale = await setpoint(['delete', 'files/s', '--resource-version', '1']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^setpoint: files\/s not deleted: .*resource version 1/);
    const done = await setpoint(['delete', 'files/s', '--json']);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({ results: [{ key: 'files/s', result: 'deleted' }] });
  });
});

describe('setpoint watch', () => {
  it('prints the resources there are, then each change, until stopped', async () => {
    const watching = stoppableIo(dir);
    const done = runCli(['watch', 'files', '--server', server], watching.io);
    await until('the list is printed', () => watching.out.stdout.includes('ADDED files/a.txt v'));
    file('w.yaml', 'kind: files\nname: w\nspec: { path: w.txt, content: "w" }\n');
    expect((await setpoint(['apply', '-f', 'w.yaml'])).code).toBe(0);
    await until('w is ADDED', () => /^ADDED files\/w v\d+ phase=/m.test(watching.out.stdout));
    expect((await setpoint(['delete', 'files/w'])).code).toBe(0);
    await until('w is DELETED', () => /^DELETED files\/w v\d+ /m.test(watching.out.stdout));
    watching.stop();
    expect(await done).toBe(0);
    expect(watching.out.stdout).not.toContain('BOOKMARK');
  });
});

describe('reaching the instance', () => {
  it('says when nothing answers, and when the token is missing or wrong, without printing it', async () => {
    const elsewhere = projects({});
    const none = await setpoint(['get', '--server', `http://127.0.0.1:${await freePort()}`], {
      cwd: elsewhere,
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /^setpoint: nothing answered at http:\/\/127\.0\.0\.1:\d+: is setpoint run running there\?\n$/,
    );

    const nowhere = await setpoint(['get'], { cwd: elsewhere });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(
      /^setpoint: no config file setpoint\.yaml to find the instance in: give --server URL/,
    );

    // No config there, so no token: the server is named by the environment.
    const missing = await setpoint(['get'], { cwd: elsewhere, env: { SETPOINT_SERVER: server } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('(401): no token was sent: set SETPOINT_TOKEN');

    const wrong = await setpoint(['get', '--server', server], {
      env: { SETPOINT_TOKEN: 'wrong-token-secret' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('(401): the token from SETPOINT_TOKEN is not the one it expects');
    expect(wrong.stderr).not.toContain('wrong-token-secret');

    const right = await setpoint(['get', 'files/a.txt'], {
      cwd: elsewhere,
      env: { SETPOINT_SERVER: server, SETPOINT_TOKEN: TOKEN },
    });
    expect(right.code).toBe(0);
    expect(right.stdout).not.toContain(TOKEN);

    // --server wins over SETPOINT_SERVER, which wins over the config's server.listen.
    const dead = `http://127.0.0.1:${await freePort()}`;
    expect((await setpoint(['get', '--server', server], { env: { SETPOINT_SERVER: dead } })).code).toBe(0);
    const fromEnv = await setpoint(['get'], { env: { SETPOINT_SERVER: dead } });
    expect(fromEnv.stderr).toContain(`nothing answered at ${dead}:`);
  });
});

/**
 * `follow`, the watch's reconnecting loop, against a server this test scripts: the first stream
 * is cut while listing and the next after a bookmark, the resume is answered 410, the next
 * stream ends with an ERROR event (Gone), and each time the watch must go on from the right
 * version without missing a change or showing one twice.
 */
describe('the watch reconnects', () => {
  const object = (name: string, resourceVersion: number) => ({
    kind: 'files',
    name,
    labels: {},
    spec: { path: name },
    source: 'api',
    resourceVersion,
    generation: 1,
    observedGeneration: 1,
    status: { phase: 'synced' },
  });
  const sse = (type: string, resourceVersion: number, extra: Record<string, unknown> = {}) =>
    `id: ${resourceVersion}\nevent: ${type}\ndata: ${JSON.stringify({ type, resourceVersion, ...extra })}\n\n`;

  async function scripted(handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
    const seen: { url: string; lastEventId: string | undefined; authorization: string | undefined }[] = [];
    let watches = 0;
    const http = createServer((req, res) => {
      seen.push({
        url: req.url ?? '',
        lastEventId: req.headers['last-event-id'] as string | undefined,
        authorization: req.headers.authorization,
      });
      handle(req, res, req.url?.startsWith('/api/v1/watch') ? ++watches : 0);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const close = () => {
      http.closeAllConnections();
      return new Promise<void>((resolve) => http.close(() => resolve()));
    };
    return { base: `http://127.0.0.1:${port}`, seen, close };
  }

  it('resumes from the last version, lists again on 410 and on ERROR Gone, and stops when told', async () => {
    const stop = new AbortController();
    const lists = [
      { resourceVersion: 5, items: [object('b', 5)] },
      { resourceVersion: 7, items: [object('b', 6), object('c', 7)] },
    ];
    const server = await scripted((req, res, n) => {
      if (n === 0) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(lists.shift()));
        return;
      }
      if (n === 3) {
        res.writeHead(410, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'Gone', message: 'resource version 2 is too old to resume from' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 1000\n: watching\n\n');
      if (n === 1) {
        // Cut while the objects are listed, before the bookmark: nothing to resume from yet.
        const text = sse('ADDED', 1, { object: object('a', 1) });
        res.write(text.slice(0, 17));
        res.write(text.slice(17), () => res.socket?.destroy());
      } else if (n === 2) {
        // Listed again (a, already shown, is not shown twice), then cut after the bookmark.
        const text = sse('ADDED', 1, { object: object('a', 1) }) + sse('BOOKMARK', 2);
        res.write(text, () => res.socket?.destroy());
      } else if (n === 4) {
        res.write(sse('MODIFIED', 6, { object: object('b', 6) }));
        res.write(
          sse('ERROR', 6, { error: { code: 'Gone', message: 'the watch ended: fell too far behind' } }),
        );
      } else {
        res.write(sse('DELETED', 8, { object: object('c', 8) }));
      }
      req.on('close', () => res.end());
    });
    const events: string[] = [];
    const notes: string[] = [];
    const { io } = capturedIo('.');
    const target = { base: server.base, token: 't', tokenFrom: 'SETPOINT_TOKEN', secrets: ['t'] };
    const ended = follow({
      target,
      io,
      signal: stop.signal,
      backoff: { baseMs: 1, capMs: 4 },
      note: (text) => notes.push(text),
      onEvent: (event) => {
        events.push(`${event.type} ${event.object?.name ?? '-'} ${event.resourceVersion}`);
        if (event.type === 'DELETED' && event.object?.name === 'c') stop.abort();
      },
    });
    expect(await ended).toEqual({ kind: 'stopped' });
    await server.close();
    expect(events).toEqual([
      'ADDED a 1',
      'BOOKMARK - 2',
      'ADDED b 5', // the list after the 410: b is new, a is gone
      'DELETED a 5',
      'MODIFIED b 6',
      'ADDED c 7', // the list after the ERROR: b is as seen, c is new
      'DELETED c 8',
    ]);
    const watches = server.seen.filter((s) => s.url.startsWith('/api/v1/watch'));
    expect(watches.map((w) => w.lastEventId)).toEqual([undefined, undefined, '2', '5', '7']);
    expect(server.seen.every((s) => s.authorization === 'Bearer t')).toBe(true);
    expect(notes.some((n) => /too old to resume from; listing again/.test(n))).toBe(true);
    expect(notes.some((n) => /fell too far behind; listing again/.test(n))).toBe(true);
    expect(notes.some((n) => /the watch was cut/.test(n))).toBe(true);
  });

  it('counts a stream silent for too long as dropped, on the clock it is given', async () => {
    const clock = new TestClock();
    const { io } = capturedIo('.', { clock });
    const server = await scripted((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`retry: 1000\n: watching\n\n${sse('BOOKMARK', 3)}`);
      req.on('close', () => res.end());
    });
    const stop = new AbortController();
    const notes: string[] = [];
    let bookmarks = 0;
    const ended = follow({
      target: { base: server.base, token: undefined, tokenFrom: undefined, secrets: [] },
      io,
      signal: stop.signal,
      silenceMs: 30_000,
      note: (text) => notes.push(text),
      onEvent: () => {
        bookmarks++;
      },
    });
    // The last byte read restarts the wait: advance only once it has been read.
    await until('the first bookmark is read', () => bookmarks === 1);
    await clock.advance(29_999);
    expect(notes).toEqual([]);
    await clock.advance(1);
    await until('the silence is noted', () => notes.length === 1);
    expect(notes[0]).toBe('the watch was cut: nothing came for 30000 ms; connecting again in 250 ms');
    await clock.advance(250);
    await until('it connects again, from the bookmark', () => bookmarks === 2);
    expect(server.seen.at(-1)?.lastEventId).toBe('3');
    stop.abort();
    expect(await ended).toEqual({ kind: 'stopped' });
    await server.close();
  });

  it('gives up at once when nothing answers at the start, or the server refuses', async () => {
    const { io } = capturedIo('.');
    const options = { io, signal: new AbortController().signal, note: () => {}, onEvent: () => {} };
    const target = { token: undefined, tokenFrom: undefined, secrets: [] };
    const none = await follow({
      ...options,
      target: { ...target, base: `http://127.0.0.1:${await freePort()}` },
    });
    expect(none.kind).toBe('none');
    const server = await scripted((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'Unauthorized', message: 'unauthorized' }));
    });
    const refused = await follow({ ...options, target: { ...target, base: server.base } });
    await server.close();
    expect(refused).toMatchObject({ kind: 'refused', status: 401 });
  });
});
