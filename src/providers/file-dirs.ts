import { constants, type Stats } from 'node:fs';
import { chmod, type FileHandle, lstat, mkdir, open, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PermanentError } from '../contract/errors.js';
import { assertInside, codeOf } from './file-paths.js';

/**
 * Walking from the root to a target's directory without ever being led out of it.
 *
 * A path that was checked and is then used by name can be redirected in between: swap a
 * directory on the way for a symlink and the same name leads elsewhere. So the walk opens the
 * root, then each directory below it one name at a time with `O_NOFOLLOW | O_DIRECTORY`, from
 * the directory opened before: a symlink on the way is never followed by the kernel. (One that
 * resolves inside the root is followed by the walk itself, which starts again from the root
 * along the link's real path; one that leaves is refused.)
 *
 * Node.js has no `openat`, `renameat` or `unlinkat`. Where the system shows a process its own
 * descriptors as directories (`/proc/self/fd/N` on Linux), `/proc/self/fd/N/name` names `name`
 * inside the directory held open as `N`, whatever has happened to its path since: every step
 * then goes through the descriptor, and no window is left. Elsewhere the walk goes by path
 * and each step is bracketed by {@link Dir.verify}: every directory from the root down is
 * `lstat`ed and must still be the one that was opened (device and inode). What remains there
 * is the time between the last check and the system call itself.
 */

/** `O_PATH` on Linux: a handle on the entry itself, even a symlink, without opening its content. */
const O_PATH = 0o10000000;
const DIRECTORY = constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Symlinks followed, or directories made again, by one walk before it gives up. */
const MAX_DETOURS = 40;

/** One directory under the root (or the root), held open. */
export interface Dir {
  /** Where the walk found it: the real root joined with the names on the way. For messages. */
  readonly path: string;
  readonly handle: FileHandle;
  /** True when {@link Dir.child} goes through the descriptor rather than by path. */
  readonly byDescriptor: boolean;
  /** A name for the entry `name` inside this very directory. */
  child(name: string): string;
  /** Throws a `PermanentError` unless every directory from the root down is still the one opened. */
  verify(): Promise<void>;
  close(): Promise<void>;
}

interface Link {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
}

let descriptorPaths: 'auto' | 'off' = 'auto';
let descriptorPathsWork: boolean | undefined;

/** For tests that measure the path-only scheme where descriptor paths would be used. */
export function useDescriptorPaths(mode: 'auto' | 'off'): void {
  descriptorPaths = mode;
}

