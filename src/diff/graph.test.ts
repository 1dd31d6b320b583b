import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../contract/resource.js';
import { unwrap } from '../contract/result.js';
import { dependentsOf, type GraphError, orderByDependencies } from './graph.js';

/** `res('app/web', 'db/main')`: a resource with its dependencies. */
function res(key: string, ...dependsOn: string[]): Resource {
  const [kind, name] = key.split('/') as [string, string];
  return { kind, name, spec: {}, dependsOn };
}

function errorsOf(resources: readonly Resource[]): readonly GraphError[] {
  const result = orderByDependencies(resources);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('orderByDependencies', () => {
  it('puts dependencies first and reverses the order for deletes', () => {
    expect(unwrap(orderByDependencies([res('app/web', 'db/main'), res('db/main')]))).toEqual({
      waves: [['db/main'], ['app/web']],
      deleteWaves: [['app/web'], ['db/main']],
    });
  });

  it('places what is independent in one wave, keys sorted', () => {
    expect(unwrap(orderByDependencies([res('b/2'), res('a/1'), res('b/1')])).waves).toEqual([
      ['a/1', 'b/1', 'b/2'],
    ]);
  });

  it('orders a diamond in three waves', () => {
    const waves = unwrap(
      orderByDependencies([res('d/d', 'b/b', 'c/c'), res('c/c', 'a/a'), res('b/b', 'a/a'), res('a/a')]),
    ).waves;
    expect(waves).toEqual([['a/a'], ['b/b', 'c/c'], ['d/d']]);
  });

  it('places a resource after its deepest dependency', () => {
    const waves = unwrap(
      orderByDependencies([res('x/d', 'x/a', 'x/c'), res('x/c', 'x/b'), res('x/b', 'x/a'), res('x/a')]),
    ).waves;
    expect(waves).toEqual([['x/a'], ['x/b'], ['x/c'], ['x/d']]);
  });

  it('orders nothing for no resources', () => {
    expect(unwrap(orderByDependencies([]))).toEqual({ waves: [], deleteWaves: [] });
  });

  it('takes a dependency listed twice as one', () => {
    expect(unwrap(orderByDependencies([res('a/b', 'a/a', 'a/a'), res('a/a')])).waves).toEqual([
      ['a/a'],
      ['a/b'],
    ]);
  });

  describe('errors', () => {
    it('names a cycle in dependency order', () => {
      expect(errorsOf([res('a/x', 'b/y'), res('b/y', 'a/x')])).toEqual([
        { code: 'cycle', keys: ['a/x', 'b/y'], message: 'dependency cycle: a/x -> b/y -> a/x' },
      ]);
    });

    it('starts a cycle at its smallest key and follows the dependencies', () => {
      expect(errorsOf([res('c/c', 'a/a'), res('a/a', 'b/b'), res('b/b', 'c/c'), res('z/z', 'c/c')])).toEqual([
        { code: 'cycle', keys: ['a/a', 'b/b', 'c/c'], message: 'dependency cycle: a/a -> b/b -> c/c -> a/a' },
      ]);
    });

    it('names every key tangled in a knot of cycles, a shortest cycle first', () => {
      const errors = errorsOf([
        res('k/a', 'k/b', 'k/c'),
        res('k/b', 'k/a'),
        res('k/c', 'k/d'),
        res('k/d', 'k/a'),
      ]);
      expect(errors).toEqual([
        {
          code: 'cycle',
          keys: ['k/a', 'k/b', 'k/c', 'k/d'],
          message: 'dependency cycle: k/a -> k/b -> k/a (also caught in it: k/c, k/d)',
        },
      ]);
    });

    it('reports each separate cycle', () => {
      const errors = errorsOf([
        res('a/1', 'a/2'),
        res('a/2', 'a/1'),
        res('b/1', 'b/2'),
        res('b/2', 'b/1'),
        res('c/1'),
      ]);
      expect(errors.map((e) => e.message)).toEqual([
        'dependency cycle: a/1 -> a/2 -> a/1',
        'dependency cycle: b/1 -> b/2 -> b/1',
      ]);
    });

    it('reports a resource that depends on itself', () => {
      expect(errorsOf([res('a/x', 'a/x')])).toEqual([
        { code: 'self-dependency', key: 'a/x', message: 'a/x: depends on itself' },
      ]);
    });

    it('reports a dependency that is not declared', () => {
      expect(errorsOf([res('app/web', 'db/main')])).toEqual([
        {
          code: 'missing-dependency',
          key: 'app/web',
          dependsOn: 'db/main',
          message: 'app/web: depends on db/main, which is not declared',
        },
      ]);
    });

    it('reports duplicate keys', () => {
      expect(errorsOf([res('a/x'), res('a/x')])).toEqual([
        {
          code: 'duplicate-key',
          key: 'a/x',
          message: 'a/x: the key appears more than once (at [0] and [1])',
        },
      ]);
    });

    it('reports malformed resources and dependency lists', () => {
      const errors = errorsOf([
        { kind: 'a', spec: {} } as unknown as Resource,
        { ...res('a/y'), dependsOn: 'a/x' as never },
      ]);
      expect(errors.map((e) => [e.code, 'key' in e ? e.key : undefined])).toEqual([
        ['invalid-resource', '[0]'],
        ['invalid-resource', 'a/y'],
      ]);
    });

    it('reports every problem at once', () => {
      const errors = errorsOf([
        res('a/a', 'a/a'),
        res('a/b', 'z/z'),
        res('a/b'),
        res('c/1', 'c/2'),
        res('c/2', 'c/1'),
      ]);
      expect(errors.map((e) => e.code)).toEqual([
        'duplicate-key',
        'self-dependency',
        'missing-dependency',
        'cycle',
      ]);
    });
  });

  it('throws a TypeError when not given an array', () => {
    expect(() => orderByDependencies(new Set() as never)).toThrow(TypeError);
  });

  it('orders 100,000 resources in a chain without running out of stack', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => res(`n/${i}`, ...(i > 0 ? [`n/${i - 1}`] : [])));
    const { waves } = unwrap(orderByDependencies(chain));
    expect(waves).toHaveLength(100_000);
    expect(waves[99_999]).toEqual(['n/99999']);
  });

  it('finds a cycle through 100,000 resources without running out of stack', () => {
    const ring = Array.from({ length: 100_000 }, (_, i) => res(`n/${i}`, `n/${(i + 1) % 100_000}`));
    const [error] = errorsOf(ring);
    expect(error?.code === 'cycle' && error.keys.length).toBe(100_000);
  });
});

