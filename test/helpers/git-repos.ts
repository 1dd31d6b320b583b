import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, expect } from 'vitest';
import { freePort, until } from './poll.js';

/**
 * Real Git repositories for the tests of the Git source: a bare `origin.git` and a working
 * clone that commits and pushes to it, in a temporary directory removed after each test; and
 * the two servers a test can put in front of them, `git daemon` and `git http-backend`.
 */

/** Git as the fixtures run it: a fixed author, no user or system config. */
const FIXTURE_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.com',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: FIXTURE_ENV, encoding: 'utf8', stdio: 'pipe' }).trim();
}

export interface GitFixture {
  /** The temporary directory everything is in. */
  readonly root: string;
  /** The bare repository's path (`<root>/origin.git`). */
  readonly origin: string;
  /** Write (a string) or delete (`null`) files in the clone, commit, push `main`; the new sha. */
  commit(files: Record<string, string | null>, message?: string): string;
  /** Commit a symbolic link at `path` to `target`, push `main`; the new sha. */
  link(path: string, target: string): string;
  /** Tag a commit (default: the last) and push the tag. */
  tag(name: string, options?: { annotated?: boolean; at?: string }): void;
  /** A new empty directory under the root, for a source's cache. */
  dir(name: string): string;
}

/** A maker of fixtures; every one it made is removed after each test. */
export function gitFixtures(): () => GitFixture {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });
  return () => {
    const root = mkdtempSync(join(tmpdir(), 'setpoint-git-'));
    roots.push(root);
    const origin = join(root, 'origin.git');
    const work = join(root, 'work');
    git(root, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
    git(root, 'init', '--quiet', '--initial-branch=main', work);
    git(work, 'remote', 'add', 'origin', origin);
    let count = 0;
    return {
      root,
      origin,
      commit(files, message) {
        for (const [path, text] of Object.entries(files)) {
          const file = join(work, path);
          if (text === null) rmSync(file, { force: true });
          else {
            mkdirSync(dirname(file), { recursive: true });
            writeFileSync(file, text);
          }
        }
        git(work, 'add', '--all');
        git(work, 'commit', '--quiet', '--allow-empty', '-m', message ?? `commit ${++count}`);
        git(work, 'push', '--quiet', 'origin', 'main');
        return git(work, 'rev-parse', 'HEAD');
      },
      link(path, target) {
        const file = join(work, path);
        mkdirSync(dirname(file), { recursive: true });
        symlinkSync(target, file);
        return this.commit({}, `link ${path}`);
      },
      tag(name, options = {}) {
        const at = options.at ?? 'HEAD';
        if (options.annotated) git(work, 'tag', '-a', '-m', name, name, at);
        else git(work, 'tag', name, at);
        git(work, 'push', '--quiet', 'origin', `refs/tags/${name}`);
      },
      dir(name) {
        const dir = join(root, name);
        mkdirSync(dir, { recursive: true });
        return dir;
      },
    };
  };
}

/** A server started by a test: where it listens, and how to stop it (waiting for its exit). */
export interface GitServer {
  readonly port: number;
  /** The URL of a repository under the served directory (`origin.git`). */
  url(repo: string): string;
  stop(): Promise<void>;
}

/** Does something accept connections on 127.0.0.1:`port`? */
export async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `git daemon` serving every repository under `base`, on a free port, ready when returned. */
export async function startGitDaemon(base: string): Promise<GitServer> {
  const port = await freePort();
  const args = ['daemon', '--reuseaddr', `--base-path=${base}`, '--export-all', '--listen=127.0.0.1'];
  const child = spawn('git', [...args, `--port=${port}`], { env: FIXTURE_ENV, stdio: 'ignore' });
  const stop = () => stopChild(child);
  try {
    await until('git daemon accepts connections', async () => {
      if (child.exitCode !== null) throw new Error(`git daemon exited with ${child.exitCode}`);
      return accepts(port);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, url: (repo) => `git://127.0.0.1:${port}/${repo}`, stop };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/**
 * Git's smart HTTP protocol for every repository under `base`: `git http-backend` run as a CGI
 * program per request, behind a check of the `Authorization` header (`Basic user:password`).
 */
export async function startGitHttp(
  base: string,
  auth: { user: string; password: string },
): Promise<GitServer & { readonly refused: () => number }> {
  const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  let refused = 0;
  const children = new Set<ChildProcess>();
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      refused++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    serveCgi(base, req, res, children);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    url: (repo) => `http://127.0.0.1:${port}/${repo}`,
    refused: () => refused,
    stop: async () => {
      await Promise.all([...children].map(stopChild));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveCgi(
  base: string,
  req: IncomingMessage,
  res: ServerResponse,
  children: Set<ChildProcess>,
): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : '';
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GIT_PROJECT_ROOT: base,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: header('content-type'),
    HTTP_CONTENT_ENCODING: header('content-encoding'),
    GIT_PROTOCOL: header('git-protocol'),
    REMOTE_USER: 'fixture',
    REMOTE_ADDR: '127.0.0.1',
  };
  if (header('content-length') !== '') env.CONTENT_LENGTH = header('content-length');
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  children.add(child);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdin.on('error', () => undefined);
  req.pipe(child.stdin);
  child.once('close', () => {
    children.delete(child);
    const out = Buffer.concat(chunks);
    const end = out.indexOf('\r\n\r\n');
    const head = out.subarray(0, end === -1 ? 0 : end).toString('latin1');
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers).end(out.subarray(end === -1 ? 0 : end + 4));
  });
}

/** Every way an error can be printed: none may show `secret`. */
export function expectHidden(error: unknown, secret: string): void {
  const forms = [
    String(error),
    (error as Error).stack ?? '',
    inspect(error, { depth: 10 }),
    JSON.stringify(error),
  ];
  for (const form of forms) expect(form).not.toContain(secret);
}

/** What `promise` rejects with, which `is` must accept (else the test fails naming `what`). */
export async function rejection<E>(
  promise: Promise<unknown>,
  is: (e: unknown) => e is E,
  what: string,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!is(error)) throw new Error(`expected a ${what}, got ${String(error)}`);
  return error;
}
