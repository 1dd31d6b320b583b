/**
 * The check for exercise 10. `npm run exercise -- 10` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../src/diff/apply-changes.js';
import { threeWayChanges as setpointThreeWay } from '../../src/diff/three-way.js';
import { holds } from '../check-helpers.js';

type Impl = typeof import('./solution.js');
const { threeWayChanges }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);
type Spec = import('./solution.js').Spec;
type Value = import('./solution.js').Value;

describe('threeWayChanges', () => {
  it('changes a declared field that differs, and leaves the fields the server set alone', () => {
    expect(
      threeWayChanges({ role: 'dev' }, { role: 'admin' }, { role: 'dev', id: 7 }),
      '`role` differs: change it, from "dev" to "admin". `id` is the server\'s: no change',
    ).toEqual([{ path: 'role', old: 'dev', new: 'admin' }]);
  });

  it('removes a field that was applied last time and is dropped from desired now', () => {
    expect(
      threeWayChanges(
        { role: 'dev', team: 'payments' },
        { role: 'dev' },
        { role: 'dev', team: 'payments', id: 7 },
      ),
      '`team` was applied last time and desired no longer has it: remove it, with new: undefined. ' +
        'A diff of desired against observed never looks at it. Hint: walk the fields of last-applied',
    ).toEqual([{ path: 'team', old: 'payments', new: undefined }]);
  });

  it('leaves alone a field someone else set, which was never applied', () => {
    expect(
      threeWayChanges({ role: 'dev' }, { role: 'dev' }, { role: 'dev', id: 7, team: 'ops' }),
      "`id` (the server's) and `team` (set by hand) were never in last-applied: they are not yours " +
        'to remove. Hint: only a field of last-applied can be removed',
    ).toEqual([]);
  });

  it('changes a field inside a nested object by its dotted path', () => {
    expect(
      threeWayChanges(
        { labels: { tier: 'web' } },
        { labels: { tier: 'api' } },
        { labels: { tier: 'web', costCenter: 'c42' } },
      ),
      "only `labels.tier` differs; `labels.costCenter` is another team's and must stay",
    ).toEqual([{ path: 'labels.tier', old: 'web', new: 'api' }]);
  });

  it('removes a field dropped inside a nested object, not the whole object', () => {
    expect(
      threeWayChanges(
        { labels: { tier: 'web', owner: 'payments' } },
        { labels: { tier: 'web' } },
        { labels: { tier: 'web', owner: 'payments', costCenter: 'c42' } },
      ),
      "`labels.owner` was dropped; `labels.costCenter` is another team's. Remove the one field, not " +
        '`labels`. Hint: where last-applied, desired and observed all hold an object, walk into it',
    ).toEqual([{ path: 'labels.owner', old: 'payments', new: undefined }]);
  });

  it('treats an array as one value: compared whole, changed whole, removed whole', () => {
    expect(
      threeWayChanges({ ports: [80, 443] }, { ports: [80, 443] }, { ports: [80, 443] }),
      'two arrays with the same elements are no change. Hint: `!==` compares arrays by identity, ' +
        'not by content; use `sameValue`',
    ).toEqual([]);
    expect(
      threeWayChanges({ ports: [80, 443] }, { ports: [80] }, { ports: [80, 443] }),
      '443 was dropped from `ports`, but an array is one value: `ports` becomes [80], whole',
    ).toEqual([{ path: 'ports', old: [80, 443], new: [80] }]);
    expect(
      threeWayChanges({ ports: [80] }, {}, { ports: [80] }),
      '`ports` was dropped: remove it whole',
    ).toEqual([{ path: 'ports', old: [80], new: undefined }]);
  });

  it('removes nothing on the first apply, when there is no last-applied', () => {
    expect(
      threeWayChanges(undefined, { role: 'admin' }, { role: 'dev', team: 'ops', id: 7 }),
      'no last-applied: nothing was ever applied to this object (it is new to setpoint, or existed ' +
        'before), so no field desired lacks is yours. Change `role`, remove nothing',
    ).toEqual([{ path: 'role', old: 'dev', new: 'admin' }]);
  });

  it('counts a field desired holds as undefined as one it lacks: dropped if applied, else left alone', () => {
    expect(
      threeWayChanges(
        { role: 'dev', team: 'payments' },
        { role: 'dev', team: undefined },
        {
          role: 'dev',
          team: 'payments',
        },
      ),
      '`team: undefined` in desired is no value to set: `team` is dropped, so it is removed, once. ' +
        'Hint: skip undefined fields in the walk over desired; the removals take care of them',
    ).toEqual([{ path: 'team', old: 'payments', new: undefined }]);
    expect(
      threeWayChanges({ role: 'dev' }, { role: 'dev', team: undefined }, { role: 'dev', team: 'ops' }),
      '`team: undefined` in desired, and `team` never in last-applied: someone else set it, leave it',
    ).toEqual([]);
  });

  it('does nothing for a dropped field that observed no longer holds', () => {
    expect(
      threeWayChanges({ role: 'dev', team: 'payments' }, { role: 'dev' }, { role: 'dev' }),
      '`team` was dropped and is already gone: a removal would change nothing, and the plan would ' +
        'never be empty. Hint: remove only what observed still holds',
    ).toEqual([]);
    expect(
      threeWayChanges({ labels: { owner: 'payments' } }, { labels: {} }, { labels: {} }),
      '`labels.owner` was dropped and is already gone',
    ).toEqual([]);
  });

  it("lists the declared changes first, in desired's order, then the removals, in last-applied's", () => {
    const changes = threeWayChanges(
      { team: 'payments', role: 'dev', labels: { owner: 'payments', tier: 'web' } },
      { labels: { tier: 'api' }, role: 'admin' },
      { role: 'dev', team: 'payments', labels: { owner: 'payments', tier: 'web' } },
    );
    const wanted = ['labels.tier', 'role', 'team', 'labels.owner'];
    const paths = changes.map((c) => c.path);
    expect(
      [...paths].sort(),
      'changes are missing or extra here (the checks above say which); the order is checked once they are right',
    ).toEqual([...wanted].sort());
    expect(
      paths,
      'the same input must always give the same plan. Hint: the walk over desired, then the walk ' +
        'over last-applied',
    ).toEqual(wanted);
  });
});

// Random last-applied, desired and observed specs, built field by field so that the three
// often agree, overlap and nest together: a field of each spec is absent, shares one value
// with the others, or holds a value of its own.

const FIELDS = ['a', 'b', 'c'] as const;
/** A field the spec does not have. */
const NONE = Symbol('none');
type Side = Value | undefined | typeof NONE;
type Slot = readonly [Side, Side, Side]; // last-applied, desired, observed