async function viaDescriptor(handle: FileHandle, stats: Stats): Promise<boolean> {
  // Linux only: `O_PATH` below is Linux's value, and other systems' `/proc` differ.
  if (descriptorPaths === 'off' || process.platform !== 'linux') return false;
  if (descriptorPathsWork === undefined) {
    const seen = await stat(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    descriptorPathsWork = seen !== undefined && seen.dev === stats.dev && seen.ino === stats.ino;
  }
  return descriptorPathsWork;
}

/**
 * Open the directory `names` lead to under `root`. When one is missing: with `create`, it is
 * made (mode 0777 less the umask) and opened; without, the answer is `undefined`. Errors name
 * the path `shown`.
 */
export async function openDir(
  root: string,
  names: readonly string[],
  create: boolean,
  shown: string = names.join('/'),
): Promise<Dir | undefined> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT' || !create) return undefined;
    await mkdir(root, { recursive: true });
    realRoot = await realpath(root);
  }
  const rootHandle = await open(realRoot, constants.O_RDONLY | constants.O_DIRECTORY);
  const rootStats = await rootHandle.stat();
  const byDescriptor = await viaDescriptor(rootHandle, rootStats);
  const rootLink: Link = { path: realRoot, dev: rootStats.dev, ino: rootStats.ino };
  let chain: Link[] = [rootLink];
  let handle = rootHandle;
  const at = (h: FileHandle, path: string, name: string) =>
    join(byDescriptor ? `/proc/self/fd/${h.fd}` : path, name);
  const pending = [...names];
  let detours = 0;
  try {
    for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
      const here = chain[chain.length - 1]!.path;
      // Through a descriptor, the directory need only be searchable (`O_PATH`), as by path.
      const flags = DIRECTORY | (byDescriptor ? O_PATH : constants.O_RDONLY);
      const next = await open(at(handle, here, name), flags).catch((error: unknown) => error);
      if (!(next instanceof Error)) {
        const stats = await (next as FileHandle).stat();
        await handle.close();
        handle = next as FileHandle;
        chain.push({ path: join(here, name), dev: stats.dev, ino: stats.ino });
        continue;
      }
      const entry = await lstat(at(handle, here, name)).catch(() => undefined);
      if (entry === undefined && codeOf(next) === 'ENOENT') {
        if (!create) return await closeAll(handle);
        if (++detours > MAX_DETOURS)
          throw new PermanentError(`path \`${shown}\`: its directories keep vanishing`);
        await mkdir(at(handle, here, name), 0o777).catch((error: unknown) => {
          if (codeOf(error) !== 'EEXIST') throw error;
        });
        pending.unshift(name);
      } else if (entry?.isSymbolicLink()) {
        // Follow it only where it really goes, and only if that is inside: from the root again.
        const target = await realpath(at(handle, here, name)).catch(() => undefined);
        if (target === undefined) {
          if (!create) return await closeAll(handle);
          throw new PermanentError(`path \`${shown}\`: a symlink on the way points nowhere`);
        }
        assertInside(realRoot, target, shown);
        if (++detours > MAX_DETOURS)
          throw new PermanentError(`path \`${shown}\`: too many symlinks on the way`);
        pending.unshift(...relative(realRoot, target).split(sep).filter(Boolean));
        await handle.close();
        handle = await open(realRoot, constants.O_RDONLY | constants.O_DIRECTORY);
        chain = [rootLink];
      } else if (entry !== undefined && !entry.isDirectory()) {
        if (!create) return await closeAll(handle);
        throw new PermanentError(`path \`${shown}\`: a parent on the way is not a directory`, {
          cause: next,
        });
      } else {
        throw next;
      }
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  const dir = makeDir(handle, chain, byDescriptor, shown);
  if (!byDescriptor) {
    // Opened by path: a directory on the way may have been a symlink for a moment.
    await dir.verify().catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
  }
  return dir;
}

async function closeAll(handle: FileHandle): Promise<undefined> {
  await handle.close();
  return undefined;
}

function makeDir(handle: FileHandle, chain: readonly Link[], byDescriptor: boolean, shown: string): Dir {
  const last = chain[chain.length - 1]!;
  const dir: Dir = {
    path: last.path,
    handle,
    byDescriptor,
    child: (name) => join(byDescriptor ? `/proc/self/fd/${handle.fd}` : last.path, name),
    async verify() {
      for (const link of chain) {
        const now = await lstat(link.path).catch(() => undefined);
        if (now === undefined || !now.isDirectory() || now.dev !== link.dev || now.ino !== link.ino) {
          throw new PermanentError(
            `path \`${shown}\`: directory \`${link.path}\` was replaced while the file provider used it`,
          );
        }
      }
    },
    close: () => handle.close(),
  };
  return dir;
}

/**
 * Run `step` on `dir` so it cannot be led out of the root: through the descriptor as it is, or
 * by path between two checks that every directory on the way is still the one opened.
 */
export async function within<T>(dir: Dir, step: () => Promise<T>): Promise<T> {
  if (dir.byDescriptor) return step();
  await dir.verify();
  const result = await step();
  await dir.verify();
  return result;
}

/**
 * Set the mode of `name` in `dir` without following a symlink there: through an `O_PATH`
 * handle on the entry itself where descriptors have paths, else by name after an `lstat`.
 */
export async function chmodEntry(dir: Dir, name: string, mode: number, shown: string): Promise<void> {
  if (!dir.byDescriptor) {
    return within(dir, async () => {
      if ((await lstat(dir.child(name))).isSymbolicLink()) throw symlinkAt(shown);
      await chmod(dir.child(name), mode);
    });
  }
  const entry = await open(dir.child(name), O_PATH | constants.O_NOFOLLOW);
  try {
    const stats = await entry.stat();
    if (!stats.isFile() && !stats.isDirectory()) throw symlinkAt(shown);
    await chmod(`/proc/self/fd/${entry.fd}`, mode);
  } finally {
    await entry.close();
  }
}

function symlinkAt(shown: string): PermanentError {
  return new PermanentError(
    `path \`${shown}\` is not a regular file or directory: the file provider manages only regular files and directories`,
  );
}
