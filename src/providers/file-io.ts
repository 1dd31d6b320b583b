import { constants, type Stats } from 'node:fs';
import { lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { throwIfAborted } from './abortable.js';
import { codeOf } from './file-paths.js';

/**
 * The file system steps of the file provider, each one small: look without following
 * symlinks, read, and write atomically. Only `node:fs`, never a shell.
 */

/** `lstat`, or `undefined` when nothing is there. */
export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** A mode as the spec writes it: four octal digits, `"0644"`. */
export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/**
 * The text of the regular file at `path`. A symlink there is not followed (`ELOOP`), and a
 * pipe or device swapped in is not read.
 */
export async function readText(path: string, signal: AbortSignal): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) {
      throw Object.assign(new Error(`not a regular file: ${path}`), { code: 'EINVAL' });
    }
    return await handle.readFile({ encoding: 'utf8', signal });
  } finally {
    await handle.close();
  }
}

/** Temporary files are named `.<name>.<pid>.<n>.tmp`, beside their target; `list` skips them. */
export const TEMP_FILE = /^\..+\.\d+\.\d+\.tmp$/;
let counter = 0;

/** Temporary files a write of this process is using right now: never stale. */
export const inFlightTemps = new Set<string>();

/**
 * Write `content` to `path` so that a reader sees either the old file or the new one, never
 * half of one, even across a crash: write a temporary file in the same directory, set its mode,
 * fsync it, rename it over the target, then fsync the directory so the rename itself is on disk.
 */
export async function writeAtomically(
  path: string,
  content: string,
  mode: number | undefined,
  signal: AbortSignal,
): Promise<void> {
  const dir = dirname(path);
  let tmp = '';
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  while (handle === undefined) {
    tmp = join(dir, `.${basename(path)}.${process.pid}.${++counter}.tmp`);
    try {
      inFlightTemps.add(tmp);
      handle = await open(tmp, 'wx', mode ?? 0o666);
    } catch (error) {
      inFlightTemps.delete(tmp);
      if (codeOf(error) !== 'EEXIST') throw error;
    }
  }
  try {
    try {
      await handle.writeFile(content, 'utf8');
      // open's mode is filtered by the umask; chmod is not.
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    throwIfAborted(signal);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  } finally {
    inFlightTemps.delete(tmp);
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms and file systems cannot fsync a directory; the rename is done either way.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'EACCES'].includes(codeOf(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
