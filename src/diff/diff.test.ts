import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompareOptions } from '../contract/provider.js';
import { keyOf, type Resource } from '../contract/resource.js';
import { unwrap } from '../contract/result.js';
import { applyChanges, compareSpec } from './compare.js';
import { type DiffError, type DiffOptions, diff, type ResourceCollection } from './diff.js';
import { emptyPlan, type Plan } from './plan.js';
import { renderPlan } from './render.js';

type Spec = Record<string, unknown>;
const r = (kind: string, name: string, spec: Spec, extra: Partial<Resource> = {}): Resource => ({
  kind,
  name,
  spec,
  ...extra,
});

function planOf(desired: ResourceCollection, current: ResourceCollection, options?: DiffOptions): Plan {
  return unwrap(diff(desired, current, options));
}

function errorsOf(desired: ResourceCollection, current: ResourceCollection): readonly DiffError[] {
  const result = diff(desired, current);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('diff', () => {
  const desired = [
    r('files', 'motd', { content: 'hello\n' }),
    r('files', 'config', { mode: '0600', path: 'config' }),
    r('users', 'alice', { role: 'admin' }),
  ];
  const current = [
    r('users', 'alice', { role: 'admin', id: 7 }),
    r('files', 'old', { path: 'old' }),
    r('files', 'config', { mode: '0644', path: 'config', mtime: 5 }),
  ];

  it('plans a create, an update and a delete, sorted by key, and leaves what is in sync alone', () => {
    expect(planOf(desired, current)).toEqual({
      actions: [
        {
          action: 'update',
          key: 'files/config',
          kind: 'files',
          name: 'config',
          changes: [{ path: 'mode', old: '0644', new: '0600' }],
        },
        { action: 'create', key: 'files/motd', kind: 'files', name: 'motd', desired: { content: 'hello\n' } },
        { action: 'delete', key: 'files/old', kind: 'files', name: 'old', current: { path: 'old' } },
      ],
      summary: { add: 1, change: 1, destroy: 1, adopt: 0 },
    });
  });

  it('gives the same plan for a Map, an object keyed by kind/name and an array', () => {
    const asMap = (rs: Resource[]) => new Map(rs.map((x) => [keyOf(x), x]));
    const asObject = (rs: Resource[]) => Object.fromEntries(rs.map((x) => [keyOf(x), x]));
    const fromArrays = planOf(desired, current);
    expect(planOf(asMap(desired), asMap(current))).toEqual(fromArrays);
    expect(planOf(asObject(desired), asObject(current))).toEqual(fromArrays);
    expect(planOf(asMap(desired), current)).toEqual(fromArrays);
  });

  it('returns the empty plan when everything is in sync', () => {
    expect(planOf([r('a', 'x', { v: 1 })], [r('a', 'x', { v: 1, extra: true })])).toBe(emptyPlan);
    expect(planOf([], [])).toBe(emptyPlan);
  });

  it('uses the compare options of each kind', () => {
    const options: DiffOptions = { compare: { files: { ignore: ['mode'], replaceOn: ['path'] } } };
    const plan = planOf(
      [r('files', 'a', { mode: 1 }), r('files', 'b', { path: 'new' }), r('users', 'c', { mode: 1 })],
      [r('files', 'a', { mode: 2 }), r('files', 'b', { path: 'old' }), r('users', 'c', { mode: 2 })],
      options,
    );
    expect(plan.actions.map((a) => [a.key, a.action])).toEqual([
      ['files/b', 'replace'],
      ['users/c', 'update'],
    ]);
    expect(plan.summary).toEqual({ add: 1, change: 1, destroy: 1, adopt: 0 });
  });

  describe('bad input', () => {
    it('reports duplicate keys in an array, on either side, naming the key and both positions', () => {
      const errors = errorsOf(
        [r('a', 'x', {}), r('a', 'x', {})],
        [r('b', 'y', {}), r('c', 'z', {}), r('b', 'y', {})],
      );
      expect(errors.map((e) => [e.code, e.side, e.key, e.index])).toEqual([
        ['duplicate-key', 'desired', 'a/x', 1],
        ['duplicate-key', 'current', 'b/y', 2],
      ]);
      expect(errors[1]?.message).toBe('current b/y: the key appears more than once (at [0] and [2])');
    });

    it.each<[string, unknown]>([
      ['null', null],
      ['an array', [1]],
      ['a string', 'text'],
      ['missing', undefined],
    ])('reports a spec that is %s as invalid-spec, naming the key', (_name, spec) => {
      const errors = errorsOf([{ kind: 'a', name: 'x', spec } as Resource], []);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'invalid-spec', key: 'a/x', side: 'desired' });
      expect(errors[0]?.message).toContain('desired a/x: `spec` must be an object');
    });

    it('reports an invalid spec in current under its key', () => {
      const current = new Map([['a/x', { kind: 'a', name: 'x', spec: 42 } as unknown as Resource]]);
      expect(errorsOf([r('a', 'x', {})], current)).toMatchObject([
        { code: 'invalid-spec', key: 'a/x', side: 'current' },
      ]);
    });

    it('reports a resource without kind or name by its position in the array', () => {
      const errors = errorsOf(
        [r('a', 'x', {}), { name: 'y', spec: {} } as Resource, null as unknown as Resource],
        [],
      );
      expect(errors.map((e) => [e.code, e.key, e.index])).toEqual([
        ['invalid-resource', '[1]', 1],
        ['invalid-resource', '[2]', 2],
      ]);
      expect(errors[0]?.message).toContain('kind `undefined` (undefined) and name `"y"` (string)');
    });

    it('reports a resource without kind or name in a Map by its key', () => {
      const desired = new Map([['a/x', { kind: 'a', spec: {} } as unknown as Resource]]);
      expect(errorsOf(desired, [])).toMatchObject([
        { code: 'invalid-resource', key: 'a/x', side: 'desired' },
      ]);
    });

    it('reports every problem at once', () => {
      const errors = errorsOf(
        [r('a', 'x', {}), r('a', 'x', {}), { kind: 'b', name: 'y', spec: [] } as unknown as Resource],
        [{ kind: 'c', name: 'z', spec: null } as unknown as Resource],
      );
      expect(errors.map((e) => e.code)).toEqual(['duplicate-key', 'invalid-spec', 'invalid-spec']);
    });
  });

  describe('misuse', () => {
    it.each<[string, () => unknown, RegExp]>([
      ['desired is not a collection', () => diff('a/x' as never, []), /`desired`/],
      ['current is null', () => diff([], null as never), /`current`/],
      ['options is not an object', () => diff([], [], 'fast' as never), /`options`/],
      ['compare is an array', () => diff([], [], { compare: [] as never }), /`compare`/],
      [
        'a kind has a bad ignore',
        () => diff([], [], { compare: { files: { ignore: 'x' as never } } }),
        /`compare\.files\.ignore`/,
      ],
    ])('throws a TypeError when %s', (_name, call, message) => {
      expect(call).toThrow(TypeError);
      expect(call).toThrow(message);
    });
  });
});

