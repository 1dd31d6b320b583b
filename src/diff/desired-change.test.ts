import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../contract/resource.js';
import { type DesiredChange, type DesiredView, validateDesiredChange } from './desired-change.js';
import { validateDesiredSet } from './desired-set.js';
import { dependentsOf } from './graph.js';
import type { DesiredSetError } from './rules.js';

const KINDS = new Set(['db']);
/** A small pool of names, so that changes often touch what is in force, and cycles are common. */
const NAMES = ['a', 'b', 'c', 'd', 'e'];
const KEYS = NAMES.map((n) => `db/${n}`);

/** A set that keeps the rules, as every set in force does: each depends only on earlier ones. */
const inForceArb: fc.Arbitrary<Resource[]> = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 2, maxLength: NAMES.length })
  .chain((names) =>
    fc
      .tuple(...names.map((_, i) => fc.subarray(names.slice(0, i), { maxLength: Math.min(3, i) })))
      .map((deps) =>
        names.map((name, i) => ({
          kind: 'db',
          name,
          spec: { v: 0 },
          ...((deps[i] ?? []).length > 0 ? { dependsOn: (deps[i] ?? []).map((d) => `db/${d}`) } : {}),
        })),
      ),
  );

/**
 * A resource of a change: mostly one in force, depending on others in force (so that cycles
 * are common); now and then one that breaks a shape rule.
 */
function resourceArb(inForce: readonly string[]): fc.Arbitrary<Resource> {
  const keys = inForce.map((n) => `db/${n}`);
  const sound = fc
    .record({
      name: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...inForce) }, fc.constantFrom(...NAMES, 'f')),
      kind: fc.oneof({ weight: 15, arbitrary: fc.constant('db') }, fc.constant('nope')),
      spec: fc.oneof({ weight: 15, arbitrary: fc.constant<unknown>({ v: 1 }) }, fc.constant<unknown>('bad')),
      deps: fc.oneof(
        { weight: 20, arbitrary: fc.subarray(keys, { maxLength: 2 }) },
        { weight: 5, arbitrary: fc.subarray([...KEYS, 'db/f'], { maxLength: 2 }) },
        fc.constant<unknown>('db/a'),
      ),
    })
    .map(({ name, kind, spec, deps }) => ({
      kind,
      name,
      spec: spec as Resource['spec'],
      ...(Array.isArray(deps) && deps.length === 0 ? {} : { dependsOn: deps as string[] }),
    }));
  return fc.oneof(
    { weight: 30, arbitrary: sound },
    fc.constant({ kind: 'db', spec: {} } as unknown as Resource),
  );
}

/** A set in force and a change to it. */
const caseArb: fc.Arbitrary<[Resource[], DesiredChange]> = inForceArb.chain((inForce) =>
  fc.tuple(
    fc.constant(inForce),
    fc.record({
      set: fc.array(resourceArb(inForce.map((r) => r.name)), { maxLength: 3 }),
      remove: fc.subarray([...KEYS, 'db/f'], { maxLength: 2 }),
    }),
  ),
);

function viewOf(inForce: readonly Resource[]): DesiredView {
  const byKey = new Map(inForce.map((r) => [`${r.kind}/${r.name}`, r]));
  const dependents = dependentsOf(inForce);
  return { current: (key) => byKey.get(key), dependents: (key) => dependents.get(key) ?? [] };
}

/** The whole set a change leads to. */
function applied(inForce: readonly Resource[], change: DesiredChange): Resource[] {
  const next = new Map(inForce.map((r) => [`${r.kind}/${r.name}`, r]));
  for (const key of change.remove ?? []) next.delete(key);
  for (const r of change.set ?? []) next.set(`${r.kind}/${r.name}`, r);
  return [...next.values()];
}

/** A key set twice by one change, or both set and removed: no whole set says that. */
function clashes(change: DesiredChange): boolean {
  const keys = (change.set ?? []).map((r) => `${r.kind}/${r.name}`);
  return new Set(keys).size < keys.length || (change.remove ?? []).some((key) => keys.includes(key));
}

/** What is found about the dependencies, the same whichever check finds it. */
function dependencyFindings(errors: readonly DesiredSetError[]): string[] {
  return errors
    .map((e) =>
      e.code === 'cycle'
        ? e.message
        : e.code === 'self-dependency' || e.code === 'missing-dependency'
          ? `${e.code} ${e.key}`
          : '',
    )
    .filter((finding) => finding !== '')
    .sort();
}

describe('validateDesiredChange', () => {
  it('accepts a change exactly when the whole set it leads to is accepted, and finds the same dependency problems', () => {
    fc.assert(
      fc.property(caseArb, ([inForce, change]) => {
        expect(validateDesiredSet(inForce, KINDS).ok).toBe(true);
        const partial = validateDesiredChange(change, viewOf(inForce), KINDS);
        if (clashes(change)) {
          expect(partial.ok).toBe(false);
          return;
        }
        const whole = validateDesiredSet(applied(inForce, change), KINDS);
        expect(partial.ok).toBe(whole.ok);
        if (partial.ok || whole.ok) return;
        // A resource of the change whose spec is broken drops out of the whole set's graph,
        // while the change still sees the one in force: their graphs differ, not their verdicts.
        if (whole.errors.some((e) => e.code === 'invalid-spec')) return;
        expect(dependencyFindings(partial.errors)).toEqual(dependencyFindings(whole.errors));
        const setKeys = (change.set ?? []).map((r) => `${r.kind}/${r.name}`);
        for (const e of partial.errors) if (e.code === 'cycle') expect(setKeys).toContain(e.key);
      }),
      { numRuns: 3000 },
    );
  });
});
