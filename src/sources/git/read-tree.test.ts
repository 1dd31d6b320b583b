// biome-ignore-all lint/suspicious/noTemplateCurlyInString: resource files quote `${env:…}` references
import { describe, expect, it } from 'vitest';
import { gitFixtures } from '../../../test/helpers/git-repos.js';
import { TestClock } from '../../time/test-clock.js';
import { createGitSource } from './git-source.js';
import { formatTreeIssues, readResourceTree } from './read-tree.js';

const fixture = gitFixtures();
const PROVIDERS = { files: { use: 'file' } };

function app(name: string, extra = ''): string {
  return `kind: files\nname: ${name}\nspec:\n  path: ${name}.txt\n${extra}`;
}

/** A fixture and a source on it at `path`: `read()` fetches, checks out, and reads the head. */
function sourceAt(path: string) {
  const repo = fixture();
  const source = createGitSource({
    url: repo.origin,
    ref: 'main',
    path,
    dir: repo.dir('cache'),
    clock: new TestClock(),
  });
  const read = async () => {
    const { commit } = await source.fetch();
    const dir = await source.checkout(commit);
    return readResourceTree({ dir, path, commit, providers: PROVIDERS });
  };
  return { repo, source, read };
}

describe('reading the resources of a commit', () => {
  it('reads every .yaml and .yml file under the path, at any depth, and nothing outside it', async () => {
    const { repo, read } = sourceAt('deploy/site-a');
    const commit = repo.commit({
      'deploy/site-a/app1.yaml': app('app1'),
      'deploy/site-a/nested/more/app2.yml': `${app('app2')}---\n${app('app3', 'dependsOn: [files/app1]\n')}`,
      'deploy/site-a/README.md': '# not a resource\n',
      'deploy/site-a/.github/workflows/ci.yml': 'on: push\n',
      'deploy/site-b/other.yaml': app('other'),
      'top.yaml': app('top'),
    });
    const result = await read();
    expect(result.issues).toEqual([]);
    expect(result.commit).toBe(commit);
    expect(result.files).toEqual(['deploy/site-a/app1.yaml', 'deploy/site-a/nested/more/app2.yml']);
    expect(result.resources.map((r) => r.name)).toEqual(['app1', 'app2', 'app3']);
    expect(result.sources.get('files/app3')).toEqual({
      file: 'deploy/site-a/nested/more/app2.yml',
      line: 6,
      column: 1,
    });
  });

  it('names a broken file from the repository root, with the commit; the last good commit stays readable', async () => {
    const { repo, source, read } = sourceAt('deploy');
    const good = repo.commit({ 'deploy/site-a/app1.yaml': app('app1') });
    const first = await read();
    expect(first.issues).toEqual([]);

    const bad = repo.commit({
      'deploy/site-a/app1.yaml': 'kind: files\nname: app1\nspec:\n  path: [unclosed\n',
    });
    const broken = await read();
    expect(broken.commit).toBe(bad);
    expect(broken.resources).toEqual([]);
    expect(broken.issues.length).toBeGreaterThan(0);
    const [head] = broken.issues;
    expect(head).toMatchObject({ code: 'yaml-syntax', file: 'deploy/site-a/app1.yaml', commit: bad });
    expect(head?.line).toBeGreaterThanOrEqual(4);
    const text = formatTreeIssues(broken);
    expect(text.split('\n')[0]).toBe(`in commit ${bad}:`);
    expect(text).toMatch(/^deploy\/site-a\/app1\.yaml:\d+:\d+ error yaml-syntax: /m);

    // The caller keeps applying the last good commit: its tree is still there to read.
    const kept = await source.checkout(good);
    const again = await readResourceTree({ dir: kept, path: 'deploy', commit: good, providers: PROVIDERS });
    expect(again.issues).toEqual([]);
    expect(again.resources.map((r) => r.name)).toEqual(['app1']);
  });

  it('reports schema and set problems at their place: unknown kinds, duplicates, missing dependencies', async () => {
    const { repo, read } = sourceAt('');
    const commit = repo.commit({
      'a.yaml': `${app('one')}---\nkind: filez\nname: two\nspec: {}\n`,
      'b/c.yaml': `${app('one')}---\n${app('three', 'dependsOn: [files/nope]\n')}`,
    });
    const { issues } = await read();
    expect(issues.map((i) => `${i.file}:${i.line} ${i.code}`)).toEqual([
      'a.yaml:6 unknown-kind',
      'b/c.yaml:1 duplicate-resource',
      'b/c.yaml:10 missing-dependency',
    ]);
    expect(issues.every((i) => i.commit === commit)).toBe(true);
    expect(issues[1]?.message).toContain('first at a.yaml:1');
  });

  it('resolves no ${env:…} or ${file:…} from the host unless given an environment', async () => {
    const { repo, source } = sourceAt('');
    const commit = repo.commit({
      'a.yaml': 'kind: files\nname: a\nspec:\n  path: a.txt\n  content: "${env:HOME}"\n',
      'b.yaml': 'kind: files\nname: b\nspec:\n  path: b.txt\n  content: "${file:/etc/hostname}"\n',
    });
    await source.fetch();
    const dir = await source.checkout(commit);
    const closed = await readResourceTree({ dir, commit });
    expect(closed.issues.map((i) => `${i.file}:${i.line} ${i.code}`)).toEqual([
      'a.yaml:5 missing-env',
      'b.yaml:5 read-error',
    ]);
    const open = await readResourceTree({ dir, commit, env: { HOME: '/home/deploy' } });
    expect(open.issues.map((i) => i.file)).toEqual(['b.yaml']);
    expect(open.secrets).toEqual(['/home/deploy']);
  });

  it('takes a tree without a resource file as a problem, not as an empty desired set', async () => {
    const { repo, read } = sourceAt('deploy');
    const commit = repo.commit({ 'deploy/README.md': 'moved elsewhere\n', 'deploy/empty.yaml': '' });
    const result = await read();
    expect(result.issues.map((i) => `${i.file}:${i.line} ${i.code}`)).toEqual([
      'deploy/empty.yaml:1 empty-file',
    ]);
    repo.commit({ 'deploy/empty.yaml': null });
    const none = await read();
    expect(none.issues).toMatchObject([{ code: 'no-match', file: 'deploy', line: 1, column: 1 }]);
    expect(none.issues[0]?.message).toBe(`no .yaml or .yml file in deploy/ at commit ${none.commit}`);
    expect(none.commit).not.toBe(commit);
  });

  it('reads a symbolic link in the repository as the small file it is checked out as, never its target', async () => {
    const { repo, source } = sourceAt('');
    repo.commit({ 'a.yaml': app('a') });
    const { commit } = await source.fetch();
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    const linked = repo.link('link.yaml', '/etc/passwd');
    await source.fetch();
    const dir = await source.checkout(linked);
    const result = await readResourceTree({ dir, commit: linked });
    expect(result.resources.map((r) => r.name)).toEqual(['a']);
    expect(result.issues.map((i) => `${i.file} ${i.code}`)).toEqual(['link.yaml invalid-value']);
  });
});