// --- laws ---------------------------------------------------------------------------------

const KEYS = ['a', 'b', 'c'];
const { value: valueArb } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<unknown>(0, -0, 1, Number.NaN, 'x', '', null),
    tie('array'),
    tie('record'),
  ),
  array: fc.array(tie('value'), { maxLength: 2 }),
  record: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 3 }),
}));
const specArb = fc.dictionary(fc.constantFrom(...KEYS), valueArb, { maxKeys: 3 }) as fc.Arbitrary<Spec>;
const resourcesArb = fc.uniqueArray(
  fc.record({
    kind: fc.constantFrom('files', 'users'),
    name: fc.constantFrom('p', 'q', 'r', 's'),
    spec: specArb,
  }),
  { selector: (x) => `${x.kind}/${x.name}`, maxLength: 8 },
);
const compareArb: fc.Arbitrary<CompareOptions> = fc.record(
  { ignore: fc.subarray(['a', 'b.c', 'c[0]']), replaceOn: fc.subarray(['b', 'a.a']) },
  { requiredKeys: [] },
);
const optionsArb = fc.record({
  compare: fc.record({ files: compareArb, users: compareArb }, { requiredKeys: [] }),
});

/** What a perfect provider would leave behind after applying `plan`. */
function applyPlan(desired: readonly Resource[], current: readonly Resource[], plan: Plan): Resource[] {
  const wanted = new Map(desired.map((x) => [keyOf(x), x]));
  const world = new Map(current.map((x) => [keyOf(x), x]));
  for (const action of plan.actions) {
    const { key, kind, name } = action;
    if (action.action === 'create') world.set(key, { kind, name, spec: action.desired });
    else if (action.action === 'delete') world.delete(key);
    else if (action.action === 'replace') world.set(key, { kind, name, spec: wanted.get(key)?.spec ?? {} });
    else world.set(key, { kind, name, spec: applyChanges(world.get(key)?.spec, action.changes) });
  }
  return [...world.values()];
}

