import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileGlob, expandGlob, matchesGlob } from './glob.js';

describe('compileGlob', () => {
  it('splits off the literal directories as the base', () => {
    expect(compileGlob('resources/**/*.yaml').base).toBe('resources');
    expect(compileGlob('*.yaml').base).toBe('.');
    expect(compileGlob('../common/*.yaml').base).toBe('../common');
    expect(compileGlob('/etc/setpoint/*.yaml').base).toBe('/etc/setpoint');
    expect(compileGlob('a/b.yaml')).toEqual({ base: 'a/b.yaml', segments: [] });
  });
});

describe('matchesGlob', () => {
  const cases: [string, string, boolean][] = [
    ['**/*.yaml', 'a.yaml', true],
    ['**/*.yaml', 'x/y/z/a.yaml', true],
    ['**/*.yaml', 'x/a.yml', false],
    ['*.yaml', 'x/a.yaml', false],
    ['*.yaml', 'a.yaml', true],
    ['x/**', 'x/a/b', true],
    ['x/**/b', 'x/b', true],
    ['x/**/b', 'x/a/c/b', true],
    ['x/**/b', 'x/a/c/d', false],
    ['a?.yaml', 'ab.yaml', true],
    ['a?.yaml', 'a.yaml', false],
    ['a?.yaml', 'abc.yaml', false],
    ['*.yaml', '.hidden.yaml', false],
    ['**/*.yaml', '.git/a.yaml', false],
    ['.config/*.yaml', '.config/a.yaml', true],
    ['a.b*', 'axb', false],
    ['a+(b)*', 'a+(b)c', true],
  ];
  it.each(cases)('%s against %s is %s', (pattern, path, expected) => {
    const glob = compileGlob(pattern);
    const relativePath = glob.base === '.' ? path : path.slice(glob.base.length + 1);
    expect(matchesGlob(glob, relativePath)).toBe(expected);
  });
});

describe('expandGlob', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'setpoint-glob-'));
    for (const file of [
      'r/b.yaml',
      'r/a.yaml',
      'r/x/c.yaml',
      'r/x/y/d.yaml',
      'r/x/e.txt',
      'r/.hidden/f.yaml',
      'top.yaml',
    ]) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), '');
    }
    symlinkSync(join(dir, 'top.yaml'), join(dir, 'r', 'link.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rel = async (pattern: string) =>
    (await expandGlob(pattern, dir)).files.map((f) => f.slice(dir.length + 1));

  it('finds files at any depth under ** in sorted order, skipping hidden directories', async () => {
    expect(await rel('r/**/*.yaml')).toEqual([
      'r/a.yaml',
      'r/b.yaml',
      'r/link.yaml',
      'r/x/c.yaml',
      'r/x/y/d.yaml',
    ]);
  });

  it('keeps * within one directory', async () => {
    expect(await rel('r/*/*.yaml')).toEqual(['r/x/c.yaml']);
  });

  it('returns a literal path only when the file exists', async () => {
    expect(await rel('top.yaml')).toEqual(['top.yaml']);
    expect(await rel('nope.yaml')).toEqual([]);
    expect(await rel('r')).toEqual([]);
  });

  it('finds nothing under a base directory that does not exist', async () => {
    expect(await expandGlob('missing/**/*.yaml', dir)).toEqual({ files: [], unreadable: [] });
  });
});
