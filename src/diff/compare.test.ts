import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompareOptions, FieldChange } from '../contract/provider.js';
import { applyChanges, compareSpec, isInSync, requiresReplace } from './compare.js';
import { formatPath, isPrefixOf, type PathSegment, parsePath } from './path.js';

type Spec = Record<string, unknown>;

// Specs over a tiny alphabet, so that desired and observed often share fields and values.
// Includes the awkward values: -0, NaN, '', null, a key with a dot and the key `__proto__`.
const KEYS = ['a', 'b', 'c', 'x.y', '__proto__'];
const { value: valueArb } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<unknown>(0, -0, 1, Number.NaN, 'x', '', true, null),
    tie('array'),
    tie('record'),
  ),
  array: fc.array(tie('value'), { maxLength: 3 }),
  record: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 3 }),
}));
const specArb = fc.dictionary(fc.constantFrom(...KEYS), valueArb, { maxKeys: 4 }) as fc.Arbitrary<Spec>;
const pathArb = fc.array(fc.oneof(fc.constantFrom(...KEYS), fc.nat({ max: 2 })), {
  minLength: 1,
  maxLength: 3,
});

/** The value at `path` (own fields and in-range indices only), and whether it is there. */
function at(value: unknown, path: readonly PathSegment[]): unknown {
  let here = value;
  for (const segment of path) {
    if (typeof here !== 'object' || here === null) return undefined;
    if (typeof segment === 'number' ? !Array.isArray(here) : Array.isArray(here)) return undefined;
    if (!Object.hasOwn(here, segment)) return undefined;
    here = (here as Record<PathSegment, unknown>)[segment];
  }
  return here;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

describe('compareSpec', () => {
  it.each<[string, Spec, Spec | undefined, FieldChange[]]>([
    ['reports nothing for equal specs', { a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'x' } }, []],
    ['ignores fields only observed has, at the top', { a: 1 }, { a: 1, uid: 'u-1' }, []],
    ['ignores fields only observed has, deep down', { env: { A: '1' } }, { env: { A: '1', B: '2' } }, []],
    [
      'names a changed top-level field',
      { replicas: 3 },
      { replicas: 2 },
      [{ path: 'replicas', old: 2, new: 3 }],
    ],
    [
      'names a changed nested field',
      { env: { A: '2' } },
      { env: { A: '1' } },
      [{ path: 'env.A', old: '1', new: '2' }],
    ],
    [
      'reports a field missing from observed with old undefined',
      { a: 1 },
      {},
      [{ path: 'a', old: undefined, new: 1 }],
    ],
    [
      'reports a whole object missing from observed as one change',
      { env: { A: '1' } },
      {},
      [{ path: 'env', old: undefined, new: { A: '1' } }],
    ],
    [
      'compares arrays of equal length element by element',
      { ports: [{ port: 80 }, { port: 443 }] },
      { ports: [{ port: 80, proto: 'tcp' }, { port: 8443 }] },
      [{ path: 'ports[1].port', old: 8443, new: 443 }],
    ],
    [
      'reports arrays of different length as a change of the whole array',
      { ports: [80, 443] },
      { ports: [80] },
      [{ path: 'ports', old: [80], new: [80, 443] }],
    ],
    ['reports a change of type', { a: { b: 1 } }, { a: 'b=1' }, [{ path: 'a', old: 'b=1', new: { b: 1 } }]],
    ['tells an array from an object', { a: [] }, { a: {} }, [{ path: 'a', old: {}, new: [] }]],
    ['treats 0 and -0 as equal', { a: 0, b: [-0] }, { a: -0, b: [0] }, []],
    ['treats NaN as equal to NaN', { a: Number.NaN }, { a: Number.NaN }, []],
    ['tells null from absent', { a: null }, {}, [{ path: 'a', old: undefined, new: null }]],
    ['compares dates by time', { at: new Date(5) }, { at: new Date(5) }, []],
    [
      'quotes keys that cannot stand bare',
      { labels: { 'a.b/c': 'x' } },
      { labels: {} },
      [{ path: 'labels["a.b/c"]', old: undefined, new: 'x' }],
    ],
    [
      'reads an inherited field of observed as absent',
      { constructor: 'x' },
      {},
      [{ path: 'constructor', old: undefined, new: 'x' }],
    ],
    [
      'reports every field when observed is absent',
      { a: 1, b: { c: 2 } },
      undefined,
      [
        { path: 'a', old: undefined, new: 1 },
        { path: 'b', old: undefined, new: { c: 2 } },
      ],
    ],
    [
      'lists changes in the order of desired fields',
      { b: 1, a: 1 },
      { a: 2, b: 2 },
      [
        { path: 'b', old: 2, new: 1 },
        { path: 'a', old: 2, new: 1 },
      ],
    ],
  ])('%s', (_name, desired, observed, expected) => {
    expect(compareSpec(desired, observed)).toEqual(expected);
  });

  it.each<[string, readonly string[], Spec, Spec, string[]]>([
    ['ignores a path and everything inside it', ['env'], { env: { A: '1' }, x: 1 }, { env: {}, x: 2 }, ['x']],
    ['ignores only the listed nested field', ['env.A'], { env: { A: '1', B: '1' } }, { env: {} }, ['env.B']],
    ['ignores one element of an array', ['ports[0]'], { ports: [1, 2] }, { ports: [9, 9] }, ['ports[1]']],
    [
      'ignores a field of the listed element only',
      ['ports[0].p'],
      { ports: [{ p: 1 }, { p: 2 }] },
      {
        ports: [{ p: 0 }, { p: 0 }],
      },
      ['ports[1].p'],
    ],
    ['does not ignore a longer name that starts the same', ['env'], { envx: 1 }, { envx: 2 }, ['envx']],
    ['ignores a quoted key', ['labels["a.b"]'], { labels: { 'a.b': 1, c: 1 } }, { labels: {} }, ['labels.c']],
    ['ignores everything for the empty path', [''], { a: 1 }, { a: 2 }, []],
  ])('%s', (_name, ignore, desired, observed, paths) => {
    expect(compareSpec(desired, observed, { ignore }).map((c) => c.path)).toEqual(paths);
  });

  it('returns one shared, frozen empty array when in sync', () => {
    const first = compareSpec({ a: 1 }, { a: 1 });
    expect(first).toBe(compareSpec({ b: { c: [1] } }, { b: { c: [1] } }, { ignore: ['z'] }));
    expect(Object.isFrozen(first)).toBe(true);
  });

  describe('with `equals`', () => {
    const equals = (d: Spec, o: Spec) => String(d.v).toLowerCase() === String(o.v).toLowerCase();

    it('reports nothing when it says equal, whatever the fields', () => {
      expect(compareSpec({ v: 'ABC' }, { v: 'abc' }, { equals })).toEqual([]);
    });

    it('reports the field differences when it says different', () => {
      expect(compareSpec({ v: 'a' }, { v: 'b' }, { equals })).toEqual([{ path: 'v', old: 'b', new: 'a' }]);
    });

    it('reports the whole spec (path "") when it says different but no field differs', () => {
      const never = () => false;
      expect(compareSpec({ v: 1 }, { v: 1, w: 2 }, { equals: never })).toEqual([
        { path: '', old: { v: 1, w: 2 }, new: { v: 1 } },
      ]);
    });

    it('is not asked about an absent object', () => {
      const asked: unknown[] = [];
      const spy = (d: Spec, o: Spec) => asked.push([d, o]) < 0;
      expect(compareSpec({ v: 1 }, undefined, { equals: spy })).toEqual([
        { path: 'v', old: undefined, new: 1 },
      ]);
      expect(asked).toEqual([]);
    });
  });

  it.each<[string, unknown, string]>([
    ['ignore that is not an array', { ignore: 'status' }, '`options.ignore`'],
    ['a malformed ignore path', { ignore: ['a..b'] }, '`options.ignore[0]`'],
    ['a replaceOn path that is not a string', { replaceOn: [3] }, '`options.replaceOn[0]`'],
    ['equals that is not a function', { equals: true }, '`options.equals`'],
    ['options that are not an object', 'strict', '`options`'],
  ])('throws a TypeError naming the option for %s', (_name, options, named) => {
    expect(() => compareSpec({}, {}, options as CompareOptions)).toThrow(TypeError);
    expect(() => compareSpec({}, {}, options as CompareOptions)).toThrow(named);
  });

  it('throws a TypeError when a spec is not an object', () => {
    expect(() => compareSpec([] as unknown as Spec, {})).toThrow(/`desired`/);
    expect(() => compareSpec({}, null as unknown as Spec)).toThrow(/`observed`/);
  });

  it('gives desired on the compared fields once its changes are applied', () => {
    fc.assert(
      fc.property(specArb, specArb, (desired, observed) => {
        const changes = compareSpec(desired, observed);
        expect(compareSpec(desired, applyChanges(observed, changes))).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives desired on the compared fields once applied, with ignored paths too', () => {
    fc.assert(
      fc.property(specArb, specArb, fc.array(pathArb, { maxLength: 3 }), (desired, observed, ignored) => {
        const options = { ignore: ignored.map(formatPath) };
        const changes = compareSpec(desired, observed, options);
        expect(compareSpec(desired, applyChanges(observed, changes), options)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('never reports a change under an ignored path', () => {
    fc.assert(
      fc.property(
        specArb,
        fc.option(specArb),
        fc.array(pathArb, { maxLength: 3 }),
        (desired, observed, ignored) => {
          const changes = compareSpec(desired, observed ?? undefined, { ignore: ignored.map(formatPath) });
          for (const change of changes) {
            const path = parsePath(change.path) as PathSegment[];
            for (const ignoredPath of ignored) expect(isPrefixOf(ignoredPath, path)).toBe(false);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('names in each change the path where desired holds `new` and observed holds `old`', () => {
    fc.assert(
      fc.property(specArb, specArb, (desired, observed) => {
        for (const change of compareSpec(desired, observed)) {
          const path = parsePath(change.path) as PathSegment[];
          expect(Object.is(at(desired, path), change.new)).toBe(true);
          expect(Object.is(at(observed, path), change.old)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('finds no change between a spec and its copy', () => {
    fc.assert(
      fc.property(specArb, specArb, (desired, extra) => {
        expect(compareSpec(desired, { ...extra, ...structuredClone(desired) })).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with isInSync', () => {
    fc.assert(
      fc.property(specArb, specArb, (desired, observed) => {
        expect(isInSync(desired, observed)).toBe(compareSpec(desired, observed).length === 0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('isInSync', () => {
  it('is false for an absent object, even when desired is empty', () => {
    expect(isInSync({}, undefined)).toBe(false);
    expect(isInSync({}, {})).toBe(true);
  });

  it('lets `equals` decide alone', () => {
    expect(isInSync({ a: 1 }, { a: 2 }, { equals: () => true })).toBe(true);
    expect(isInSync({ a: 1 }, { a: 1 }, { equals: () => false })).toBe(false);
  });
});

describe('requiresReplace', () => {
  const replaceOn = { replaceOn: ['path', 'volume.size'] };
  it.each<[string, FieldChange[], boolean]>([
    ['no change', [], false],
    ['a change elsewhere', [{ path: 'mode', old: 1, new: 2 }], false],
    ['a change of a listed path', [{ path: 'path', old: 'a', new: 'b' }], true],
    ['a change inside a listed path', [{ path: 'volume.size.gb', old: 1, new: 2 }], true],
    ['a sibling of a listed path', [{ path: 'volume.kind', old: 1, new: 2 }], false],
    ['a longer name that starts the same', [{ path: 'pathname', old: 1, new: 2 }], false],
    [
      'a whole object whose listed field differs',
      [{ path: 'volume', old: { size: 1 }, new: { size: 2 } }],
      true,
    ],
    [
      'a whole object whose listed field is the same',
      [{ path: 'volume', old: { size: 1 }, new: { size: 1, x: 1 } }],
      false,
    ],
    ['a new object holding the listed field', [{ path: 'volume', old: undefined, new: { size: 1 } }], true],
    ['the whole spec, listed field differs', [{ path: '', old: { path: 'a' }, new: { path: 'b' } }], true],
  ])('is %s → %s', (_name, changes, expected) => {
    expect(requiresReplace(changes, replaceOn)).toBe(expected);
  });

  it('is false without replaceOn', () => {
    expect(requiresReplace([{ path: 'path', old: 'a', new: 'b' }])).toBe(false);
  });

  it('treats the empty path as "every change replaces"', () => {
    expect(requiresReplace([{ path: 'a.b', old: 1, new: 2 }], { replaceOn: [''] })).toBe(true);
  });
});

describe('applyChanges', () => {
  it('sets nested fields, keeping what it does not touch', () => {
    const observed = { env: { A: '1', B: '2' }, uid: 'u', ports: [{ port: 80 }] };
    expect(
      applyChanges(observed, [
        { path: 'env.A', old: '1', new: '9' },
        { path: 'ports[0].port', old: 80, new: 81 },
      ]),
    ).toEqual({ env: { A: '9', B: '2' }, uid: 'u', ports: [{ port: 81 }] });
  });

  it('leaves observed untouched and shares what did not change', () => {
    const observed = deepFreeze({ env: { A: '1' }, labels: { x: 'y' } });
    const next = applyChanges(observed, [{ path: 'env.A', old: '1', new: '2' }]);
    expect(observed.env.A).toBe('1');
    expect(next.labels).toBe(observed.labels);
    expect(next.env).not.toBe(observed.env);
  });

  it('creates missing containers on the way', () => {
    expect(applyChanges(undefined, [{ path: 'a.b[1].c', old: undefined, new: 1 }])).toEqual({
      a: { b: [undefined, { c: 1 }] },
    });
  });

  it('removes a field whose new value is undefined', () => {
    const next = applyChanges({ a: 1, b: 2 }, [{ path: 'a', old: 1, new: undefined }]);
    expect(next).toEqual({ b: 2 });
    expect(Object.hasOwn(next, 'a')).toBe(false);
  });

  it('replaces the whole spec for the path ""', () => {
    expect(applyChanges({ a: 1, b: 2 }, [{ path: '', old: {}, new: { c: 3 } }])).toEqual({ c: 3 });
  });

  it('writes `__proto__` as a plain field, never as the prototype', () => {
    const next = applyChanges({}, [{ path: '__proto__.polluted', old: undefined, new: true }]);
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(next, '__proto__')).toBe(true);
  });

  it('throws a TypeError for a malformed path', () => {
    expect(() => applyChanges({}, [{ path: 'a..b', old: 1, new: 2 }])).toThrow(TypeError);
  });
});