interface Three {
  readonly lastApplied: Spec | undefined;
  readonly desired: Spec;
  readonly observed: Spec;
}

interface Shape {
  /** Arrays among the values. */
  readonly arrays: boolean;
  /** Fields desired holds as `undefined`. */
  readonly undefinedInDesired: boolean;
}

function threeSpecs(shape: Shape): fc.Arbitrary<Three> {
  const leaf: fc.Arbitrary<Value> = fc.oneof(
    fc.constantFrom('x', 'y'),
    fc.constantFrom(1, 2),
    fc.constant(null),
    ...(shape.arrays ? [fc.array(fc.constantFrom('x', 'y'), { maxLength: 2 })] : []),
  );
  // What each side holds: nothing, the value they share, or a value of its own.
  const choice = fc.constantFrom('none', 'shared', 'own');
  const desiredChoice = shape.undefinedInDesired
    ? fc.constantFrom('none', 'shared', 'own', 'undefined')
    : choice;
  const pick = (c: string, shared: Side, own: Value): Side =>
    c === 'none' ? NONE : c === 'shared' ? shared : c === 'undefined' ? undefined : own;

  const leafSlot: fc.Arbitrary<Slot> = fc
    .tuple(leaf, leaf, leaf, leaf, choice, desiredChoice, choice)
    .map(([shared, l, d, o, cl, cd, co]) => [pick(cl, shared, l), pick(cd, shared, d), pick(co, shared, o)]);

  const slot = (depth: number): fc.Arbitrary<Slot> => {
    if (depth === 0) return leafSlot;
    // Nested objects, one per side, each made of the same fields: here the three meet, so
    // each side mostly takes its object ('shared' here picks the side's own nested object).
    const objectChoice = (...others: string[]) =>
      fc.constantFrom('none', 'shared', 'shared', 'shared', 'own', ...others);
    const nested = fc
      .tuple(
        specsOf(depth - 1),
        leaf,
        objectChoice(),
        objectChoice(...(shape.undefinedInDesired ? ['undefined'] : [])),
        objectChoice(),
      )
      .map(
        ([inner, own, cl, cd, co]): Slot => [
          pick(cl, inner[0], own),
          pick(cd, inner[1], own),
          pick(co, inner[2], own),
        ],
      );
    // Failures shrink toward plain fields: the smallest input found is one a reader can follow.
    return fc.oneof({ withCrossShrink: true }, leafSlot, nested);
  };

  const specsOf = (depth: number): fc.Arbitrary<readonly [Spec, Spec, Spec]> =>
    fc.tuple(...FIELDS.map(() => slot(depth))).map((slots) => {
      const specs: [
        Record<string, Value | undefined>,
        Record<string, Value | undefined>,
        Record<string, Value | undefined>,
      ] = [{}, {}, {}];
      slots.forEach((s, i) => {
        for (const side of [0, 1, 2] as const) {
          const value = s[side];
          if (value !== NONE) specs[side][FIELDS[i]!] = value;
        }
      });
      return specs;
    });

  return fc
    .tuple(
      specsOf(2),
      fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
    )
    .map(([[lastApplied, desired, observed], firstApply]) => ({
      lastApplied: firstApply ? undefined : lastApplied,
      desired,
      observed,
    }));
}

function isObject(value: Value | undefined): value is Spec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const fieldOf = (spec: Spec | undefined, field: string): Value | undefined =>
  spec !== undefined && Object.hasOwn(spec, field) ? spec[field] : undefined;

