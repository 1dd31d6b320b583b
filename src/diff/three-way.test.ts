import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChanges, compareSpec, NO_CHANGES } from './compare.js';
import { mayDropFields, threeWayChanges } from './three-way.js';

type Spec = Record<string, unknown>;

const leaf = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('a', 'b'), fc.boolean());
const keys = fc.constantFrom('a', 'b', 'c', 'd');
const spec: fc.Arbitrary<Spec> = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.dictionary(keys, fc.oneof({ depthSize: 'small' }, leaf, tie('spec')), { maxKeys: 3 }),
})).spec;
/** Specs whose fields may be held as `undefined`, which counts as absent. */
const specWithHoles: fc.Arbitrary<Spec> = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.dictionary(keys, fc.oneof({ depthSize: 'small' }, leaf, fc.constant(undefined), tie('spec')), {
    maxKeys: 3,
  }),
})).spec;

/** Keys that `a` has (with a value) and `b` lacks, as paths, walking objects both sides hold. */
function dropped(a: Spec, b: Spec, prefix = ''): string[] {
  const out: string[] = [];
  for (const key of Object.keys(a)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (b[key] === undefined) out.push(path);
    else if (isRecord(a[key]) && isRecord(b[key])) out.push(...dropped(a[key], b[key], path));
  }
  return out;
}

function at(value: unknown, path: string): unknown {
  let here = value;
  for (const key of path.split('.')) {
    if (!isRecord(here) || !Object.hasOwn(here, key)) return undefined;
    here = here[key];
  }
  return here;
}

function isRecord(value: unknown): value is Spec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

describe('threeWayChanges', () => {
  it('removes what setpoint set and the spec dropped, and leaves what others set', () => {
    expect(
      threeWayChanges(
        { role: 'dev', team: 'a', env: { A: '1', B: '2' } },
        { role: 'dev', env: { A: '1' } },
        { role: 'dev', team: 'a', env: { A: '1', B: '2', C: '3' }, id: 7 },
      ),
    ).toEqual([
      { path: 'team', old: 'a', new: undefined },
      { path: 'env.B', old: '2', new: undefined },
    ]);
  });

  it('removes nothing already gone, nothing ignored or kept, and allocates nothing when nothing was dropped', () => {
    expect(threeWayChanges({ team: 'a' }, {}, { id: 7 })).toBe(NO_CHANGES);
    expect(
      threeWayChanges(
        { team: 'a', mode: 1 },
        {},
        { team: 'a', mode: 1 },
        { ignore: ['team'], keep: ['mode'] },
      ),
    ).toBe(NO_CHANGES);
    const desired = { role: 'dev' };
    expect(threeWayChanges({ role: 'ops' }, desired, { role: 'dev', x: 1 })).toBe(NO_CHANGES);
    expect(threeWayChanges(desired, desired, { role: 'dev', x: 1 })).toBe(NO_CHANGES);
  });

  it('applied to observed: every desired field, none of the dropped ones, every other field untouched', () => {
    fc.assert(
      fc.property(spec, spec, spec, (lastApplied, desired, observed) => {
        const changes = threeWayChanges(lastApplied, desired, observed);
        const after = applyChanges(observed, changes);
        expect(compareSpec(desired, after)).toEqual([]);
        const gone = dropped(lastApplied, desired);
        for (const path of gone) expect(at(after, path)).toBeUndefined();
        // A field neither desired nor dropped keeps its observed value.
        for (const path of dropped(observed, desired)) {
          if (!gone.some((g) => path === g || path.startsWith(`${g}.`))) {
            expect(at(after, path)).toEqual(at(observed, path));
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent: once applied, there is nothing left to change', () => {
    fc.assert(
      fc.property(spec, spec, spec, (lastApplied, desired, observed) => {
        const after = applyChanges(observed, threeWayChanges(lastApplied, desired, observed));
        expect(threeWayChanges(lastApplied, desired, after)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('finds no removal, whatever is observed, where mayDropFields says none can be (the tick skips it)', () => {
    fc.assert(
      fc.property(spec, spec, spec, (lastApplied, desired, observed) => {
        const removals = threeWayChanges(lastApplied, desired, observed).filter((c) => c.new === undefined);
        if (!mayDropFields(lastApplied, desired)) expect(removals).toEqual([]);
        expect(mayDropFields(lastApplied, desired)).toBe(dropped(lastApplied, desired).length > 0);
      }),
    );
  });

  it('lists a field desired holds as undefined once, though both parts of the diff find it', () => {
    expect(
      threeWayChanges(
        { role: 'dev', team: 'a' },
        { role: 'dev', team: undefined },
        { role: 'dev', team: 'a' },
      ),
    ).toEqual([{ path: 'team', old: 'a', new: undefined }]);
    fc.assert(
      fc.property(specWithHoles, specWithHoles, specWithHoles, (lastApplied, desired, observed) => {
        const paths = threeWayChanges(lastApplied, desired, observed).map((c) => c.path);
        expect(new Set(paths).size).toBe(paths.length);
      }),
    );
  });
});
