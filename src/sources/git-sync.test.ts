import { renameSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { gitFixtures } from '../../test/helpers/git-repos.js';
import type { Resource } from '../contract/resource.js';
import { TestClock } from '../time/test-clock.js';
import { GitSync, type PublishAnswer } from './git-sync.js';

/**
 * A Git source kept in the desired set, against a real repository, on a virtual clock for its
 * interval: what a commit publishes, and what a commit or a fetch that fails leaves in place.
 */
const fixtures = gitFixtures();
const log = pino({ level: 'silent' });
const doc = (name: string, content: string) =>
  `kind: files\nname: ${name}\nspec:\n  path: ${name}.txt\n  content: "${content}"\n`;

function setup(publish?: (resources: readonly Resource[]) => PublishAnswer) {
  const repo = fixtures();
  const clock = new TestClock();
  const published: Resource[][] = [];
  const sync = new GitSync({
    source: { name: 'git', url: repo.origin, ref: 'main', path: 'site', intervalMs: 60_000 },
    state: repo.dir('state'),
    clock,
    log,
    providers: { files: { use: 'file', options: {}, source: { file: 'setpoint.yaml', line: 1, column: 1 } } },
    secrets: [],
    async publish(_source, resources) {
      const answer = publish?.(resources) ?? { ok: true, added: resources.length, changed: 0, removed: 0 };
      if (answer.ok) published.push([...resources]);
      return answer;
    },
  });
  return { repo, clock, sync, published };
}

describe('GitSync', () => {
  it('publishes each new commit, keeps the last good one when a commit does not read, and says why', async () => {
    const { repo, sync, published } = setup();
    const good = repo.commit({ 'site/a.yaml': doc('a', 'v1') });
    expect(await sync.start()).toMatchObject({ result: 'applied', commit: good });
    expect(published.map((set) => set.map((r) => r.spec.content))).toEqual([['v1']]);
    expect(await sync.sync()).toEqual({ result: 'unchanged', commit: good });

    const broken = repo.commit({ 'site/a.yaml': 'kind: files\nname: a\nspec: [oops\n' });
    const refused = await sync.sync();
    expect(refused).toMatchObject({ result: 'refused', commit: broken });
    expect(refused.result === 'refused' && refused.error).toMatch(
      new RegExp(`in commit ${broken}[\\s\\S]*site/a\\.yaml:\\d+:\\d+ error yaml-syntax`),
    );
    expect(published).toHaveLength(1); // nothing from the broken commit
    expect(sync.status()).toMatchObject({ commit: good, fetched: broken });
    expect(sync.status().error).toContain('site/a.yaml');

    const fixed = repo.commit({ 'site/a.yaml': doc('a', 'v2'), 'site/b.yaml': doc('b', 'v1') });
    expect(await sync.sync()).toMatchObject({ result: 'applied', commit: fixed });
    expect(published.at(-1)?.map((r) => `${r.name}=${String(r.spec.content)}`)).toEqual(['a=v2', 'b=v1']);
    expect(sync.status()).toMatchObject({ commit: fixed, error: null });
    sync.stop();
  });

  it('keeps the last good commit when the store refuses the set or the repository cannot be fetched', async () => {
    let refuse = false;
    const { repo, sync, published } = setup(() =>
      refuse
        ? { ok: false, errors: ['files/a depends on files/zz, which is not declared'] }
        : { ok: true, added: 1, changed: 0, removed: 0 },
    );
    const good = repo.commit({ 'site/a.yaml': doc('a', 'v1') });
    await sync.start();
    refuse = true;
    repo.commit({ 'site/a.yaml': doc('a', 'v2') });
    expect(await sync.sync()).toMatchObject({
      result: 'refused',
      error: expect.stringContaining('files/zz'),
    });
    expect(sync.status().commit).toBe(good);
    renameSync(repo.origin, `${repo.origin}.moved`);
    const failed = await sync.sync();
    expect(failed).toMatchObject({ result: 'failed' });
    expect(sync.status()).toMatchObject({ commit: good, error: expect.stringMatching(/^fetch failed: /) });
    expect(published).toHaveLength(1);
    sync.stop();
  });

  it('fetches on its interval by the clock, and runs overlapping calls as one more sync, not many', async () => {
    const { repo, clock, sync, published } = setup();
    repo.commit({ 'site/a.yaml': doc('a', 'v1') });
    await sync.start();
    const next = repo.commit({ 'site/a.yaml': doc('a', 'v2') });
    await clock.advance(59_000);
    expect(published).toHaveLength(1);
    await clock.advance(1_000);
    await until(() => sync.status().commit === next);
    expect(published).toHaveLength(2);

    repo.commit({ 'site/a.yaml': doc('a', 'v3') });
    const outcomes = await Promise.all([sync.sync(), sync.sync(), sync.sync(), sync.sync()]);
    expect(outcomes.filter((o) => o.result === 'applied')).toHaveLength(1);
    expect(published).toHaveLength(3);
    sync.stop();
  });
});

/** Wait for real I/O (git runs as a process) started by a virtual timer. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(check()).toBe(true);
}
