/**
 * Field paths: how a place inside a spec is named in changes, plans and options.
 *
 * A path is dotted, with array indices in brackets: `env.A`, `ports[0].port`. A key that
 * cannot stand bare (it is empty, or holds `.`, `[`, `]`, `"`, white space or a control
 * character) is written as a quoted string in brackets, the way Terraform writes map keys:
 * `labels["app.kubernetes.io/name"]`. The empty path `''` names the whole spec.
 *
 * ```ts
 * formatPath(['labels', 'app.kubernetes.io/name']); // 'labels["app.kubernetes.io/name"]'
 * parsePath('ports[0].port');                       // ['ports', 0, 'port']
 * ```
 *
 * `parsePath(formatPath(segments))` gives `segments` back, for every list of segments.
 */

/** One step into a value: a field name (string) or an array index (number). */
export type PathSegment = string | number;

// Control characters are quoted too, so a key can never smuggle terminal escapes into a plan.
const BARE_KEY = /^[^.[\]"\s\p{Cc}]+$/u;

/** The path string for `segments`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let path = '';
  for (const segment of segments) path = appendSegment(path, segment);
  return path;
}

/** `path` followed by one more segment. */
export function appendSegment(path: string, segment: PathSegment): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  if (BARE_KEY.test(segment)) return path === '' ? segment : `${path}.${segment}`;
  return `${path}[${JSON.stringify(segment)}]`;
}

/**
 * The segments of `path`, or `undefined` when it is not a well-formed path
 * (e.g. `a..b`, `a[`, `a[-1]`, `a.`).
 */
export function parsePath(path: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    const char = path[i];
    if (char === '[') {
      const end = path[i + 1] === '"' ? closingQuote(path, i + 1) : path.indexOf(']', i);
      if (end < 0) return undefined;
      if (path[i + 1] === '"') {
        if (path[end + 1] !== ']') return undefined;
        const key = parseJsonString(path.slice(i + 1, end + 1));
        if (key === undefined) return undefined;
        segments.push(key);
        i = end + 2;
      } else {
        const digits = path.slice(i + 1, end);
        if (!/^(0|[1-9]\d*)$/.test(digits)) return undefined;
        segments.push(Number(digits));
        i = end + 1;
      }
      continue;
    }
    if (segments.length > 0) {
      if (char !== '.') return undefined;
      i += 1;
    }
    let end = i;
    while (end < path.length && !'.[]"'.includes(path[end] as string) && !/\s/.test(path[end] as string)) {
      end += 1;
    }
    if (end === i || path[end] === '"' || path[end] === ']') return undefined;
    segments.push(path.slice(i, end));
    i = end;
  }
  return segments;
}

/** Index of the `"` that closes the string opening at `start`, or -1. */
function closingQuote(path: string, start: number): number {
  for (let i = start + 1; i < path.length; i++) {
    if (path[i] === '\\') i += 1;
    else if (path[i] === '"') return i;
  }
  return -1;
}

function parseJsonString(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** True when `prefix` names `path` itself or a place inside it. */
export function isPrefixOf(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

/**
 * `value` with what lies at `path[from..]` replaced by `replace(what was there)`, copying the
 * objects and arrays on the way (the original is left as it is). A path that is not there, as an
 * own property at every step, leaves `value` as it is. Keys are set as data, so a JSON key named
 * `__proto__` is a field like any other.
 */
export function replaceAt(
  value: unknown,
  path: readonly PathSegment[],
  replace: (current: unknown) => unknown,
  from = 0,
): unknown {
  if (from === path.length) return replace(value);
  if (typeof value !== 'object' || value === null) return value;
  const segment = path[from] as PathSegment;
  if (!Object.hasOwn(value, segment)) return value;
  const here = (value as Record<PathSegment, unknown>)[segment];
  const copy = Array.isArray(value) ? [...value] : { ...value };
  Object.defineProperty(copy, segment, {
    value: replaceAt(here, path, replace, from + 1),
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return copy;
}
