import { mkdir, mkdtemp, readFile, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../contract/errors.js';
import type { ProviderContext } from '../contract/provider.js';
import { systemClock } from '../time/clock.js';
import { fileProvider } from './file.js';
import { openDir, useDescriptorPaths, within } from './file-dirs.js';

let base: string;
let root: string;
let outside: string;
const ctx = {
  signal: new AbortController().signal,
  clock: systemClock,
  log: { debug() {} },
} as unknown as ProviderContext;

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'setpoint-dirs-')));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(root, 'real', 'deep'), { recursive: true });
  await mkdir(outside);
  await symlink(join(root, 'real'), join(root, 'alias'));
  await symlink(outside, join(root, 'out'));
});
afterEach(async () => {
  useDescriptorPaths('auto');
  await rm(base, { recursive: true, force: true });
});

/** Swap `root/real` for a symlink to `outside`, keeping the real directory at `root/moved`. */
async function swap(): Promise<void> {
  await rename(join(root, 'real'), join(root, 'moved'));
  await symlink(outside, join(root, 'real'));
}

for (const mode of ['auto', 'off'] as const) {
  describe(`the walk to a directory (descriptor paths ${mode})`, () => {
    beforeEach(() => useDescriptorPaths(mode));

    it('follows a symlink that stays inside the root along its real path, and refuses one that leaves', async () => {
      const dir = (await openDir(root, ['alias', 'deep'], false))!;
      expect(dir.path).toBe(join(root, 'real', 'deep'));
      await dir.close();
      await expect(openDir(root, ['out'], true)).rejects.toThrow(/leaves the root .* through a symlink/);
      await expect(openDir(root, ['out', 'new'], false)).rejects.toSatisfy(PermanentError.is);
    });

    it('makes missing directories one at a time, or answers undefined without create', async () => {
      expect(await openDir(root, ['a', 'b'], false)).toBeUndefined();
      const dir = (await openDir(root, ['a', 'b'], true))!;
      expect(dir.path).toBe(join(root, 'a', 'b'));
      await dir.close();
      await writeFile(join(root, 'file'), '');
      expect(await openDir(root, ['file', 'x'], false)).toBeUndefined();
      await expect(openDir(root, ['file', 'x'], true)).rejects.toThrow(/not a directory/);
    });

    it('never lets a step land outside after the directory is swapped for a symlink', async () => {
      const dir = (await openDir(root, ['real'], false))!;
      await swap();
      const step = within(dir, () => writeFile(dir.child('x.txt'), 'inside'));
      if (mode === 'auto') {
        // Through the descriptor: the write lands in the directory that was opened.
        await step;
        expect(await readFile(join(root, 'moved', 'x.txt'), 'utf8')).toBe('inside');
      } else {
        // By path: the check before the step sees the swap and refuses it.
        await expect(step).rejects.toThrow(/was replaced while the file provider used it/);
      }
      await dir.close();
      await expect(readFile(join(outside, 'x.txt'))).rejects.toThrow();
    });

    it('runs the provider end to end: create, observe, list, delete, and refuses escapes', async () => {
      const files = fileProvider({ root });
      const res = (path: string) => ({
        kind: 'files',
        name: path,
        spec: { path, content: 'hi\n', mode: '0640' },
      });
      await files.create(res('alias/deep/f.txt'), ctx);
      expect(await files.observe(res('real/deep/f.txt'), ctx)).toMatchObject({
        content: 'hi\n',
        mode: '0640',
      });
      expect([...(await files.list(ctx)).keys()].sort()).toEqual(['real', 'real/deep', 'real/deep/f.txt']);
      await files.delete({ path: 'real/deep/f.txt' }, res('real/deep/f.txt'), ctx);
      expect(await files.observe(res('real/deep/f.txt'), ctx)).toBeUndefined();
      await expect(files.create(res('out/f.txt'), ctx)).rejects.toSatisfy(PermanentError.is);
    });
  });
}