describe('diff laws', () => {
  it('plans nothing more once its plan has been applied', () => {
    fc.assert(
      fc.property(resourcesArb, resourcesArb, optionsArb, (desired, current, options) => {
        const plan = planOf(desired, current, options);
        expect(planOf(desired, applyPlan(desired, current, plan), options)).toBe(emptyPlan);
      }),
      { numRuns: 1000 },
    );
  });

  it('plans an action for a resource exactly when it is missing, extra or differs', () => {
    fc.assert(
      fc.property(resourcesArb, resourcesArb, optionsArb, (desired, current, options) => {
        const plan = planOf(desired, current, options);
        const actions = new Map(plan.actions.map((a) => [a.key, a.action]));
        const have = new Map(current.map((x) => [keyOf(x), x]));
        const wanted = new Map(desired.map((x) => [keyOf(x), x]));
        for (const [key, want] of wanted) {
          const found = have.get(key);
          if (found === undefined) expect(actions.get(key)).toBe('create');
          else {
            const differs =
              compareSpec(want.spec, found.spec, options.compare[want.kind as 'files']).length > 0;
            expect(actions.has(key)).toBe(differs);
          }
        }
        for (const key of have.keys()) if (!wanted.has(key)) expect(actions.get(key)).toBe('delete');
        expect(plan.actions.map((a) => a.key)).toEqual([...actions.keys()].sort());
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same plan, and the same text, whatever the order of the input', () => {
    fc.assert(
      fc.property(
        resourcesArb.chain((d) => fc.tuple(fc.constant(d), fc.shuffledSubarray(d, { minLength: d.length }))),
        resourcesArb.chain((c) => fc.tuple(fc.constant(c), fc.shuffledSubarray(c, { minLength: c.length }))),
        ([desired, desiredShuffled], [current, currentShuffled]) => {
          const plan = planOf(desired, current);
          const again = planOf(desiredShuffled, currentShuffled);
          expect(again).toEqual(plan);
          expect(renderPlan(again)).toBe(renderPlan(plan));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('counts in the summary what the actions do', () => {
    fc.assert(
      fc.property(resourcesArb, resourcesArb, optionsArb, (desired, current, options) => {
        const { actions, summary } = planOf(desired, current, options);
        const count = (...kinds: string[]) => actions.filter((a) => kinds.includes(a.action)).length;
        expect(summary).toEqual({
          add: count('create', 'replace'),
          change: count('update'),
          destroy: count('delete', 'replace'),
          adopt: count('adopt'),
        });
      }),
      { numRuns: 1000 },
    );
  });
});
