/**
 * The check for exercise 01. `npm run exercise -- 01` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/contract/resource.js';
import { diff } from '../../src/diff/diff.js';
import { holds } from '../check-helpers.js';

type Impl = typeof import('./solution.js');
const { diffSpecs }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);
type Spec = import('./solution.js').Spec;

describe('diffSpecs', () => {
  it('creates what is desired and does not exist', () => {
    expect(diffSpecs({ alice: { role: 'admin' } }, {}), 'alice is desired and absent: create her').toEqual([
      { action: 'create', name: 'alice', spec: { role: 'admin' } },
    ]);
  });

  it('deletes what exists and is no longer desired', () => {
    expect(
      diffSpecs({}, { bob: { role: 'dev' } }),
      'bob exists but is not desired. Hint: after the loop over desired, loop over observed',
    ).toEqual([{ action: 'delete', name: 'bob' }]);
  });

  it('updates only the fields that differ, naming each with its old and new value', () => {
    expect(
      diffSpecs(
        { alice: { role: 'admin', shell: 'zsh', uid: 7 } },
        { alice: { role: 'dev', shell: 'zsh', uid: 7 } },
      ),
      'only `role` differs, so the update lists only `role`, from "dev" to "admin"',
    ).toEqual([{ action: 'update', name: 'alice', changes: [{ field: 'role', from: 'dev', to: 'admin' }] }]);
  });

  it('lists a field the observed object lacks as a change from undefined', () => {
    expect(diffSpecs({ alice: { role: 'admin', shell: 'zsh' } }, { alice: { role: 'admin' } })).toEqual([
      { action: 'update', name: 'alice', changes: [{ field: 'shell', from: undefined, to: 'zsh' }] },
    ]);
  });

  it('ignores fields that only the server sets, such as an id or a timestamp', () => {
    expect(
      diffSpecs(
        { alice: { role: 'admin' } },
        { alice: { role: 'admin', id: 1001, createdAt: '2024-05-01' } },
      ),
      'desired says nothing about id or createdAt, so they are no difference. ' +
        'Hint: compare field by field over the fields of desired, not whole objects',
    ).toEqual([]);
  });

  it('returns no action at all for a world already in its desired state', () => {
    const world = { alice: { role: 'admin' }, bob: { role: 'dev' } };
    expect(diffSpecs(world, world), 'nothing differs: the plan must be empty').toEqual([]);
  });

  it('sorts the actions by name, whatever the order of the input', () => {
    const plan = diffSpecs(
      { carol: { a: 1 }, alice: { a: 1 }, bob: { a: 2 } },
      { bob: { a: 1 }, dave: { a: 1 } },
    );
    expect(
      plan.map((a) => `${a.action} ${a.name}`),
      'the same input must always give the same plan. Hint: sort by name at the end',
    ).toEqual(['create alice', 'update bob', 'create carol', 'delete dave']);
  });
});

// Small names and fields on purpose: collisions between desired and observed are common.
const value = fc.oneof(
  fc.constantFrom('a', 'b', ''),
  fc.integer({ min: -2, max: 2 }),
  fc.boolean(),
  fc.constant(null),
);
const spec = fc.dictionary(fc.constantFrom('role', 'shell', 'uid', 'id', 'home'), value, { maxKeys: 4 });
const world = fc.dictionary(fc.constantFrom('alice', 'bob', 'carol', 'dave', 'erin'), spec, { maxKeys: 5 });

const asResources = (specs: Record<string, Spec>): Resource[] =>
  Object.entries(specs).map(([name, s]) => ({ kind: 'user', name, spec: s }));

/** Do what the plan says to `observed`: the world after applying it. */
function applyPlan(observed: Record<string, Spec>, plan: readonly ReturnType<typeof diffSpecs>[number][]) {
  const next: Record<string, Spec> = structuredClone(observed);
  for (const action of plan) {
    if (action.action === 'create') next[action.name] = { ...action.spec };
    else if (action.action === 'delete') delete next[action.name];
    else for (const change of action.changes) next[action.name]![change.field] = change.to;
  }
  return next;
}

describe('diffSpecs, on 1,000 random worlds', () => {
  it("agrees with setpoint's own diff", () => {
    holds(
      'your plan differs from the reference plan for these two worlds (desired, observed)',
      fc.property(world, world, (desired, observed) => {
        const result = diff(asResources(desired), asResources(observed));
        if (!result.ok) throw new Error(result.errors[0]!.message);
        const expected = result.value.actions.map((a) => {
          if (a.action === 'create') return { action: 'create', name: a.name, spec: a.desired };
          if (a.action === 'delete') return { action: 'delete', name: a.name };
          const changes = a.action === 'update' ? a.changes : [];
          return {
            action: 'update',
            name: a.name,
            changes: changes.map((c) => ({ field: c.path, from: c.old, to: c.new })),
          };
        });
        expect(diffSpecs(desired, observed)).toEqual(expected);
      }),
    );
  });

  it('brings the world to its desired state: after applying the plan, a second diff is empty', () => {
    holds(
      'applying your plan to observed did not converge: a second diff still finds something to do',
      fc.property(world, world, (desired, observed) => {
        const after = applyPlan(observed, diffSpecs(desired, observed));
        expect(diffSpecs(desired, after)).toEqual([]);
      }),
    );
  });
});
