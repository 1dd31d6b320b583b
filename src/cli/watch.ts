import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { compileGlob, matchesGlob } from '../config/glob.js';
import { parseConfigText } from '../config/parse-config.js';
import type { Clock, TimerHandle } from '../time/clock.js';

/** One directory to watch, and which changed paths under it count. */
export interface WatchTarget {
  readonly dir: string;
  readonly recursive: boolean;
  matches(path: string): boolean;
}

/**
 * What to watch for a config: the config file itself (through its directory, so an editor
 * that saves by renaming a new file over the old one is still seen), and for each `resources:`
 * pattern the directory it starts from, counting only paths the pattern matches. Nothing in
 * the state directory ever counts.
 */
export function watchTargets(
  configFile: string,
  patterns: readonly string[],
  stateDir: string,
): WatchTarget[] {
  const file = resolve(configFile);
  const root = dirname(file);
  const state = resolve(stateDir);
  const outsideState = (path: string) => path !== state && !path.startsWith(state + sep);
  const targets: WatchTarget[] = [{ dir: root, recursive: false, matches: (path) => path === file }];
  for (const pattern of patterns) {
    const glob = compileGlob(pattern);
    const base = resolve(root, glob.base);
    if (glob.segments.length === 0) {
      targets.push({ dir: dirname(base), recursive: false, matches: (path) => path === base });
      continue;
    }
    targets.push({
      dir: base,
      recursive: glob.segments.length > 1 || glob.segments.includes('**'),
      matches: (path) => outsideState(path) && matchesGlob(glob, relative(base, path).split(sep).join('/')),
    });
  }
  return targets;
}

export interface FileWatcher {
  close(): void;
}

export interface WatchOptions {
  readonly clock: Clock;
  /** Quiet time after the last change before `onChange` runs. */
  readonly debounceMs: number;
  /** Called once per burst of changes, with every path that changed in it. */
  onChange(paths: string[]): void;
  /** A directory could not be watched (missing, permissions); the others still are. */
  onError(dir: string, error: Error): void;
  /**
   * A watched directory was deleted, replaced or created again: it is watched anew (`present`)
   * or waited for (`!present`); a reload follows, for what changed in the meantime.
   */
  onRewatch?(dir: string, present: boolean): void;
}

/**
 * Watch the targets with `fs.watch`, and call `onChange` once a burst of relevant changes has
 * been quiet for `debounceMs` (an editor's save is often several events: write, rename, chmod).
 */
export function watchFiles(targets: readonly WatchTarget[], options: WatchOptions): FileWatcher {
  const watchers = new Map<WatchTarget, FSWatcher>();
  const parents: FSWatcher[] = [];
  const rearms = new Map<WatchTarget, TimerHandle>();
  const changed = new Set<string>();
  let timer: TimerHandle | undefined;
  let closed = false;

  const fire = () => {
    timer = undefined;
    if (closed) return;
    const paths = [...changed];
    changed.clear();
    options.onChange(paths);
  };
  const note = (path: string) => {
    changed.add(path);
    if (timer !== undefined) options.clock.clearTimeout(timer);
    timer = options.clock.setTimeout(fire, options.debounceMs);
  };

  /** Watch `target.dir`; false when it is not there (its parent's watcher waits for it). */
  const arm = (target: WatchTarget, quietWhenMissing: boolean): boolean => {
    watchers.get(target)?.close();
    watchers.delete(target);
    try {
      const watcher = watch(target.dir, { recursive: target.recursive, persistent: true }, (_event, name) => {
        if (closed || name === null) return;
        const path = join(target.dir, name.toString());
        if (target.matches(path)) note(path);
      });
      // Deleting a watched directory may end its watcher with an error: its parent re-arms it.
      watcher.on('error', (error) => {
        if (!closed && !quietWhenMissing) options.onError(target.dir, error);
      });
      watchers.set(target, watcher);
      return true;
    } catch (error) {
      if (!(quietWhenMissing && (error as { code?: unknown }).code === 'ENOENT')) {
        options.onError(target.dir, error as Error);
      }
      return false;
    }
  };

  const rearm = (target: WatchTarget) => {
    rearms.delete(target);
    if (closed) return;
    const present = arm(target, true);
    options.onRewatch?.(target.dir, present);
    note(target.dir);
  };

  for (const target of targets) {
    arm(target, false);
    // The directory itself may be deleted and made again (rm -rf, a deploy replacing it): a
    // watcher on a deleted directory hears nothing more, so its parent watches for its name.
    try {
      const name = basename(target.dir);
      const parent = watch(dirname(target.dir), { persistent: true }, (_event, changedName) => {
        if (closed || changedName === null || changedName.toString() !== name) return;
        const pending = rearms.get(target);
        if (pending !== undefined) options.clock.clearTimeout(pending);
        rearms.set(
          target,
          options.clock.setTimeout(() => rearm(target), options.debounceMs),
        );
      });
      parent.on('error', () => {});
      parents.push(parent);
    } catch {
      // No parent to watch (the root, or unreadable): the directory is watched as it is.
    }
  }

  return {
    close() {
      closed = true;
      if (timer !== undefined) options.clock.clearTimeout(timer);
      for (const pending of rearms.values()) options.clock.clearTimeout(pending);
      for (const watcher of [...watchers.values(), ...parents]) watcher.close();
    },
  };
}

/** The `resources:` patterns of a config file, as written (empty when it cannot be read). */
export async function patternsOf(
  configFile: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string[]> {
  try {
    const text = await readFile(configFile, 'utf8');
    return parseConfigText(text, configFile, { env }).config.resources ?? [];
  } catch {
    return [];
  }
}
