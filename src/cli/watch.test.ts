import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchTargets } from './watch.js';

const root = '/srv/app';
const counts = (path: string) =>
  watchTargets(
    join(root, 'setpoint.yaml'),
    ['resources/**/*.yaml', 'extra.yaml', '*.yml'],
    join(root, '.setpoint'),
  )
    .filter((t) => t.matches(path))
    .map((t) => `${t.dir}${t.recursive ? '/**' : ''}`);

describe('what a running instance watches', () => {
  it('watches the config file through its directory, and each pattern from its base', () => {
    const targets = watchTargets(
      join(root, 'setpoint.yaml'),
      ['resources/**/*.yaml', 'extra.yaml'],
      '.setpoint',
    );
    expect(targets.map((t) => [t.dir, t.recursive])).toEqual([
      [root, false],
      [join(root, 'resources'), true],
      [root, false],
    ]);
  });

  it('reloads for the config and for files a pattern matches, and nothing else', () => {
    expect(counts(join(root, 'setpoint.yaml'))).toEqual([root]);
    expect(counts(join(root, 'resources/a.yaml'))).toEqual([`${join(root, 'resources')}/**`]);
    expect(counts(join(root, 'resources/deep/b.yaml'))).toEqual([`${join(root, 'resources')}/**`]);
    expect(counts(join(root, 'extra.yaml'))).toEqual([root]);
    expect(counts(join(root, 'top.yml'))).toEqual([root]);
    for (const ignored of [
      'resources/a.yaml.swp',
      'resources/.a.yaml',
      'out/x.yaml',
      'other.yaml',
      '.setpoint/x.yml',
    ]) {
      expect(counts(join(root, ignored)), ignored).toEqual([]);
    }
  });
});
