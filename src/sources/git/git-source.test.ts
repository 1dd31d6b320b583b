import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectHidden, gitFixtures, rejection } from '../../../test/helpers/git-repos.js';
import { freePort, until } from '../../../test/helpers/poll.js';
import { TestClock } from '../../time/test-clock.js';
import { GitSourceError } from './errors.js';
import { createGitSource } from './git-source.js';

const fixture = gitFixtures();
const failure = (promise: Promise<unknown>) => rejection(promise, GitSourceError.is, 'GitSourceError');
const APP = 'kind: files\nname: app\nspec: { path: app.txt }\n';

describe('a Git source on a local bare repository', () => {
  it('fetches the branch head, then a commit pushed since, naming the one before', async () => {
    const repo = fixture();
    const first = repo.commit({ 'app.yaml': APP });
    const clock = new TestClock({ start: 5_000 });
    const source = createGitSource({ url: repo.origin, ref: 'main', dir: repo.dir('cache'), clock });
    expect(source.describe()).toEqual({ url: repo.origin, ref: 'main', path: '' });

    expect(await source.fetch()).toEqual({ commit: first, previous: undefined });
    expect(source.describe()).toEqual({
      url: repo.origin,
      ref: 'main',
      path: '',
      commit: first,
      fetchedAt: 5_000,
    });
    expect(await source.fetch()).toEqual({ commit: first, previous: first });

    const second = repo.commit({ 'other.yaml': APP.replace('app', 'other') });
    await clock.advance(1_000);
    expect(await source.fetch()).toEqual({ commit: second, previous: first });
    expect(source.describe()).toMatchObject({ commit: second, fetchedAt: 6_000 });
  });

  it('fetches by file:// URL, by tag (plain and annotated) and by full commit sha', async () => {
    const repo = fixture();
    const tagged = repo.commit({ 'app.yaml': APP });
    repo.tag('v1');
    repo.tag('v1-notes', { annotated: true });
    const head = repo.commit({ 'app.yaml': APP.replace('app.txt', 'app2.txt') });
    const url = pathToFileURL(repo.origin).href;
    const clock = new TestClock();
    const at = (ref: string, dir: string) => createGitSource({ url, ref, dir: repo.dir(dir), clock });

    expect((await at('v1', 'a').fetch()).commit).toBe(tagged);
    expect((await at('v1-notes', 'b').fetch()).commit).toBe(tagged);
    expect((await at('refs/heads/main', 'c').fetch()).commit).toBe(head);
    const bySha = at(tagged, 'd');
    expect(await bySha.fetch()).toEqual({ commit: tagged, previous: undefined });
    // The commit is held now: the next fetch of a sha does not ask the remote again.
    expect(await bySha.fetch()).toEqual({ commit: tagged, previous: tagged });
    const tree = await bySha.checkout(tagged);
    expect(readFileSync(join(tree, 'app.yaml'), 'utf8')).toBe(APP);
  });

  it('checks out an exact commit once, under trees/<commit>, keeping only the last two', async () => {
    const repo = fixture();
    const shas = [1, 2, 3].map((n) => repo.commit({ 'app.yaml': APP.replace('app.txt', `app${n}.txt`) }));
    const dir = repo.dir('cache');
    const source = createGitSource({ url: repo.origin, ref: 'main', dir, clock: new TestClock() });
    const trees = () => readdirSync(join(dir, 'trees')).sort();

    // Each fetch brings the head at that moment; older commits stay in the cache.
    for (const sha of shas) {
      expect(
        (await createGitSource({ url: repo.origin, ref: sha, dir, clock: new TestClock() }).fetch()).commit,
      ).toBe(sha);
    }
    const [one, two, three] = shas as [string, string, string];
    const first = await source.checkout(one);
    expect(first).toBe(join(dir, 'trees', one));
    expect(readFileSync(join(first, 'app.yaml'), 'utf8')).toContain('app1.txt');
    expect(await source.checkout(one)).toBe(first);
    await source.checkout(two);
    expect(trees()).toEqual([one, two].sort());
    await source.checkout(three);
    expect(trees()).toEqual([two, three].sort());
    // Used again, a tree counts as recent.
    await source.checkout(two);
    await source.checkout(one);
    expect(trees()).toEqual([one, two].sort());
  });

  it('refuses a commit that is not a full sha, one it does not hold, and a path the commit lacks', async () => {
    const repo = fixture();
    const sha = repo.commit({ 'deploy/app.yaml': APP });
    const clock = new TestClock();
    const source = createGitSource({
      url: repo.origin,
      ref: 'main',
      path: 'deploy',
      dir: repo.dir('a'),
      clock,
    });
    await expect(source.checkout('main')).rejects.toThrow(TypeError);
    await expect(source.checkout(sha.slice(0, 12))).rejects.toThrow(/full 40-hex commit sha/);
    expect((await failure(source.checkout('0'.repeat(40)))).failure).toBe('commit-not-fetched');

    await source.fetch();
    expect(await source.checkout(sha)).toBe(join(repo.root, 'a', 'trees', sha, 'deploy'));
    const elsewhere = createGitSource({
      url: repo.origin,
      ref: 'main',
      path: 'nope/',
      dir: repo.dir('b'),
      clock,
    });
    await elsewhere.fetch();
    const missing = await failure(elsewhere.checkout(sha));
    expect(missing.failure).toBe('path-not-found');
    expect(missing.message).toContain('the commit has no directory "nope"');
    expect(existsSync(join(repo.root, 'b', 'trees', sha))).toBe(false);
  });

  it('gives a GitSourceError for a missing ref, naming the ref and what git said', async () => {
    const repo = fixture();
    repo.commit({ 'app.yaml': APP });
    const source = createGitSource({
      url: repo.origin,
      ref: 'release',
      dir: repo.dir('c'),
      clock: new TestClock(),
    });
    const error = await failure(source.fetch());
    expect(error).toBeInstanceOf(GitSourceError);
    expect(error.failure).toBe('ref-not-found');
    expect(error.ref).toBe('release');
    expect(error.message).toBe(
      `cannot fetch "release" from ${repo.origin}: fatal: couldn't find remote ref release`,
    );
    expect(error.gitMessage).toBe("fatal: couldn't find remote ref release");
    expect(source.describe().commit).toBeUndefined();
  });

  it('hides the password of a URL that cannot be reached, everywhere the error shows', async () => {
    const repo = fixture();
    const port = await freePort();
    const password = 'pa55-Word-9f3e1c';
    const url = `http://deploy:${password}@127.0.0.1:${port}/site.git`;
    const source = createGitSource({ url, ref: 'main', dir: repo.dir('c'), clock: new TestClock() });
    expect(source.describe().url).toBe(`http://***@127.0.0.1:${port}/site.git`);
    const error = await failure(source.fetch());
    expect(error.failure).toBe('fetch-failed');
    expect(error.url).toBe(`http://***@127.0.0.1:${port}/site.git`);
    expect(error.message).toMatch(
      /^cannot fetch "main" from http:\/\/\*\*\*@127\.0\.0\.1:\d+\/site\.git: fatal: /,
    );
    expectHidden(error, password);
    expectHidden(error, 'deploy:');

    // A bare path that is no repository: the same kind of error.
    const nowhere = createGitSource({
      url: join(repo.root, 'none.git'),
      ref: 'main',
      dir: repo.dir('d'),
      clock: new TestClock(),
    });
    expect((await failure(nowhere.fetch())).failure).toBe('fetch-failed');
  });

  it('times out on the injected clock, and stops when aborted', async () => {
    const repo = fixture();
    // A server that accepts and never answers: git waits for the first line forever.
    const sockets = new Set<Socket>();
    const server = createServer((socket) => sockets.add(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const clock = new TestClock();
      const url = `git://127.0.0.1:${port}/site.git`;
      const source = createGitSource({ url, ref: 'main', dir: repo.dir('t'), clock, timeoutMs: 30_000 });
      const fetching = failure(source.fetch());
      await until('git connects', () => sockets.size === 1);
      await clock.advance(30_000);
      const late = await fetching;
      expect(late.failure).toBe('timeout');
      expect(late.message).toBe(`cannot fetch "main" from ${url}: timed out after 30000 ms`);

      const controller = new AbortController();
      const again = failure(source.fetch(controller.signal));
      await until('git connects again', () => sockets.size === 2);
      controller.abort();
      expect((await again).failure).toBe('aborted');
      expect(clock.pending()).toBe(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses options that could be read as something else', () => {
    const clock = new TestClock();
    const make = (over: Record<string, unknown>) => () =>
      createGitSource({ url: '/r.git', ref: 'main', dir: '/tmp/x', clock, ...over } as never);
    expect(make({ url: '--upload-pack=touch /tmp/pwned' })).toThrow(/`url`/);
    for (const ref of ['-x', 'a b', 'main:other', 'a..b', '', 'x^{tree}'])
      expect(make({ ref })).toThrow(/`ref`/);
    for (const path of ['/etc', '../up', 'a/../../b']) expect(make({ path })).toThrow(/`path`/);
    expect(make({ path: './deploy/' })().describe().path).toBe('deploy');
    expect(make({ clock: undefined })).toThrow(/`clock`/);
  });
});
