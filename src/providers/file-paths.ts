import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { PermanentError } from '../contract/errors.js';
import { err, ok, type Result } from '../contract/result.js';

/**
 * Keeping the file provider inside its root.
 *
 * Two checks, because one is not enough:
 * 1. {@link resolveInside}, lexical and pure: the path is relative, has no `..` segment at all
 *    (not even `a/../b`: if `a` is a symlink, the kernel resolves `..` from the link's target)
 *    and does not name the root itself. The config validator runs it before anything starts.
 * 2. On the real file system, the directories on the way are opened one at a time from the
 *    root without following symlinks (`file-dirs.ts`); a symlink that really leads out of the
 *    root is refused with {@link assertInside}. The target is then used through the directory
 *    held open and its own name, never through a path checked earlier.
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

/**
 * The names on the way from `root` to `path` and the target's own name, or a `PermanentError`
 * naming the path when it may not be used (see {@link resolveInside}).
 */
export function namesInside(root: string, path: unknown): { parents: string[]; name: string } {
  const lexical = resolveInside(root, path);
  if (!lexical.ok) throw new PermanentError(lexical.errors[0]!.message);
  const names = relative(resolve(root), lexical.value).split(sep);
  const name = names.pop()!;
  return { parents: names, name };
}

/** Throws a `PermanentError` unless the real directory `realDir` lies inside the real root. */
export function assertInside(realRoot: string, realDir: string, path: string): void {
  if (realDir === realRoot || realDir.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) return;
  throw new PermanentError(
    `path \`${path}\` leaves the root \`${realRoot}\` through a symlink: its directory is really \`${realDir}\``,
  );
}

/** The `code` of a Node.js system error (`ENOENT`, …), if it has one. */
export function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
