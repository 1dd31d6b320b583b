import { describe, expect, it } from 'vitest';
import type { Resource } from '../contract/resource.js';
import { type DesiredChange, type DesiredView, validateDesiredChange } from './desired-change.js';
import { validateDesiredSet } from './desired-set.js';
import { dependentsOf } from './graph.js';
import { type DesiredSetError, EMPTY_SET, RULES } from './rules.js';

const KINDS = new Set(['app', 'db']);

/** `res('app/web', 'db/main')`: a resource with its dependencies. */
function res(key: string, ...dependsOn: string[]): Resource {
  const [kind, name] = key.split('/') as [string, string];
  return { kind, name, spec: {}, ...(dependsOn.length > 0 ? { dependsOn } : {}) };
}

function viewOf(inForce: readonly Resource[]): DesiredView {
  const byKey = new Map(inForce.map((r) => [`${r.kind}/${r.name}`, r]));
  const dependents = dependentsOf(inForce);
  return { current: (key) => byKey.get(key), dependents: (key) => dependents.get(key) ?? [] };
}

/** The whole set `change` leads to: what stays in force, in order, then what the change sets. */
function applied(inForce: readonly Resource[], change: DesiredChange): Resource[] {
  const setKeys = new Set((change.set ?? []).map((r) => `${r.kind}/${r.name}`));
  const gone = new Set(change.remove ?? []);
  const kept = inForce.filter((r) => !gone.has(`${r.kind}/${r.name}`) && !setKeys.has(`${r.kind}/${r.name}`));
  return [...kept, ...(change.set ?? [])];
}

function errorsOf(result: { ok: true } | { ok: false; errors: DesiredSetError[] }): DesiredSetError[] {
  return result.ok ? [] : result.errors;
}

interface Row {
  /** The set in force. */
  readonly inForce: readonly Resource[];
  readonly change: DesiredChange;
  /** What checking the change against the set in force finds. */
  readonly breach: DesiredSetError;
  /** What checking the whole set it leads to finds, where that differs; `null`: nothing to check. */
  readonly whole?: DesiredSetError | null;
}

const table: [keyof typeof RULES, Row][] = [
  [
    'wellFormed',
    {
      inForce: [],
      change: { set: [{ kind: 'app', spec: {} } as unknown as Resource] },
      breach: {
        code: 'invalid-resource',
        key: '[0]',
        message:
          '[0]: a resource needs a non-empty string `kind` and `name`, got kind `"app"` (string) and name `undefined` (undefined)',
      },
    },
  ],
  [
    'policyValue',
    {
      inForce: [],
      change: { set: [{ kind: 'app', name: 'web', spec: {}, policy: { intervalMs: 0 } }] },
      breach: {
        code: 'invalid-resource',
        key: 'app/web',
        message: 'app/web: `policy.intervalMs` must be a finite number ≥ 100, got `0` (number)',
      },
    },
  ],
  [
    'specObject',
    {
      inForce: [],
      change: { set: [{ kind: 'app', name: 'web', spec: 'big' } as unknown as Resource] },
      breach: {
        code: 'invalid-spec',
        key: 'app/web',
        message: 'app/web: `spec` must be an object like { replicas: 3 }, got `"big"` (string)',
      },
    },
  ],
  [
    'uniqueKey',
    {
      inForce: [],
      change: { set: [res('app/web'), res('app/web')] },
      breach: {
        code: 'duplicate-key',
        key: 'app/web',
        message: 'app/web: the key appears more than once (at [0] and [1])',
      },
    },
  ],
  [
    'uniqueKey',
    {
      inForce: [res('app/web')],
      change: { set: [res('app/web')], remove: ['app/web'] },
      breach: {
        code: 'duplicate-key',
        key: 'app/web',
        message: 'app/web: the key appears more than once (in both `set` and `remove`)',
      },
      whole: null, // a whole set has no removals
    },
  ],
  [
    'knownKind',
    {
      inForce: [],
      change: { set: [res('cache/hot')] },
      breach: {
        code: 'unknown-kind',
        key: 'cache/hot',
        message: 'cache/hot: no provider for kind `cache` (known: app, db)',
      },
    },
  ],
  [
    'dependsOnList',
    {
      inForce: [res('db/main')],
      change: { set: [{ ...res('app/web'), dependsOn: 'db/main' as never }] },
      breach: {
        code: 'invalid-resource',
        key: 'app/web',
        message: 'app/web: `dependsOn` must be an array of keys like [\'db/main\'], got `"db/main"` (string)',
      },
    },
  ],
  [
    'noSelfDependency',
    {
      inForce: [],
      change: { set: [res('app/web', 'app/web')] },
      breach: { code: 'self-dependency', key: 'app/web', message: 'app/web: depends on itself' },
    },
  ],
  [
    'dependencyDeclared',
    {
      inForce: [res('db/main')],
      change: { set: [res('app/web', 'db/replica')] },
      breach: {
        code: 'missing-dependency',
        key: 'app/web',
        message: 'app/web: depends on db/replica, which is not declared',
      },
    },
  ],
  [
    'noOrphan',
    {
      inForce: [res('db/main'), res('app/web', 'db/main')],
      change: { remove: ['db/main'] },
      breach: {
        code: 'missing-dependency',
        key: 'app/web',
        message: 'app/web: depends on db/main, which the change removes',
      },
      whole: {
        code: 'missing-dependency',
        key: 'app/web',
        message: 'app/web: depends on db/main, which is not declared',
      },
    },
  ],
  [
    'acyclic',
    {
      inForce: [res('db/a'), res('db/b', 'db/a')],
      change: { set: [res('db/a', 'db/b')] },
      breach: { code: 'cycle', key: 'db/a', message: 'dependency cycle: db/a -> db/b -> db/a' },
    },
  ],
  [
    'acyclic',
    {
      inForce: [res('db/a'), res('db/b', 'db/a'), res('db/c', 'db/d'), res('db/d', 'db/a')],
      change: { set: [res('db/a', 'db/b', 'db/c')] },
      breach: {
        code: 'cycle',
        key: 'db/a',
        message: 'dependency cycle: db/a -> db/b -> db/a (also caught in it: db/c, db/d)',
      },
    },
  ],
];

