import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyPlan, type Plan, type PlannedAction, planOf } from './plan.js';
import { renderPlan, renderPlanJson } from './render.js';

const create = (key: string, desired: Record<string, unknown>): PlannedAction => {
  const [kind, name] = key.split('/') as [string, string];
  return { action: 'create', key, kind, name, desired };
};
const update = (key: string, ...changes: [string, unknown, unknown][]): PlannedAction => {
  const [kind, name] = key.split('/') as [string, string];
  return {
    action: 'update',
    key,
    kind,
    name,
    changes: changes.map(([path, old, value]) => ({ path, old, new: value })),
  };
};
const replace = (key: string, ...changes: [string, unknown, unknown][]): PlannedAction => ({
  ...(update(key, ...changes) as Extract<PlannedAction, { action: 'update' }>),
  action: 'replace',
});
const remove = (key: string): PlannedAction => {
  const [kind, name] = key.split('/') as [string, string];
  return { action: 'delete', key, kind, name, current: { path: 'x' } };
};
/** A plan holding `actions` in the order given (renderPlan keeps the plan's order). */
const plan = (...actions: PlannedAction[]): Plan => ({ actions, summary: planOf(actions).summary });

describe('renderPlan', () => {
  it('writes the plan in Terraform grammar', () => {
    const text = renderPlan(
      plan(
        create('files/motd', { path: 'motd.txt', content: 'hello\n' }),
        update('files/config', ['mode', '0644', '0600']),
        replace('files/data', ['path', 'a', 'b']),
        remove('files/old'),
      ),
    );
    expect(text).toBe(
      [
        '  + files/motd',
        '      + content: "hello\\n"',
        '      + path: "motd.txt"',
        '',
        '  ~ files/config',
        '      ~ mode: "0644" -> "0600"',
        '',
        '-/+ files/data (replace)',
        '      ~ path: "a" -> "b"',
        '',
        '  - files/old',
        '',
        'Plan: 2 to add, 1 to change, 2 to destroy.',
      ].join('\n'),
    );
  });

  it('says there is nothing to do for an empty plan', () => {
    expect(renderPlan(emptyPlan)).toBe('No changes. The desired state matches the observed state.');
  });

  it.each<[string, PlannedAction, string[]]>([
    [
      'flattens a created spec into sorted dotted paths',
      create('app/web', {
        replicas: 2,
        env: { B: 'b', A: 'a' },
        labels: { 'app.io/name': 'web' },
        ports: [80, 443],
      }),
      [
        '  + app/web',
        '      + env.A: "a"',
        '      + env.B: "b"',
        '      + labels["app.io/name"]: "web"',
        '      + ports: [80,443]',
        '      + replicas: 2',
      ],
    ],
    [
      'writes empty objects and null as values',
      create('a/x', { meta: {}, owner: null }),
      ['  + a/x', '      + meta: {}', '      + owner: null'],
    ],
    [
      'marks a field observed lacks with +, one desired dropped with -',
      update('a/x', ['env.A', undefined, '1'], ['tmp', 'x', undefined]),
      ['  ~ a/x', '      + env.A: "1"', '      - tmp: "x"'],
    ],
    [
      'writes whole values as JSON',
      update('a/x', ['ports', [80], [80, 443]], ['env', 'A=1', { A: '1' }]),
      ['  ~ a/x', '      ~ ports: [80] -> [80,443]', '      ~ env: "A=1" -> {"A":"1"}'],
    ],
    [
      'writes what JSON cannot as JavaScript',
      update('a/x', ['n', Number.NaN, Number.POSITIVE_INFINITY], ['big', 1n, 2n]),
      ['  ~ a/x', '      ~ n: NaN -> Infinity', '      ~ big: 1n -> 2n'],
    ],
    [
      'names a change of the whole spec',
      update('a/x', ['', { v: 1 }, { v: 2 }]),
      ['  ~ a/x', '      ~ (whole spec): {"v":1} -> {"v":2}'],
    ],
    ['quotes a key holding control characters', remove('a/x\u001b[2J'), ['  - "a/x\\u001b[2J"']],
  ])('%s', (_name, action, lines) => {
    const text = renderPlan(plan(action));
    expect(text.split('\n\nPlan:')[0]).toBe(lines.join('\n'));
  });

  it('paints the signs in ANSI colours only when asked', () => {
    const p = plan(
      create('a/x', { v: 1 }),
      update('a/y', ['v', 1, 2]),
      replace('a/z', ['v', 1, 2]),
      remove('a/w'),
    );
    const colored = renderPlan(p, { color: true });
    expect(colored).toContain('  \u001b[32m+\u001b[0m a/x');
    expect(colored).toContain('      \u001b[32m+\u001b[0m v: 1');
    expect(colored).toContain('  \u001b[33m~\u001b[0m a/y');
    expect(colored).toContain('\u001b[31m-\u001b[0m/\u001b[32m+\u001b[0m a/z (replace)');
    expect(colored).toContain('  \u001b[31m-\u001b[0m a/w');
    const ansi = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g');
    expect(colored.replace(ansi, '')).toBe(renderPlan(p));
    expect(renderPlan(p)).not.toContain('\u001b');
  });
});

