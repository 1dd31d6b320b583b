import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, readdir, realpath, rmdir, unlink } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import { PermanentError } from '../contract/errors.js';
import type { Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { throwIfAborted } from './abortable.js';
import { formatMode, lstatOrUndefined, readText, TEMP_FILE, writeAtomically } from './file-io.js';
import { codeOf, locate, resolveInside } from './file-paths.js';
import { removeStaleTemps, sweptOnFirstUse } from './file-temps.js';
import { checkString, isRecord, optionError, rejectUnknownKeys } from './options.js';

/**
 * Files and directories under one root directory.
 *
 * ```yaml
 * kind: files
 * name: motd
 * spec: { path: motd.txt, content: "hello\n", mode: "0644" }
 * ```
 *
 * - `path` is relative to the root and may never leave it: absolute paths, `..` segments and
 *   symlinks on the way out are refused with a `PermanentError` naming the path. A symlink at
 *   the path itself is refused too: the provider manages regular files and directories only.
 * - Writes are atomic (temporary file in the same directory, fsync, rename, fsync the
 *   directory), so a reader never sees half a file. Missing parent directories are created.
 * - `observe` and `list` report `{ path, type, mode, content }` (no `content` for a
 *   directory). Only the fields the spec sets are compared, so an unmanaged mode is no
 *   difference.
 * - Without `content`, a new file is empty and an existing file's content is left alone;
 *   without `mode`, a new file gets the usual default (0666 less the umask) and a rewritten
 *   file keeps its mode.
 * - `delete` removes a file, or a directory only when it is empty (else `PermanentError`).
 * - Content is text (UTF-8).
 * - Changing `path` manages a different file: the old one is left where it is. Name file
 *   resources after their path, which is also how `list` keys what it finds.
 * - Dropping `content` or `mode` from a spec stops managing it: the file keeps what it has
 *   (`compare.keep`), so the plan shows no change. Dropping `type: directory` makes the spec
 *   ask for a file again, which replaces the directory.
 */
export type FileSpec = {
  /** Relative to the provider's root. */
  path: string;
  /** UTF-8 text. Files only. */
  content?: string;
  /** Four octal digits, as a string: `"0644"`. */
  mode?: string;
  /** Default `'file'`. */
  type?: 'file' | 'directory';
};

export interface FileProviderOptions {
  /** The directory everything lives under; relative to the working directory. Created on the first write. */
  readonly root: string;
  /** Default `'files'`. */
  readonly kind?: string;
}

export interface FileProvider extends Provider<FileSpec> {
  /** The absolute root. */
  readonly root: string;
  list(ctx: ProviderContext): Promise<Map<string, Observed>>;
}

export function fileProvider(options: FileProviderOptions): FileProvider {
  if (!isRecord(options)) throw optionError('options', options, "an object like { root: './out' }");
  rejectUnknownKeys(options, ['root', 'kind'], 'options');
  const root = resolve(checkString(options.root, 'options.root', "'./out'"));
  const kind = options.kind === undefined ? 'files' : checkString(options.kind, 'options.kind', "'files'");

  /** create and update: make the path what the spec says; returns what is there now. */
  async function apply(desired: Resource<FileSpec>, ctx: ProviderContext): Promise<Observed> {
    const spec = specOf(desired);
    throwIfAborted(ctx.signal);
    const { full } = await locate(root, spec.path, true);
    const stats = refuseOddities(await lstatOrUndefined(full), spec.path);
    const mode = spec.mode === undefined ? undefined : Number.parseInt(spec.mode, 8);
    if (spec.type === 'directory') {
      if (stats && !stats.isDirectory()) {
        throw new PermanentError(
          `path \`${spec.path}\` is a file, but the spec asks for a directory: remove it first`,
        );
      }
      if (!stats) await mkdir(full, { mode: mode ?? 0o777 }).catch(ignoreCode('EEXIST'));
      if (mode !== undefined) await chmod(full, mode);
    } else if (stats?.isDirectory()) {
      throw new PermanentError(
        `path \`${spec.path}\` is a directory, but the spec asks for a file: remove it first`,
      );
    } else if (stats && spec.content === undefined) {
      if (mode !== undefined) await chmod(full, mode);
    } else {
      await writeAtomically(
        full,
        spec.content ?? '',
        mode ?? (stats ? stats.mode & 0o7777 : undefined),
        ctx.signal,
      );
    }
    ctx.log.debug({ path: spec.path }, 'file applied');
    return describeEntry(full, spec.path, await lstat(full), ctx.signal, spec.content);
  }

  const provider: FileProvider = {
    kind,
    root,
    compare: { replaceOn: ['type'], keep: ['content', 'mode'] },

    /** `list` files by path, relative to the root with `/`: so is each resource looked up. */
    listKey(ref) {
      const path = isRecord(ref.spec) ? ref.spec.path : undefined;
      if (typeof path !== 'string' || !resolveInside(root, path).ok) return undefined;
      return posix.normalize(path.replaceAll('\\', '/')).replace(/\/$/, '');
    },

    async observe(ref, ctx) {
      const spec = specOf(ref);
      throwIfAborted(ctx.signal);
      const { full, parentExists } = await locate(root, spec.path, false);
      if (!parentExists) return undefined;
      const stats = refuseOddities(await lstatOrUndefined(full), spec.path);
      if (!stats) return undefined;
      return describeEntry(full, spec.path, stats, ctx.signal);
    },
    create: apply,
    update: (desired, _current, _changes, ctx) => apply(desired, ctx),

    async delete(current, ref, ctx) {
      const path = typeof current.path === 'string' ? current.path : specOf(ref).path;
      throwIfAborted(ctx.signal);
      const { full, parentExists } = await locate(root, path, false);
      if (!parentExists) return;
      const stats = refuseOddities(await lstatOrUndefined(full), path);
      if (!stats) return;
      if (!stats.isDirectory()) {
        await unlink(full).catch(ignoreCode('ENOENT'));
        return;
      }
      try {
        // A temporary file a killed write left here is setpoint's own: it never blocks a delete.
        await rmdir(full).catch(async (error: unknown) =>
          codeOf(error) === 'ENOTEMPTY' && (await removeStaleTemps(full)) > 0
            ? rmdir(full)
            : Promise.reject(error),
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
    },

    async list(ctx) {
      const found = new Map<string, Observed>();
      let realRoot: string;
      try {
        realRoot = await realpath(root);
      } catch (error) {
        if (codeOf(error) === 'ENOENT') return found;
        throw error;
      }
      const pending = [''];
      for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
        throwIfAborted(ctx.signal);
        for (const entry of await readdir(join(realRoot, dir), { withFileTypes: true })) {
          if (entry.isSymbolicLink() || TEMP_FILE.test(entry.name)) continue;
          if (!entry.isFile() && !entry.isDirectory()) continue;
          const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
          const full = join(realRoot, path);
          const stats = await lstatOrUndefined(full);
          if (!stats) continue;
          found.set(path, await describeEntry(full, path, stats, ctx.signal));
          if (stats.isDirectory()) pending.push(path);
        }
      }
      return found;
    },
  };
  return sweptOnFirstUse(provider, root);
}

/** The whole truth about one file or directory: what `list` reports. */
async function describeEntry(
  full: string,
  path: string,
  stats: Stats,
  signal: AbortSignal,
  written?: string,
): Promise<Observed> {
  const mode = formatMode(stats.mode);
  if (stats.isDirectory()) return { path, type: 'directory', mode };
  return { path, type: 'file', mode, content: written ?? (await readText(full, signal)) };
}

/** Symlinks, sockets, devices and pipes at the target are refused: only files and directories are managed. */
function refuseOddities(stats: Stats | undefined, path: string): Stats | undefined {
  if (!stats || stats.isFile() || stats.isDirectory()) return stats;
  const what = stats.isSymbolicLink() ? 'a symlink' : 'not a regular file or directory';
  throw new PermanentError(
    `path \`${path}\` is ${what}: the file provider manages only regular files and directories`,
  );
}

const MODE = /^[0-7]{4}$/;

/** The spec, checked; a bad spec will not get better by retrying, so it is a `PermanentError`. */
function specOf(resource: Resource<FileSpec>): FileSpec {
  const spec: unknown = resource.spec;
  const bad = (field: string, value: unknown, expected: string) =>
    new PermanentError(
      `${resource.kind}/${resource.name}: ${optionError(`spec.${field}`, value, expected).message}`,
    );
  if (!isRecord(spec)) throw bad('', spec, 'an object like { path: motd.txt }');
  if (typeof spec.path !== 'string' || spec.path.length === 0) {
    throw bad('path', spec.path, 'a path relative to the root, like `etc/motd`');
  }
  if (spec.type !== undefined && spec.type !== 'file' && spec.type !== 'directory') {
    throw bad('type', spec.type, "'file' or 'directory'");
  }
  if (spec.content !== undefined && typeof spec.content !== 'string') {
    throw bad('content', spec.content, 'a string of UTF-8 text');
  }
  if (spec.content !== undefined && spec.type === 'directory') {
    throw bad('content', spec.content, 'absent for a directory');
  }
  if (spec.mode !== undefined && (typeof spec.mode !== 'string' || !MODE.test(spec.mode))) {
    throw bad('mode', spec.mode, 'four octal digits as a quoted string, like "0644" (in YAML, quote it)');
  }
  return spec as FileSpec;
}

function ignoreCode(code: string): (error: unknown) => void {
  return (error) => {
    if (codeOf(error) !== code) throw error;
  };
}
