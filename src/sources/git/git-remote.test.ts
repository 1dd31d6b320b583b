import { afterEach, describe, expect, it } from 'vitest';
import {
  accepts,
  expectHidden,
  type GitServer,
  gitFixtures,
  rejection,
  startGitDaemon,
  startGitHttp,
} from '../../../test/helpers/git-repos.js';
import { until } from '../../../test/helpers/poll.js';
import { TestClock } from '../../time/test-clock.js';
import { GitSourceError } from './errors.js';
import { createGitSource } from './git-source.js';
import { readResourceTree } from './read-tree.js';

const fixture = gitFixtures();
const failure = (promise: Promise<unknown>) => rejection(promise, GitSourceError.is, 'GitSourceError');
const servers: GitServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

const APP = 'kind: files\nname: app\nspec: { path: app.txt }\n';

describe('a Git source served by git daemon', () => {
  it('fetches the head, a commit pushed since, a tag and a sha, and reads a tree', async () => {
    const repo = fixture();
    const first = repo.commit({ 'deploy/app.yaml': APP });
    repo.tag('v1');
    const daemon = await startGitDaemon(repo.root);
    servers.push(daemon);
    const url = daemon.url('origin.git');
    const clock = new TestClock();
    const source = createGitSource({ url, ref: 'main', path: 'deploy', dir: repo.dir('cache'), clock });

    expect(await source.fetch()).toEqual({ commit: first, previous: undefined });
    const second = repo.commit({ 'deploy/other.yaml': APP.replaceAll('app', 'other') });
    expect(await source.fetch()).toEqual({ commit: second, previous: first });
    const dir = await source.checkout(second);
    const read = await readResourceTree({ dir, path: 'deploy', commit: second });
    expect(read.issues).toEqual([]);
    expect(read.files).toEqual(['deploy/app.yaml', 'deploy/other.yaml']);

    const byTag = createGitSource({ url, ref: 'v1', dir: repo.dir('tag'), clock });
    expect((await byTag.fetch()).commit).toBe(first);
    const bySha = createGitSource({ url, ref: first, dir: repo.dir('sha'), clock });
    expect((await bySha.fetch()).commit).toBe(first);
  });

  it('gives a GitSourceError for a missing ref, a missing repository and a daemon that is gone', async () => {
    const repo = fixture();
    repo.commit({ 'app.yaml': APP });
    const daemon = await startGitDaemon(repo.root);
    servers.push(daemon);
    const clock = new TestClock();

    const noRef = await failure(
      createGitSource({ url: daemon.url('origin.git'), ref: 'gone', dir: repo.dir('a'), clock }).fetch(),
    );
    expect(noRef.failure).toBe('ref-not-found');
    expect(noRef.message).toBe(
      `cannot fetch "gone" from ${daemon.url('origin.git')}: fatal: couldn't find remote ref gone`,
    );

    const noRepo = await failure(
      createGitSource({ url: daemon.url('nothing.git'), ref: 'main', dir: repo.dir('b'), clock }).fetch(),
    );
    expect(noRepo.failure).toBe('fetch-failed');
    expect(noRepo.gitMessage).toContain('not exported');

    await daemon.stop();
    servers.splice(0);
    await until('the daemon no longer accepts', async () => !(await accepts(daemon.port)));
    const down = await failure(
      createGitSource({ url: daemon.url('origin.git'), ref: 'main', dir: repo.dir('c'), clock }).fetch(),
    );
    expect(down.failure).toBe('fetch-failed');
    expect(down.gitMessage).toMatch(/unable to connect|Connection refused/);
  });
});

describe('a Git source over HTTP', () => {
  const user = 'deploy';
  const password = 'Sup3r-s3cret-8d41';

  it('fetches with the credentials in the URL, and hides them when they are refused', async () => {
    const repo = fixture();
    const commit = repo.commit({ 'app.yaml': APP });
    const http = await startGitHttp(repo.root, { user, password });
    servers.push(http);
    const withCredentials = (pass: string) =>
      http.url('origin.git').replace('http://', `http://${user}:${encodeURIComponent(pass)}@`);
    const clock = new TestClock();

    const source = createGitSource({
      url: withCredentials(password),
      ref: 'main',
      dir: repo.dir('a'),
      clock,
    });
    expect(source.describe().url).toBe(`http://***@127.0.0.1:${http.port}/origin.git`);
    expect((await source.fetch()).commit).toBe(commit);

    const wrong = 'Wr0ng-p@ss-77e2';
    const refused = createGitSource({ url: withCredentials(wrong), ref: 'main', dir: repo.dir('b'), clock });
    const error = await failure(refused.fetch());
    expect(error.failure).toBe('fetch-failed');
    expect(error.message).toContain(`from http://***@127.0.0.1:${http.port}/origin.git: `);
    expect(error.gitMessage).toMatch(/Authentication failed|401/);
    for (const secret of [wrong, encodeURIComponent(wrong), `${user}:`]) expectHidden(error, secret);
    expect(http.refused()).toBeGreaterThan(0);

    const missing = await failure(
      createGitSource({ url: withCredentials(password), ref: 'nope', dir: repo.dir('c'), clock }).fetch(),
    );
    expect(missing.failure).toBe('ref-not-found');
    expectHidden(missing, password);
  });

  it('fetches with an auth header passed as config in the environment', async () => {
    const repo = fixture();
    const commit = repo.commit({ 'app.yaml': APP });
    const http = await startGitHttp(repo.root, { user, password });
    servers.push(http);
    const token = Buffer.from(`${user}:${password}`).toString('base64');
    const env = {
      ...process.env,
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${token}`,
    };
    const clock = new TestClock();
    const url = http.url('origin.git');
    const source = createGitSource({ url, ref: 'main', dir: repo.dir('a'), env, clock });
    expect((await source.fetch()).commit).toBe(commit);

    const missing = await failure(
      createGitSource({ url, ref: 'nope', dir: repo.dir('b'), env, clock }).fetch(),
    );
    expect(missing.failure).toBe('ref-not-found');
    expectHidden(missing, token);
  });
});
