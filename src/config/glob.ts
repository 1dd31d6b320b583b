import type { Dirent } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compareText } from './issue.js';

/**
 * File patterns for the `resources:` list, relative to the config's directory:
 *
 * | pattern | matches |
 * |---|---|
 * | `*`  | any run of characters within one path segment |
 * | `?`  | one character within a segment |
 * | `**` | a whole segment only: zero or more directories |
 *
 * Everything else is literal (no `[...]` classes, no `{a,b}`). A `*`, `?` or `**` never matches a
 * name that starts with `.`, so editor droppings and `.git` stay out unless the pattern spells
 * the dot (`.config/*.yaml`). Symbolic links to files are followed; links to directories are not.
 * A match that is not a readable file — a dangling or looping link, a pipe — is still returned,
 * so that reading it reports the problem: skipping it would drop (and prune) what it declares.
 */
export interface GlobPattern {
  /** The leading segments without wildcards, as a path: where the walk starts. */
  readonly base: string;
  /** The remaining segments, matched against paths relative to `base`. */
  readonly segments: readonly Segment[];
}

type Segment = '**' | RegExp;

const WILDCARD = /[*?]/;

/** Split a pattern into its literal base and its matcher segments. */
export function compileGlob(pattern: string): GlobPattern {
  const parts = pattern.replaceAll('\\', '/').split('/');
  const firstWild = parts.findIndex((part) => WILDCARD.test(part));
  const baseParts = firstWild === -1 ? parts : parts.slice(0, firstWild);
  const rest = firstWild === -1 ? [] : parts.slice(firstWild);
  const base = baseParts.join('/') || (pattern.startsWith('/') ? '/' : '.');
  const segments = rest.filter((part) => part !== '').map(compileSegment);
  return { base, segments };
}

function compileSegment(part: string): Segment {
  if (part === '**') return '**';
  let source = '';
  for (const char of part) {
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  // A leading wildcard does not match a leading dot.
  if (!part.startsWith('.')) source = `(?!\\.)${source}`;
  return new RegExp(`^${source}$`);
}

/** The pattern positions reachable after reading `name` from each of `states`. */
function step(segments: readonly Segment[], states: ReadonlySet<number>, name: string): Set<number> {
  const next = new Set<number>();
  for (const k of states) {
    const segment = segments[k];
    if (segment === undefined) continue;
    if (segment === '**') {
      if (!name.startsWith('.')) next.add(k);
    } else if (segment.test(name)) {
      next.add(k + 1);
    }
  }
  return closure(segments, next);
}

/** A `**` may match zero segments: being before it is also being after it. */
function closure(segments: readonly Segment[], states: Set<number>): Set<number> {
  for (const k of [...states]) {
    let i = k;
    while (segments[i] === '**') states.add(++i);
  }
  return states;
}

/** Whether `relativePath` (segments joined by `/`) matches the pattern's segments. */
export function matchesGlob(glob: GlobPattern, relativePath: string): boolean {
  let states = closure(glob.segments, new Set([0]));
  for (const name of relativePath.split('/')) states = step(glob.segments, states, name);
  return states.has(glob.segments.length);
}

export interface GlobResult {
  /** Absolute paths of matching files, sorted. */
  readonly files: string[];
  /** Directories under the base that could not be read. */
  readonly unreadable: string[];
}

/** Every file matching `pattern`, relative to `cwd`, sorted by path. */
export async function expandGlob(pattern: string, cwd: string): Promise<GlobResult> {
  const glob = compileGlob(pattern);
  const base = resolve(cwd, glob.base);
  const files: string[] = [];
  const unreadable: string[] = [];
  if (glob.segments.length === 0) {
    if (await isMatchable(base)) files.push(base);
    return { files, unreadable };
  }
  if (!(await isDirectory(base))) return { files, unreadable };

  const walk = async (dir: string, states: ReadonlySet<number>): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      unreadable.push(dir);
      return;
    }
    for (const entry of entries) {
      const next = step(glob.segments, states, entry.name);
      if (next.size === 0) continue;
      const path = resolve(dir, entry.name);
      if (entry.isDirectory()) {
        if ([...next].some((k) => k < glob.segments.length)) await walk(path, next);
      } else if (next.has(glob.segments.length) && (await isMatchable(path))) {
        files.push(path);
      }
    }
  };
  await walk(base, closure(glob.segments, new Set([0])));
  files.sort(compareText);
  return { files, unreadable };
}

/**
 * Whether a path a pattern matches names a file to read: anything that exists but a directory
 * (or a link to one). A link whose target is missing or loops counts: reading it says why.
 */
async function isMatchable(path: string): Promise<boolean> {
  const own = await lstat(path).catch(() => undefined);
  if (own === undefined || own.isDirectory()) return false;
  if (!own.isSymbolicLink()) return true;
  return stat(path).then(
    (target) => !target.isDirectory(),
    () => true,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