const join = (path: string, field: string) => (path === '' ? field : `${path}.${field}`);

/** The paths of `desired`'s fields that `result` does not match. */
function unmatched(desired: Spec, result: Spec, path = '', out: string[] = []): string[] {
  for (const field of Object.keys(desired)) {
    const want = fieldOf(desired, field);
    const have = fieldOf(result, field);
    if (want === undefined) continue;
    if (isObject(want) && isObject(have)) unmatched(want, have, join(path, field), out);
    else if (isObject(want) || !isDeepStrictEqual(want, have)) out.push(join(path, field));
  }
  return out;
}

/** The paths of dropped fields (last-applied set them, desired has them no more) that `result` holds. */
function stillThere(lastApplied: Spec, desired: Spec, result: Spec, path = '', out: string[] = []): string[] {
  for (const field of Object.keys(lastApplied)) {
    const was = fieldOf(lastApplied, field);
    const want = fieldOf(desired, field);
    const have = fieldOf(result, field);
    if (want === undefined) {
      if (have !== undefined) out.push(join(path, field));
    } else if (isObject(was) && isObject(want) && isObject(have)) {
      stillThere(was, want, have, join(path, field), out);
    }
  }
  return out;
}

/**
 * The paths of `observed`'s fields that are neither desired's nor dropped, and that `result`
 * lost or changed.
 */
function lost(
  lastApplied: Spec | undefined,
  desired: Spec,
  observed: Spec,
  result: Spec,
  path = '',
  out: string[] = [],
): string[] {
  for (const field of Object.keys(observed)) {
    const had = fieldOf(observed, field);
    const want = fieldOf(desired, field);
    const have = fieldOf(result, field);
    if (had === undefined) continue;
    if (want === undefined) {
      const dropped = fieldOf(lastApplied, field) !== undefined;
      if (!dropped && !isDeepStrictEqual(had, have)) out.push(join(path, field));
    } else if (isObject(want) && isObject(had) && isObject(have)) {
      const was = fieldOf(lastApplied, field);
      lost(isObject(was) ? was : undefined, want, had, have, join(path, field), out);
    }
  }
  return out;
}

/** `observed` with `changes` applied, as setpoint's memory provider applies an update. */
const apply = (observed: Spec, changes: ReturnType<typeof threeWayChanges>) =>
  applyChanges(observed, changes) as Spec;

/** `desired` as it is recorded once applied: fields held as `undefined` are not kept. */
const recorded = (desired: Spec): Spec => JSON.parse(JSON.stringify(desired)) as Spec;

/** Fail with `message` when `paths` is not empty (`expect` only then: it is slow, 1,000 times over). */
function none(paths: readonly string[], message: string): void {
  if (paths.length > 0) expect(paths, message).toEqual([]);
}

/** Fail when `actual` is not `expected`, showing both. */
function same(actual: unknown, expected: unknown, message?: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, message).toEqual(expected);
}

describe('threeWayChanges, on 1,000 random inputs', () => {
  it('keeps the law: applied to observed, the changes give what desired holds, drop what it dropped, and keep the rest', () => {
    holds(
      'applying your changes to observed broke the law for this input; the line below says how',
      fc.property(threeSpecs({ arrays: true, undefinedInDesired: true }), (t) => {
        const result = apply(t.observed, threeWayChanges(t.lastApplied, t.desired, t.observed));
        none(
          unmatched(t.desired, result),
          'fields of desired that the result does not match: a change is missing, or sets the wrong value',
        );
        if (t.lastApplied !== undefined) {
          none(
            stillThere(t.lastApplied, t.desired, result),
            'dropped fields (in last-applied, not in desired) that the result still holds: a removal is missing',
          );
        }
        none(
          lost(t.lastApplied, t.desired, t.observed, result),
          'fields of observed that were never yours, which the result lost or changed: leave them alone',
        );
      }),
    );
  });

  it('leaves nothing to do on the next pass', () => {
    holds(
      'after your changes were applied, and desired recorded as last-applied, a second pass still ' +
        'found changes: every pass would change something again',
      fc.property(threeSpecs({ arrays: true, undefinedInDesired: true }), (t) => {
        const result = apply(t.observed, threeWayChanges(t.lastApplied, t.desired, t.observed));
        same(threeWayChanges(recorded(t.desired), t.desired, result), []);
      }),
    );
  });

  it("agrees with setpoint's own threeWayChanges (on specs without arrays)", () => {
    // Arrays are left out here: setpoint's own function compares two arrays of one length
    // element by element (`ports[1]`), which this exercise does not ask for. So are fields
    // desired holds as `undefined`: setpoint's own function also removes one that last-applied
    // never set, where this exercise leaves it to its owner. The tests above cover both.
    holds(
      'your changes differ from the reference changes for this input (check the order too)',
      fc.property(threeSpecs({ arrays: false, undefinedInDesired: false }), (t) => {
        same(
          threeWayChanges(t.lastApplied, t.desired, t.observed),
          setpointThreeWay(t.lastApplied, t.desired, t.observed),
        );
      }),
    );
  });
});
