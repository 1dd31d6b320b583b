import { type PathSegment, parsePath } from './path.js';

/**
 * How a kind's desired spec is compared with what its provider observes. A provider sets
 * these once (`Provider.compare`); `diff` takes them per kind.
 *
 * ```ts
 * const compare: CompareOptions = {
 *   ignore: ['status', 'metadata.uid'],   // set by the server: never a difference
 *   replaceOn: ['path'],                  // cannot change in place: delete, then create
 * };
 * ```
 */
export interface CompareOptions {
  /**
   * Paths in the spec that never count as a difference (e.g. `status`, `metadata.uid`).
   * A path ignores everything inside it too: ignoring `a` ignores `a.b` and `a[0]`.
   */
  readonly ignore?: readonly string[];
  /** Paths whose change cannot be made in place: the plan is delete-then-create (`-/+`). */
  readonly replaceOn?: readonly string[];
  /**
   * Custom equality; when given, it alone decides whether desired and observed are in sync.
   * When it says they are not, the changes are the field differences as usual, or, if there
   * are none, one change of the whole spec (path `''`).
   */
  readonly equals?: (desired: Record<string, unknown>, observed: Record<string, unknown>) => boolean;
}

/** Listed paths as a tree of segments, walked alongside the values being compared. */
export interface PathTrie {
  /** The path that leads here is itself listed. */
  end: boolean;
  readonly next: Map<PathSegment, PathTrie>;
}

/** Options checked and turned into the form the comparison walks. */
export interface CompiledCompare {
  readonly ignore: PathTrie | undefined;
  readonly replaceOn: readonly (readonly PathSegment[])[];
  readonly equals: CompareOptions['equals'];
}

interface CacheEntry {
  readonly compiled: CompiledCompare;
  readonly ignore: CompareOptions['ignore'];
  readonly replaceOn: CompareOptions['replaceOn'];
  readonly equals: CompareOptions['equals'];
}

const DEFAULTS: CompiledCompare = Object.freeze({ ignore: undefined, replaceOn: [], equals: undefined });
const cache = new WeakMap<CompareOptions, CacheEntry>();

export function describe(value: unknown): string {
  const shown = typeof value === 'string' ? value : Array.isArray(value) ? 'an array' : String(value);
  return `\`${shown}\` (${value === null ? 'null' : typeof value})`;
}

/**
 * Check `options` and compile them, once per options object: the result is cached, and
 * recompiled when one of its three fields is replaced (arrays edited in place are not seen).
 * Throws a `TypeError` naming the option (`name` is how the caller calls them) on misuse.
 */
export function compileCompare(options: CompareOptions | undefined, name = 'options'): CompiledCompare {
  if (options === undefined) return DEFAULTS;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `Expected \`${name}\` to be an object like { ignore: ['status'] }, got ${describe(options)}`,
    );
  }
  const entry = cache.get(options);
  if (
    entry !== undefined &&
    entry.ignore === options.ignore &&
    entry.replaceOn === options.replaceOn &&
    entry.equals === options.equals
  ) {
    return entry.compiled;
  }
  const ignore = paths(options.ignore, `${name}.ignore`);
  const replaceOn = paths(options.replaceOn, `${name}.replaceOn`);
  if (options.equals !== undefined && typeof options.equals !== 'function') {
    throw new TypeError(
      `Expected \`${name}.equals\` to be a function (desired, observed) => boolean, got ${describe(options.equals)}`,
    );
  }
  const compiled: CompiledCompare = Object.freeze({
    ignore: ignore.length === 0 ? undefined : trieOf(ignore),
    replaceOn,
    equals: options.equals,
  });
  cache.set(options, {
    compiled,
    ignore: options.ignore,
    replaceOn: options.replaceOn,
    equals: options.equals,
  });
  return compiled;
}

function paths(list: readonly string[] | undefined, name: string): PathSegment[][] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    throw new TypeError(
      `Expected \`${name}\` to be an array of paths like ['metadata.uid'], got ${describe(list)}`,
    );
  }
  return list.map((path: unknown, i) => {
    const segments = typeof path === 'string' ? parsePath(path) : undefined;
    if (segments === undefined) {
      throw new TypeError(
        `Expected \`${name}[${i}]\` to be a path like \`env.A\`, \`ports[0].port\` or \`labels["a.b/c"]\`, got ${describe(path)}`,
      );
    }
    return segments;
  });
}

function trieOf(list: readonly (readonly PathSegment[])[]): PathTrie {
  const root: PathTrie = { end: false, next: new Map() };
  for (const segments of list) {
    let node = root;
    for (const segment of segments) {
      let child = node.next.get(segment);
      if (child === undefined) {
        child = { end: false, next: new Map() };
        node.next.set(segment, child);
      }
      node = child;
    }
    node.end = true;
  }
  return root;
}
