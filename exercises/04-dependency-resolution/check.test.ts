/**
 * The check for exercise 04. `npm run exercise -- 04` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderByDependencies } from '../../src/diff/graph.js';
import { holds } from '../check-helpers.js';

type Impl = typeof import('./solution.js');
const { orderInWaves }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);
type Node = import('./solution.js').Node;

const n = (key: string, ...dependsOn: string[]): Node =>
  dependsOn.length > 0 ? { key, dependsOn } : { key };

describe('orderInWaves', () => {
  it('puts resources that depend on nothing in one wave, sorted', () => {
    expect(orderInWaves([n('c'), n('a'), n('b')]), 'no dependencies: one wave, keys sorted').toEqual({
      ok: true,
      waves: [['a', 'b', 'c']],
    });
  });

  it('orders a chain one resource per wave, whatever the input order', () => {
    expect(orderInWaves([n('app', 'db'), n('db', 'net'), n('net')])).toEqual({
      ok: true,
      waves: [['net'], ['db'], ['app']],
    });
  });

  it('runs independent branches of a diamond in the same wave', () => {
    expect(
      orderInWaves([n('app', 'db', 'cache'), n('db', 'net'), n('cache', 'net'), n('net')]),
      'db and cache both need only net: they go together in wave 1',
    ).toEqual({ ok: true, waves: [['net'], ['cache', 'db'], ['app']] });
  });

  it('places each resource as early as its dependencies allow', () => {
    expect(
      orderInWaves([n('a', 'b'), n('b', 'c'), n('c'), n('d', 'c')]),
      'd needs only c (wave 0), so d belongs in wave 1, beside b, not at the end',
    ).toEqual({ ok: true, waves: [['c'], ['b', 'd'], ['a']] });
  });

  it('counts a dependency listed twice once', () => {
    expect(orderInWaves([n('a', 'b', 'b'), n('b')])).toEqual({ ok: true, waves: [['b'], ['a']] });
  });

  it('returns no waves for no resources', () => {
    expect(orderInWaves([])).toEqual({ ok: true, waves: [] });
  });

  it('reports dependencies on keys that are not declared, sorted, each once', () => {
    expect(
      orderInWaves([n('web', 'db', 'cache', 'db'), n('api', 'db'), n('cache')]),
      'db is named but never declared: report each { key, dependsOn } pair once, sorted by key, then dependsOn',
    ).toEqual({
      ok: false,
      missing: [
        { key: 'api', dependsOn: 'db' },
        { key: 'web', dependsOn: 'db' },
      ],
      stuck: [],
    });
  });

  it('reports the keys caught in a cycle, and those waiting on them, as stuck', () => {
    expect(
      orderInWaves([n('d'), n('c', 'a'), n('b', 'a'), n('a', 'b')]),
      'a and b wait for each other forever, and c waits for a; d is fine. `stuck` is sorted',
    ).toEqual({ ok: false, missing: [], stuck: ['a', 'b', 'c'] });
  });

  it('reports a resource that depends on itself as stuck', () => {
    expect(orderInWaves([n('a', 'a'), n('b')])).toEqual({ ok: false, missing: [], stuck: ['a'] });
  });

  it('orders a chain of 20,000 without overflowing the stack', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) =>
      n(`k${String(i).padStart(5, '0')}`, ...(i > 0 ? [`k${String(i - 1).padStart(5, '0')}`] : [])),
    );
    const result = orderInWaves(nodes.reverse());
    expect(result.ok, 'a long chain is valid input').toBe(true);
    if (result.ok) {
      expect(result.waves.length).toBe(20_000);
      expect(result.waves[0]).toEqual(['k00000']);
      expect(result.waves[19_999]).toEqual(['k19999']);
    }
  });
});

const keyNames = (count: number) => Array.from({ length: count }, (_, i) => `r${i}`);

/** A random acyclic graph: node i may depend only on nodes with a smaller index; input shuffled. */
const dag = fc
  .integer({ min: 0, max: 25 })
  .chain((count) =>
    fc.tuple(
      fc.tuple(...keyNames(count).map((_, i) => fc.subarray(keyNames(i)))),
      fc.shuffledSubarray(keyNames(count), { minLength: count, maxLength: count }),
    ),
  )
  .map(([deps, order]) => order.map((key) => n(key, ...(deps[Number(key.slice(1))] ?? []))));

/** A random graph that may have cycles (no missing keys). */
const graph = fc
  .integer({ min: 1, max: 15 })
  .chain((count) =>
    fc.tuple(...keyNames(count).map((key) => fc.subarray(keyNames(count)).map((deps) => n(key, ...deps)))),
  );

describe('orderInWaves, on 1,000 random graphs', () => {
  it("gives the same waves as setpoint's own orderByDependencies", () => {
    holds(
      'your waves differ from the reference for this acyclic graph',
      fc.property(dag, (nodes) => {
        const reference = orderByDependencies(
          nodes.map((x) => ({
            kind: 'r',
            name: x.key,
            spec: {},
            dependsOn: x.dependsOn?.map((d) => `r/${d}`) ?? [],
          })),
        );
        if (!reference.ok) throw new Error('the reference rejected an acyclic graph');
        expect(orderInWaves(nodes)).toEqual({
          ok: true,
          waves: reference.value.waves.map((w) => w.map((k) => k.slice(2))),
        });
      }),
    );
  });

  it('places every key it can and calls stuck exactly the keys that can never be placed', () => {
    holds(
      'for this graph, your result breaks a rule of `stuck` (the line below says which)',
      fc.property(graph, (nodes) => {
        const result = orderInWaves(nodes);
        const deps = new Map(nodes.map((x) => [x.key, x.dependsOn ?? []]));
        const stuck = new Set(result.ok ? [] : result.stuck);
        const placed = new Map<string, number>();
        if (result.ok) {
          for (const [i, wave] of result.waves.entries()) for (const key of wave) placed.set(key, i);
        } else {
          expect(result.missing, 'every dependency here is declared: `missing` must be empty').toEqual([]);
          expect(result.stuck, '`stuck` must be sorted with Array.prototype.sort()').toEqual(
            [...result.stuck].sort(),
          );
        }
        // A stuck key always waits for another stuck key: it can never be placed.
        for (const key of stuck) {
          expect(
            (deps.get(key) ?? []).some((d) => stuck.has(d)),
            `${key} is stuck, yet none of its dependencies is`,
          ).toBe(true);
        }
        // Everything else can be placed: its dependencies are not stuck, and there is no cycle among them.
        const free = nodes.filter((x) => !stuck.has(x.key));
        const rest = orderByDependencies(
          free.map((x) => ({
            kind: 'r',
            name: x.key,
            spec: {},
            dependsOn: (x.dependsOn ?? []).map((d) => `r/${d}`),
          })),
        );
        expect(rest.ok, 'some key not in `stuck` can never be placed: it should be stuck too').toBe(true);
        if (result.ok) expect(placed.size, 'every key must appear in exactly one wave').toBe(nodes.length);
      }),
    );
  });
});