describe('the rules of a desired set', () => {
  it.each(table)('%s: a change that breaks it gets its code and message', (rule, row) => {
    expect(RULES[rule].code).toBe(row.breach.code);
    expect(errorsOf(validateDesiredChange(row.change, viewOf(row.inForce), KINDS))).toEqual([row.breach]);
  });

  it.each(table.filter(([, row]) => row.whole !== null))(
    '%s: the whole set the change leads to gets the same words',
    (_rule, row) => {
      const whole = validateDesiredSet(applied(row.inForce, row.change), KINDS);
      expect(errorsOf(whole)).toEqual([row.whole ?? row.breach]);
    },
  );

  it('every rule has a row, but notEmpty, which the runtime checks with its store', () => {
    const covered = new Set(table.map(([rule]) => rule));
    expect(Object.keys(RULES).filter((rule) => !covered.has(rule as keyof typeof RULES))).toEqual([
      'notEmpty',
    ]);
  });

  it('policyValue: every field the runtime could not run is named, all at once', () => {
    const policy = { maxRetries: 1.5, progressDeadlineMs: -1, drift: 'sometimes', rollback: 'yes' };
    const result = validateDesiredSet([{ kind: 'app', name: 'web', spec: {}, policy } as never], KINDS);
    expect(errorsOf(result).map((e) => e.message)).toEqual([
      'app/web: `policy.maxRetries` must be an integer ≥ 0, got `1.5` (number)',
      'app/web: `policy.progressDeadlineMs` must be a finite number ≥ 1, got `-1` (number)',
      "app/web: `policy.drift` must be 'enforce', 'alert' or 'ignore', got `\"sometimes\"` (string)",
      'app/web: `policy.rollback` must be a boolean, got `"yes"` (string)',
    ]);
    const fine = { intervalMs: 100, maxRetries: 0, drift: 'alert', rollback: true } as const;
    expect(validateDesiredSet([{ kind: 'app', name: 'web', spec: {}, policy: fine }], KINDS).ok).toBe(true);
    const notObject = validateDesiredSet([{ kind: 'app', name: 'web', spec: {}, policy: 5 } as never], KINDS);
    expect(errorsOf(notObject)[0]?.message).toMatch(/`policy` must be an object/);
  });

  it('notEmpty: refuses the set as a whole', () => {
    expect(RULES.notEmpty.code).toBe('empty-set');
    expect(EMPTY_SET).toEqual({
      code: 'empty-set',
      key: '*',
      message:
        'the desired set is empty and would delete every managed resource; pass allowEmpty: true if that is really meant',
    });
  });
});
