import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
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
}

/**
 * Watch the targets with `fs.watch`, and call `onChange` once a burst of relevant changes has
 * been quiet for `debounceMs` (an editor's save is often several events: write, rename, chmod).
 */
export function watchFiles(targets: readonly WatchTarget[], options: WatchOptions): FileWatcher {
  const watchers: FSWatcher[] = [];
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

  for (const target of targets) {
    try {
      const watcher = watch(target.dir, { recursive: target.recursive, persistent: true }, (_event, name) => {
        if (closed || name === null) return;
        const path = join(target.dir, name.toString());
        if (!target.matches(path)) return;
        changed.add(path);
        if (timer !== undefined) options.clock.clearTimeout(timer);
        timer = options.clock.setTimeout(fire, options.debounceMs);
      });
      watcher.on('error', (error) => options.onError(target.dir, error));
      watchers.push(watcher);
    } catch (error) {
      options.onError(target.dir, error as Error);
    }
  }

  return {
    close() {
      closed = true;
      if (timer !== undefined) options.clock.clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
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
