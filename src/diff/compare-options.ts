import { describe } from '../contract/describe.js';
import type { CompareOptions } from '../contract/provider.js';
import { type PathSegment, parsePath } from './path.js';

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
  /** Paths never removed when the spec drops them. */
  readonly keep: PathTrie | undefined;
}

interface CacheEntry {
  readonly compiled: CompiledCompare;
  readonly ignore: CompareOptions['ignore'];
  readonly replaceOn: CompareOptions['replaceOn'];
  readonly equals: CompareOptions['equals'];
  readonly keep: CompareOptions['keep'];
}

const DEFAULTS: CompiledCompare = Object.freeze({
  ignore: undefined,
  replaceOn: [],
  equals: undefined,
  keep: undefined,
});
const cache = new WeakMap<CompareOptions, CacheEntry>();

/**
 * Check `options` and compile them, once per options object: the result is cached, and
 * recompiled when one of its fields is replaced (arrays edited in place are not seen).
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
    entry.equals === options.equals &&
    entry.keep === options.keep
  ) {
    return entry.compiled;
  }
  const ignore = paths(options.ignore, `${name}.ignore`);
  const replaceOn = paths(options.replaceOn, `${name}.replaceOn`);
  const keep = paths(options.keep, `${name}.keep`);
  if (options.equals !== undefined && typeof options.equals !== 'function') {
    throw new TypeError(
      `Expected \`${name}.equals\` to be a function (desired, observed) => boolean, got ${describe(options.equals)}`,
    );
  }
  const compiled: CompiledCompare = Object.freeze({
    ignore: ignore.length === 0 ? undefined : trieOf(ignore),
    replaceOn,
    equals: options.equals,
    keep: keep.length === 0 ? undefined : trieOf(keep),
  });
  cache.set(options, {
    compiled,
    ignore: options.ignore,
    replaceOn: options.replaceOn,
    equals: options.equals,
    keep: options.keep,
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