describe('dependentsOf', () => {
  it('lists, sorted, who depends on each key', () => {
    const map = dependentsOf([
      res('app/web', 'db/main', 'cache/c'),
      res('app/api', 'db/main'),
      res('db/main'),
    ]);
    expect(Object.fromEntries(map)).toEqual({ 'db/main': ['app/api', 'app/web'], 'cache/c': ['app/web'] });
  });
});

// --- laws ---------------------------------------------------------------------------------

/** A random DAG: node i may depend only on nodes before it; keys shuffled so order means nothing. */
const dagArb = fc.integer({ min: 1, max: 25 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    names: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    pairs: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
  }),
);

function build(n: number, names: number[], edges: [number, number][]): Resource[] {
  const key = (i: number) => `k/${names[i]}`;
  const deps = Array.from({ length: n }, () => [] as string[]);
  for (const [u, v] of edges) deps[u]?.push(key(v));
  return deps.map((d, i) => res(key(i), ...d));
}

function dagEdges(pairs: [number, number][]): [number, number][] {
  return pairs.filter(([a, b]) => a !== b).map(([a, b]) => [Math.max(a, b), Math.min(a, b)]);
}

describe('orderByDependencies laws', () => {
  it('puts every dependency in a strictly earlier wave, and reverses that for deletes', () => {
    fc.assert(
      fc.property(dagArb, ({ n, names, pairs }) => {
        const resources = build(n, names, dagEdges(pairs));
        const { waves, deleteWaves } = unwrap(orderByDependencies(resources));
        const waveOf = new Map(waves.flatMap((w, i) => w.map((k) => [k, i] as const)));
        const deleteWaveOf = new Map(deleteWaves.flatMap((w, i) => w.map((k) => [k, i] as const)));
        expect(waveOf.size).toBe(n);
        expect(waves.flat()).toHaveLength(n);
        for (const r of resources) {
          for (const dep of r.dependsOn ?? []) {
            const key = `${r.kind}/${r.name}`;
            expect(waveOf.get(dep)).toBeLessThan(waveOf.get(key) as number);
            expect(deleteWaveOf.get(dep)).toBeGreaterThan(deleteWaveOf.get(key) as number);
          }
        }
        for (const wave of waves) expect(wave).toEqual([...wave].sort());
        expect(deleteWaves).toEqual([...waves].reverse());
      }),
      { numRuns: 1000 },
    );
  });

  it('always finds a planted cycle, naming every key of it, and each cycle it names is real', () => {
    const plantedArb = dagArb.chain((dag) =>
      fc.record({
        dag: fc.constant(dag),
        cycle: fc.shuffledSubarray([...Array(dag.n).keys()], { minLength: Math.min(2, dag.n) }),
      }),
    );
    fc.assert(
      fc.property(plantedArb, ({ dag: { n, names, pairs }, cycle }) => {
        fc.pre(cycle.length >= 2);
        const planted: [number, number][] = cycle.map((u, i) => [u, cycle[(i + 1) % cycle.length] as number]);
        const resources = build(n, names, [...dagEdges(pairs), ...planted]);
        const errors = errorsOf(resources);
        expect(errors.every((e) => e.code === 'cycle')).toBe(true);
        const plantedKeys = cycle.map((i) => `k/${names[i]}`);
        const holding = errors.filter(
          (e) => e.code === 'cycle' && plantedKeys.every((k) => e.keys.includes(k)),
        );
        expect(holding).toHaveLength(1);
        const dependsOn = new Map(resources.map((r) => [`${r.kind}/${r.name}`, r.dependsOn ?? []]));
        for (const error of errors) {
          const steps = error.message
            .replace(/^dependency cycle: /, '')
            .replace(/ \(also.*$/, '')
            .split(' -> ');
          expect(steps[0]).toBe(steps[steps.length - 1]);
          for (let i = 0; i + 1 < steps.length; i++) {
            expect(dependsOn.get(steps[i] as string)).toContain(steps[i + 1]);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('always reports a planted self-dependency by its key', () => {
    fc.assert(
      fc.property(dagArb, fc.nat(), ({ n, names, pairs }, pick) => {
        const self = pick % n;
        const resources = build(n, names, [...dagEdges(pairs), [self, self]]);
        expect(errorsOf(resources)).toEqual([
          {
            code: 'self-dependency',
            key: `k/${names[self]}`,
            message: `k/${names[self]}: depends on itself`,
          },
        ]);
      }),
      { numRuns: 1000 },
    );
  });
});
