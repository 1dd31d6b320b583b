import { describe, expect, it } from 'vitest';
import { emptyPlan, type PlannedAction, planFor, planOf, summarize } from './plan.js';

describe('planFor', () => {
  it.each<
    [
      string,
      Record<string, unknown> | undefined,
      Record<string, unknown> | undefined,
      PlannedAction | undefined,
    ]
  >([
    ['nothing when neither is there', undefined, undefined, undefined],
    ['nothing when in sync', { role: 'admin' }, { role: 'admin', id: 7 }, undefined],
    [
      'a create when only desired is there',
      { role: 'admin' },
      undefined,
      { action: 'create', key: 'user/alice', kind: 'user', name: 'alice', desired: { role: 'admin' } },
    ],
    [
      'a delete when only observed is there',
      undefined,
      { role: 'guest' },
      { action: 'delete', key: 'user/alice', kind: 'user', name: 'alice', current: { role: 'guest' } },
    ],
    [
      'an update when fields differ',
      { role: 'admin' },
      { role: 'guest' },
      {
        action: 'update',
        key: 'user/alice',
        kind: 'user',
        name: 'alice',
        changes: [{ path: 'role', old: 'guest', new: 'admin' }],
      },
    ],
  ])('plans %s', (_name, desired, observed, expected) => {
    expect(planFor('user/alice', desired, observed)).toEqual(expected);
  });

  it('plans a replace when a replaceOn field differs', () => {
    const action = planFor(
      'files/a/b',
      { path: 'new', mode: 1 },
      { path: 'old', mode: 1 },
      { replaceOn: ['path'] },
    );
    expect(action).toEqual({
      action: 'replace',
      key: 'files/a/b',
      kind: 'files',
      name: 'a/b',
      changes: [{ path: 'path', old: 'old', new: 'new' }],
    });
  });

  it('honours ignore and equals', () => {
    expect(planFor('a/x', { v: 1, t: 1 }, { v: 1, t: 2 }, { ignore: ['t'] })).toBeUndefined();
    expect(planFor('a/x', { v: 1 }, { v: 2 }, { equals: () => true })).toBeUndefined();
  });

  it.each<[string, unknown[], RegExp]>([
    ['a key without a name', ['user', {}, {}], /`key`/],
    ['a key that is not a string', [42, {}, {}], /`key`/],
    ['a desired spec that is an array', ['a/x', [], {}], /`desired`/],
    ['an observed spec that is a string', ['a/x', {}, 'x'], /`observed`/],
    ['options of the wrong type', ['a/x', {}, {}, { ignore: 'x' }], /`options.ignore`/],
  ])('throws a TypeError for %s', (_name, args, message) => {
    const call = () => (planFor as (...a: unknown[]) => unknown)(...args);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });
});

describe('summarize', () => {
  it('counts a replace as one to add and one to destroy, as Terraform does', () => {
    const actions = [
      planFor('a/1', { v: 1 }, undefined),
      planFor('a/2', { v: 1 }, { v: 2 }),
      planFor('a/3', { v: 1 }, { v: 2 }, { replaceOn: ['v'] }),
      planFor('a/4', undefined, { v: 2 }),
    ] as PlannedAction[];
    expect(summarize(actions)).toEqual({ add: 2, change: 1, destroy: 2, adopt: 0 });
  });
});

describe('planOf', () => {
  it('sorts actions by key, without touching the list it was given', () => {
    const actions = [planFor('b/1', {}, undefined), planFor('a/1', undefined, {})] as PlannedAction[];
    const plan = planOf(actions);
    expect(plan.actions.map((a) => a.key)).toEqual(['a/1', 'b/1']);
    expect(actions.map((a) => a.key)).toEqual(['b/1', 'a/1']);
    expect(plan.summary).toEqual({ add: 1, change: 0, destroy: 1, adopt: 0 });
  });

  it('gives the empty plan for no actions', () => {
    expect(planOf([])).toBe(emptyPlan);
    expect(Object.isFrozen(emptyPlan.actions)).toBe(true);
  });
});
