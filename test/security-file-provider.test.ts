import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../src/contract/errors.js';
import type { ProviderContext } from '../src/contract/provider.js';
import { type FileSpec, fileProvider } from '../src/providers/file.js';
import { systemClock } from '../src/time/clock.js';

// The file provider touches the real file system, under a root that must hold it in.
let base: string;
let root: string;
let outside: string;

const ctx = (): ProviderContext => ({
  signal: new AbortController().signal,
  clock: systemClock,
  log: { debug() {} } as unknown as ProviderContext['log'],
});
const resource = (path: string, extra: Partial<FileSpec> = {}) => ({
  kind: 'files',
  name: path,
  spec: { path, content: 'pwned\n', ...extra } as FileSpec,
});

/** Every file under `dir` with its content: what "outside" must still be at the end. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = join(entry.parentPath, entry.name);
    out[relative(dir, full)] = entry.isFile()
      ? await readFile(full, 'utf8')
      : entry.isDirectory()
        ? 'dir'
        : 'other';
  }
  return out;
}

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'setpoint-escape-')));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(join(outside, 'nested'), { recursive: true });
  await writeFile(join(outside, 'secret.txt'), 'do not touch\n');
  await writeFile(join(outside, 'nested', 'deep.txt'), 'nor this\n');
  await writeFile(join(base, 'sibling.txt'), 'nor this either\n');
  await symlink(outside, join(root, 'link-dir'));
  await symlink(join(outside, 'secret.txt'), join(root, 'link-file'));
  await symlink('../../outside', join(root, 'sub', 'up'));
  await symlink(base, join(root, 'sub', 'base'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const ESCAPES = [
  '../outside/secret.txt',
  '../sibling.txt',
  'sub/../../outside/secret.txt',
  'a/../b',
  '/etc/passwd',
  'link-dir/secret.txt',
  'link-dir/new.txt',
  'link-dir/nested/deep.txt',
  'link-dir/fresh/dir/file.txt',
  'link-file',
  'sub/up/secret.txt',
  'sub/up/nested/new.txt',
  'sub/base/sibling.txt',
  '.',
  '',
  'nul\0byte',
];

describe('the file provider stays inside its root', () => {
  it('refuses every path that leaves the root, for every operation, and changes nothing outside', async () => {
    const before = await snapshot(outside);
    const sibling = await readFile(join(base, 'sibling.txt'), 'utf8');
    const provider = fileProvider({ root });
    for (const path of [...ESCAPES, join(outside, 'secret.txt')]) {
      const r = resource(path);
      const attempts: [string, () => Promise<unknown>][] = [
        ['observe', () => provider.observe(r, ctx())],
        ['create', () => provider.create(r, ctx())],
        ['update', () => provider.update(r, { path }, [], ctx())],
        ['delete', () => provider.delete({ path }, r, ctx())],
      ];
      for (const [op, attempt] of attempts) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(PermanentError.is(error), `${op} of ${JSON.stringify(path)} was not refused`).toBe(true);
      }
    }
    expect(await snapshot(outside)).toEqual(before);
    expect(await readFile(join(base, 'sibling.txt'), 'utf8')).toBe(sibling);
    await expect(stat(join(outside, 'fresh'))).rejects.toThrow();
  });

  it('lists only what is really under the root, never following a symlink out', async () => {
    const provider = fileProvider({ root });
    await provider.create(resource('inside.txt'), ctx());
    const listed = await provider.list(ctx());
    expect([...listed.keys()].sort()).toEqual(['inside.txt', 'sub']);
    expect(JSON.stringify([...listed.values()])).not.toContain('do not touch');
  });

  it('writes strictly inside the real root or not at all, for any path made of tricky segments', async () => {
    const provider = fileProvider({ root });
    const realRoot = await realpath(root);
    const before = await snapshot(outside);
    const segment = fc.constantFrom(
      'a',
      'b',
      '..',
      '.',
      '',
      'link-dir',
      'link-file',
      'sub',
      'up',
      'base',
      'x.txt',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        async (parts, absolute) => {
          const path = (absolute ? '/' : '') + parts.join('/');
          // Refused (a PermanentError for an escape; other errors for a file in the way) or written.
          const written = await provider.create(resource(path), ctx()).then(
            () => true,
            () => false,
          );
          if (written) {
            const where = await realpath(resolve(root, path));
            expect(where.startsWith(realRoot + sep)).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
    expect(await snapshot(outside)).toEqual(before);
  });
});