describe('renderPlanJson', () => {
  it('writes the plan as stable JSON with sorted spec fields', () => {
    const json = renderPlanJson(
      plan(create('a/x', { b: 1, a: { d: 2, c: 3 } }), update('a/y', ['v', undefined, 2])),
    );
    expect(json).toBe(
      JSON.stringify(
        {
          format: 'setpoint-plan/1',
          summary: { add: 1, change: 1, destroy: 0, adopt: 0 },
          actions: [
            { action: 'create', key: 'a/x', kind: 'a', name: 'x', desired: { a: { c: 3, d: 2 }, b: 1 } },
            { action: 'update', key: 'a/y', kind: 'a', name: 'y', changes: [{ path: 'v', new: 2 }] },
          ],
        },
        null,
        2,
      ),
    );
  });

  it('keeps a `__proto__` field as data', () => {
    const desired = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(JSON.parse(renderPlanJson(plan(create('a/x', desired)))).actions[0].desired).toEqual(desired);
  });
});

// Same plan content, however its spec objects were built: same text.
const valueArb = fc.jsonValue({ maxDepth: 3 });
const specArb = fc.dictionary(fc.string({ maxLength: 4 }), valueArb, { maxKeys: 4 });

describe('rendering laws', () => {
  it('is deterministic: a plan and its deep copy render the same, text and JSON', () => {
    const actionArb = fc.oneof(
      fc.tuple(fc.string({ minLength: 1, maxLength: 5 }), specArb).map(([n, s]) => create(`k/${n}`, s)),
      fc
        .tuple(
          fc.string({ minLength: 1, maxLength: 5 }),
          fc.array(fc.tuple(fc.string(), valueArb, valueArb), { maxLength: 3 }),
        )
        .map(([n, cs]) => update(`k/${n}`, ...cs)),
      fc.string({ minLength: 1, maxLength: 5 }).map((n) => remove(`k/${n}`)),
    );
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 6 }), fc.boolean(), (actions, color) => {
        const p = planOf(actions);
        const copy = structuredClone(p);
        expect(renderPlan(copy, { color })).toBe(renderPlan(p, { color }));
        expect(renderPlanJson(copy)).toBe(renderPlanJson(p));
        expect(JSON.parse(renderPlanJson(p)).summary).toEqual(p.summary);
      }),
      { numRuns: 1000 },
    );
  });

  it('lists a created spec the same whatever the order of its fields', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const reversed = Object.fromEntries(Object.entries(spec).reverse());
        expect(renderPlan(plan(create('a/x', reversed)))).toBe(renderPlan(plan(create('a/x', spec))));
      }),
      { numRuns: 1000 },
    );
  });
});
