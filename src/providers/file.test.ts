import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../contract/errors.js';
import type { ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { systemClock } from '../time/clock.js';
import { type FileSpec, fileProvider } from './file.js';
import { resolveInside } from './file-paths.js';

let base: string;
let root: string;
let outside: string;
const ctx: ProviderContext = {
  signal: new AbortController().signal,
  log: pino({ level: 'silent' }),
  clock: systemClock,
};
const res = (spec: FileSpec, name = spec.path): Resource<FileSpec> => ({ kind: 'files', name, spec });
const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'setpoint-file-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('file provider', () => {
  it('creates a file with its content and mode, and observes path, type, mode and content', async () => {
    const files = fileProvider({ root });
    const spec: FileSpec = { path: 'motd.txt', content: 'hello\n', mode: '0600' };
    expect(await files.observe(res(spec), ctx)).toBeUndefined();
    const created = await files.create(res(spec), ctx);
    expect(await readFile(join(root, 'motd.txt'), 'utf8')).toBe('hello\n');
    expect(await mode(join(root, 'motd.txt'))).toBe('600');
    expect(created).toEqual({ ...spec, type: 'file' });
    expect(await files.observe(res(spec), ctx)).toEqual({ ...spec, type: 'file' });
    await writeFile(join(root, 'motd.txt'), 'changed by hand');
    expect(await files.observe(res(spec), ctx)).toMatchObject({ content: 'changed by hand' });
  });

  it('replaces a file atomically, keeps its mode when the spec sets none, and leaves no temporary file', async () => {
    const files = fileProvider({ root });
    await writeFile(join(root, 'a.txt'), 'old');
    await chmod(join(root, 'a.txt'), 0o640);
    const before = await stat(join(root, 'a.txt'));
    await files.update(res({ path: 'a.txt', content: 'new' }), { path: 'a.txt' }, [], ctx);
    const after = await stat(join(root, 'a.txt'));
    expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe('new');
    expect(after.ino).not.toBe(before.ino);
    expect(await mode(join(root, 'a.txt'))).toBe('640');
    expect(await readdir(root)).toEqual(['a.txt']);
  });

  it('changes only the mode when the spec has no content', async () => {
    const files = fileProvider({ root });
    await writeFile(join(root, 'a.txt'), 'keep me');
    await files.update(res({ path: 'a.txt', mode: '0600' }), { path: 'a.txt' }, [], ctx);
    expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe('keep me');
    expect(await mode(join(root, 'a.txt'))).toBe('600');
  });

  it('creates missing parent directories and a missing root', async () => {
    const files = fileProvider({ root: join(root, 'not-yet') });
    expect(await files.observe(res({ path: 'a/b/c.txt' }), ctx)).toBeUndefined();
    await files.create(res({ path: 'a/b/c.txt', content: 'deep' }), ctx);
    expect(await readFile(join(root, 'not-yet', 'a', 'b', 'c.txt'), 'utf8')).toBe('deep');
  });

  it('manages directories, and deletes one only when it is empty', async () => {
    const files = fileProvider({ root });
    const dir: FileSpec = { path: 'etc', type: 'directory', mode: '0750' };
    await files.create(res(dir), ctx);
    expect(await files.observe(res(dir), ctx)).toEqual(dir);
    expect(files.compare?.replaceOn).toEqual(['type']);
    await files.create(res(dir), ctx); // idempotent
    await files.create(res({ path: 'etc/motd', content: 'hi' }), ctx);
    const error = await files.delete({ path: 'etc' }, res(dir), ctx).catch((e: unknown) => e);
    expect(PermanentError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/directory `etc` is not empty/);
    await files.delete({ path: 'etc/motd' }, res({ path: 'etc/motd' }), ctx);
    await files.delete({ path: 'etc' }, res(dir), ctx);
    expect(await readdir(root)).toEqual([]);
    await files.delete({ path: 'etc' }, res(dir), ctx); // already gone: fine
  });

  it('reports a directory where a file is wanted, and refuses to write over it', async () => {
    const files = fileProvider({ root });
    await mkdir(join(root, 'x'));
    expect(await files.observe(res({ path: 'x', content: 'c' }), ctx)).toMatchObject({
      path: 'x',
      type: 'directory',
    });
    await expect(files.update(res({ path: 'x', content: 'c' }), { path: 'x' }, [], ctx)).rejects.toThrow(
      /`x` is a directory, but the spec asks for a file/,
    );
    await writeFile(join(root, 'f'), '');
    await expect(files.create(res({ path: 'f', type: 'directory' }), ctx)).rejects.toBeInstanceOf(
      PermanentError,
    );
  });

  it('refuses absolute paths and `..` with a PermanentError naming the path, touching nothing', async () => {
    const files = fileProvider({ root });
    for (const path of [join(outside, 'x'), '../outside/x', 'a/../../outside/x', 'a/../b', '.', '']) {
      const error = await files.create(res({ path, content: 'escaped' }, 'x'), ctx).catch((e: unknown) => e);
      expect(PermanentError.is(error), path).toBe(true);
      if (path !== '') expect((error as Error).message).toContain(`\`${path}\``);
    }
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a path that leaves the root through a symlinked directory, for every operation', async () => {
    const files = fileProvider({ root });
    await writeFile(join(outside, 'secret'), 'do not touch');
    await symlink(outside, join(root, 'link'));
    const spec: FileSpec = { path: 'link/secret', content: 'overwritten' };
    await expect(files.observe(res(spec), ctx)).rejects.toThrow(
      /`link\/secret` leaves the root .* through a symlink/,
    );
    await expect(files.create(res(spec), ctx)).rejects.toBeInstanceOf(PermanentError);
    await expect(
      files.create(res({ path: 'link/new/deeper.txt', content: 'x' }), ctx),
    ).rejects.toBeInstanceOf(PermanentError);
    await expect(files.delete({ path: 'link/secret' }, res(spec), ctx)).rejects.toBeInstanceOf(
      PermanentError,
    );
    expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('do not touch');
    expect(await readdir(outside)).toEqual(['secret']);
  });

  it('refuses a symlink at the path itself', async () => {
    const files = fileProvider({ root });
    await writeFile(join(outside, 'secret'), 'do not read');
    await symlink(join(outside, 'secret'), join(root, 'peek'));
    await expect(files.observe(res({ path: 'peek', content: '' }), ctx)).rejects.toThrow(
      /`peek` is a symlink/,
    );
    await expect(files.delete({ path: 'peek' }, res({ path: 'peek' }), ctx)).rejects.toBeInstanceOf(
      PermanentError,
    );
  });

  it('lists everything under the root by path, skipping symlinks and temporary files', async () => {
    const files = fileProvider({ root });
    await files.create(res({ path: 'etc', type: 'directory' }), ctx);
    await files.create(res({ path: 'etc/motd', content: 'hi', mode: '0644' }), ctx);
    await files.create(res({ path: 'top.txt', content: 'top', mode: '0600' }), ctx);
    await writeFile(join(root, '.top.txt.123.4.tmp'), 'stale');
    await symlink(outside, join(root, 'link'));
    const listed = await files.list(ctx);
    expect([...listed.keys()].sort()).toEqual(['etc', 'etc/motd', 'top.txt']);
    expect(listed.get('etc/motd')).toEqual({ path: 'etc/motd', type: 'file', mode: '0644', content: 'hi' });
    expect(listed.get('etc')).toMatchObject({ path: 'etc', type: 'directory' });
    expect(await fileProvider({ root: join(base, 'missing') }).list(ctx)).toEqual(new Map());
  });

  it('rejects a bad spec with a PermanentError that says how to fix it', async () => {
    const files = fileProvider({ root });
    await expect(files.create(res({ path: 'a', mode: '644' }), ctx)).rejects.toThrow(/like "0644"/);
    await expect(files.create(res({ path: 'a', mode: 420 as never }), ctx)).rejects.toBeInstanceOf(
      PermanentError,
    );
    await expect(files.create(res({ path: 'd', type: 'directory', content: 'x' }), ctx)).rejects.toThrow(
      /spec.content/,
    );
    expect(await readdir(root)).toEqual([]);
  });

  it('rejects at once, writing nothing, when the signal is already aborted', async () => {
    const files = fileProvider({ root });
    const controller = new AbortController();
    controller.abort(new Error('shutdown'));
    const aborted = { ...ctx, signal: controller.signal };
    await expect(files.create(res({ path: 'a', content: 'x' }), aborted)).rejects.toThrow('shutdown');
    await expect(files.observe(res({ path: 'a' }), aborted)).rejects.toThrow('shutdown');
    expect(await readdir(root)).toEqual([]);
  });

  it('rejects bad options with a TypeError naming the option', () => {
    expect(() => fileProvider({ root: '' })).toThrow(/`options.root`/);
    expect(() => fileProvider({ root: 'x', kind: 3 as never })).toThrow(/`options.kind`/);
    expect(() => fileProvider({ root: 'x', rot: 'y' } as never)).toThrow(/Unknown option `options.rot`/);
  });
});

describe('resolveInside', () => {
  const ROOT = join(tmpdir(), 'r');
  const segment = fc.constantFrom('a', 'b.txt', '..', '.', '', '...', '..a', 'a..', '\\', 'c d');
  const path = fc.oneof(
    fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('/')),
    fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/${s.join('/')}`),
    fc.string(),
  );

  it('only ever accepts a path strictly inside the root, and never one with a `..` segment', () => {
    fc.assert(
      fc.property(path, (p) => {
        const result = resolveInside(ROOT, p);
        if (result.ok) {
          expect(result.value.startsWith(ROOT + sep)).toBe(true);
          expect(p.split(/[\\/]/)).not.toContain('..');
        } else {
          expect(result.errors[0]!.message).toContain(`\`${p}\``);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts every relative path made of plain names', () => {
    const name = fc.stringMatching(/^[a-z0-9_-][a-z0-9_.-]{0,8}$/).filter((n) => n !== '..' && n !== '.');
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 5 }), (names) => {
        const result = resolveInside(ROOT, names.join('/'));
        expect(result.ok && result.value).toBe(join(ROOT, ...names));
      }),
      { numRuns: 1000 },
    );
  });
});
