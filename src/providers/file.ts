import { lstat, mkdir, readdir } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import { PermanentError } from '../contract/errors.js';
import type { Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { throwIfAborted } from './abortable.js';
import { chmodEntry, type Dir, openDir, within } from './file-dirs.js';
import { deleteIn, describeEntry, ignoreCode, refuseOddities } from './file-entry.js';
import { lstatOrUndefined, TEMP_FILE, writeAtomically } from './file-io.js';
import { namesInside, resolveInside } from './file-paths.js';
import { fileSpecProblems } from './file-spec.js';
import { sweptOnFirstUse } from './file-temps.js';
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
 * - The check holds while the provider works: each directory on the way is opened from the
 *   root without following symlinks, and the target is used through the directory held open
 *   (on Linux, through its descriptor), so swapping a directory for a symlink mid-operation
 *   cannot lead a write or a delete out of the root. Where descriptors cannot be used that way,
 *   every step is bracketed by checks that each directory is still the one opened, and what
 *   remains is the time between the last check and the step.
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
    const { parents, name } = namesInside(root, spec.path);
    const dir = await openDir(root, parents, true, spec.path);
    if (!dir) throw new Error(`path \`${spec.path}\`: its directory vanished while it was made`);
    try {
      return await applyIn(dir, name, spec, ctx);
    } finally {
      await dir.close();
    }
  }

  async function applyIn(dir: Dir, name: string, spec: FileSpec, ctx: ProviderContext): Promise<Observed> {
    const full = dir.child(name);
    const stats = refuseOddities(await within(dir, () => lstatOrUndefined(full)), spec.path);
    const mode = spec.mode === undefined ? undefined : Number.parseInt(spec.mode, 8);
    if (spec.type === 'directory') {
      if (stats && !stats.isDirectory()) {
        throw new PermanentError(
          `path \`${spec.path}\` is a file, but the spec asks for a directory: remove it first`,
        );
      }
      if (!stats) await within(dir, () => mkdir(full, { mode: mode ?? 0o777 }).catch(ignoreCode('EEXIST')));
      if (mode !== undefined) await chmodEntry(dir, name, mode, spec.path);
    } else if (stats?.isDirectory()) {
      throw new PermanentError(
        `path \`${spec.path}\` is a directory, but the spec asks for a file: remove it first`,
      );
    } else if (stats && spec.content === undefined) {
      if (mode !== undefined) await chmodEntry(dir, name, mode, spec.path);
    } else {
      const keep = mode ?? (stats ? stats.mode & 0o7777 : undefined);
      await within(dir, () => writeAtomically(full, spec.content ?? '', keep, ctx.signal));
    }
    ctx.log.debug({ path: spec.path }, 'file applied');
    const now = refuseOddities(await within(dir, () => lstat(full)), spec.path)!;
    return describeEntry(dir, name, spec.path, now, ctx.signal, spec.content);
  }

  const provider: FileProvider = {
    kind,
    root,
    compare: { replaceOn: ['type'], keep: ['content', 'mode'] },
    checkSpec: (spec) => fileSpecProblems(spec),

    /** `list` files by path, relative to the root with `/`: so is each resource looked up. */
    listKey(ref) {
      const path = isRecord(ref.spec) ? ref.spec.path : undefined;
      if (typeof path !== 'string' || !resolveInside(root, path).ok) return undefined;
      return posix.normalize(path.replaceAll('\\', '/')).replace(/\/$/, '');
    },

    async observe(ref, ctx) {
      const spec = specOf(ref);
      throwIfAborted(ctx.signal);
      const { parents, name } = namesInside(root, spec.path);
      const dir = await openDir(root, parents, false, spec.path);
      if (!dir) return undefined;
      try {
        const stats = refuseOddities(await within(dir, () => lstatOrUndefined(dir.child(name))), spec.path);
        return stats && (await describeEntry(dir, name, spec.path, stats, ctx.signal));
      } finally {
        await dir.close();
      }
    },
    create: apply,
    update: (desired, _current, _changes, ctx) => apply(desired, ctx),

    async delete(current, ref, ctx) {
      const path = typeof current.path === 'string' ? current.path : specOf(ref).path;
      throwIfAborted(ctx.signal);
      const { parents, name } = namesInside(root, path);
      const dir = await openDir(root, parents, false, path);
      if (!dir) return;
      try {
        await deleteIn(dir, name, path);
      } finally {
        await dir.close();
      }
    },

    async list(ctx) {
      const found = new Map<string, Observed>();
      const pending = [''];
      for (let at = pending.pop(); at !== undefined; at = pending.pop()) {
        throwIfAborted(ctx.signal);
        // A directory that stopped being one since it was seen (a symlink now) is skipped.
        const dir = await openDir(root, at === '' ? [] : at.split('/'), false).catch((error: unknown) => {
          if (at === '' || !PermanentError.is(error)) throw error;
          return undefined;
        });
        if (!dir) continue;
        try {
          for (const entry of await within(dir, () => readdir(dir.child(''), { withFileTypes: true }))) {
            if (entry.isSymbolicLink() || TEMP_FILE.test(entry.name)) continue;
            if (!entry.isFile() && !entry.isDirectory()) continue;
            const path = at === '' ? entry.name : `${at}/${entry.name}`;
            const stats = await within(dir, () => lstatOrUndefined(dir.child(entry.name)));
            if (!stats || !(stats.isFile() || stats.isDirectory())) continue;
            found.set(path, await describeEntry(dir, entry.name, path, stats, ctx.signal));
            if (stats.isDirectory()) pending.push(path);
          }
        } finally {
          await dir.close();
        }
      }
      return found;
    },
  };
  return sweptOnFirstUse(provider, root);
}

/** The spec, checked; a bad spec will not get better by retrying, so it is a `PermanentError`. */
function specOf(resource: Resource<FileSpec>): FileSpec {
  const problem = fileSpecProblems(resource.spec)[0];
  if (problem !== undefined)
    throw new PermanentError(`${resource.kind}/${resource.name}: ${problem.message}`);
  return resource.spec;
}
