import { mkdir, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { PermanentError } from '../contract/errors.js';
import { err, ok, type Result } from '../contract/result.js';

/**
 * Keeping the file provider inside its root.
 *
 * Two checks, because one is not enough:
 * 1. {@link resolveInside}, lexical and pure: the path is relative, has no `..` segment at all
 *    (not even `a/../b`: if `a` is a symlink, the kernel resolves `..` from the link's target)
 *    and does not name the root itself. The config validator runs it before anything starts.
 * 2. {@link locate}, on the real file system: the real path (`realpath`) of the directory that
 *    holds the target must lie inside the real path of the root, so a symlink anywhere on the
 *    way out is caught. The target itself is opened by its real parent and its name.
 */

export interface PathProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * The absolute path `path` names under `root`, or why it may not be used. Pure: it reads
 * nothing from disk.
 *
 * ```ts
 * resolveInside('/srv/out', 'etc/motd');    // ok: '/srv/out/etc/motd'
 * resolveInside('/srv/out', '../etc/motd'); // error: goes up with `..`
 * ```
 */
export function resolveInside(root: string, path: unknown): Result<string, PathProblem> {
  const shown = typeof path === 'string' ? path : String(path);
  const problem = (why: string) => err([{ path: shown, message: `path \`${shown}\` ${why}` }]);
  if (typeof path !== 'string' || path.length === 0) return problem('must be a non-empty string');
  if (path.includes('\0')) return problem('contains a NUL byte');
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path) || path.startsWith('\\')) {
    return problem(`is absolute: give a path relative to the root \`${root}\``);
  }
  if (path.split(/[\\/]/).includes('..')) return problem('goes up with `..`: it must stay inside the root');
  const normal = normalize(path);
  if (normal === '.' || normal === `.${sep}` || normal === '') return problem('names the root itself');
  const base = resolve(root);
  const full = resolve(base, normal);
  const rel = relative(base, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return problem('leaves the root');
  return ok(full);
}

/** Where a target really is: its real parent directory, and its full path through that parent. */
export interface Located {
  /** The target's path through the real parent (symlinks above it resolved). */
  readonly full: string;
  /** False when the parent directory does not exist (and was not created). */
  readonly parentExists: boolean;
}

/**
 * Resolve `path` under `root` on disk, rejecting any escape with a `PermanentError` that names
 * the path. With `createParents`, missing directories on the way (and the root) are made first.
 */
export async function locate(root: string, path: unknown, createParents: boolean): Promise<Located> {
  const lexical = resolveInside(root, path);
  if (!lexical.ok) throw new PermanentError(lexical.errors[0]!.message);
  const full = lexical.value;
  let realRoot = await realOrUndefined(root);
  if (realRoot === undefined) {
    if (!createParents) return { full, parentExists: false };
    await mkdir(root, { recursive: true });
    realRoot = await realpath(root);
  }
  const parent = dirname(full);
  let realParent = await realOrUndefined(parent);
  if (realParent === undefined) {
    // Check the deepest directory that exists before making (or reporting) the rest.
    let existing = dirname(parent);
    let real = await realOrUndefined(existing);
    while (real === undefined && existing !== dirname(existing)) {
      existing = dirname(existing);
      real = await realOrUndefined(existing);
    }
    assertInside(realRoot, real ?? existing, path as string);
    if (!createParents) return { full, parentExists: false };
    try {
      await mkdir(parent, { recursive: true });
    } catch (error) {
      if (codeOf(error) === 'ENOTDIR' || codeOf(error) === 'EEXIST') {
        throw new PermanentError(`path \`${String(path)}\`: a parent on the way is not a directory`, {
          cause: error,
        });
      }
      throw error;
    }
    realParent = await realpath(parent);
  }
  assertInside(realRoot, realParent, path as string);
  return { full: join(realParent, basename(full)), parentExists: true };
}

function assertInside(realRoot: string, realDir: string, path: string): void {
  if (realDir === realRoot || realDir.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) return;
  throw new PermanentError(
    `path \`${path}\` leaves the root \`${realRoot}\` through a symlink: its directory is really \`${realDir}\``,
  );
}

async function realOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** The `code` of a Node.js system error (`ENOENT`, …), if it has one. */
export function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
