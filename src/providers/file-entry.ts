import type { Stats } from 'node:fs';
import { rmdir, unlink } from 'node:fs/promises';
import { PermanentError } from '../contract/errors.js';
import type { Observed } from '../contract/provider.js';
import { type Dir, within } from './file-dirs.js';
import { formatMode, lstatOrUndefined, readText } from './file-io.js';
import { codeOf } from './file-paths.js';
import { removeStaleTemps } from './file-temps.js';

/**
 * What the file provider does with one entry of a directory it holds open: look at it, describe
 * it, delete it. Every step names the entry through the directory (see `file-dirs.ts`).
 */

/** Remove `name` from `dir`: a file, or a directory only when it is empty. */
export async function deleteIn(dir: Dir, name: string, path: string): Promise<void> {
  const full = dir.child(name);
  const stats = refuseOddities(await within(dir, () => lstatOrUndefined(full)), path);
  if (!stats) return;
  if (!stats.isDirectory()) {
    await within(dir, () => unlink(full).catch(ignoreCode('ENOENT')));
    return;
  }
  try {
    // A temporary file a killed write left here is setpoint's own: it never blocks a delete.
    await within(dir, () =>
      rmdir(full).catch(async (error: unknown) =>
        codeOf(error) === 'ENOTEMPTY' && (await removeStaleTemps(full)) > 0
          ? rmdir(full)
          : Promise.reject(error),
      ),
    );
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return;
    if (codeOf(error) === 'ENOTEMPTY' || codeOf(error) === 'EEXIST') {
      throw new PermanentError(
        `directory \`${path}\` is not empty: the file provider deletes only empty directories; delete what is inside first`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** The whole truth about one file or directory: what `list` reports. */
export async function describeEntry(
  dir: Dir,
  name: string,
  path: string,
  stats: Stats,
  signal: AbortSignal,
  written?: string,
): Promise<Observed> {
  const mode = formatMode(stats.mode);
  if (stats.isDirectory()) return { path, type: 'directory', mode };
  const content = written ?? (await within(dir, () => readText(dir.child(name), signal)));
  return { path, type: 'file', mode, content };
}

/** Symlinks, sockets, devices and pipes at the target are refused: only files and directories are managed. */
export function refuseOddities(stats: Stats | undefined, path: string): Stats | undefined {
  if (!stats || stats.isFile() || stats.isDirectory()) return stats;
  const what = stats.isSymbolicLink() ? 'a symlink' : 'not a regular file or directory';
  throw new PermanentError(
    `path \`${path}\` is ${what}: the file provider manages only regular files and directories`,
  );
}

export function ignoreCode(code: string): (error: unknown) => void {
  return (error) => {
    if (codeOf(error) !== code) throw error;
  };
}
