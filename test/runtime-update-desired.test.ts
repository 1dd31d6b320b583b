import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../src/contract/resource.js';
import { desiredResourceArb, userRuntime } from './helpers/desired-arbitraries.js';

const NAMES = ['a', 'b', 'c', 'd'];
/** Dependencies come from a smaller pool, so that valid sets, and cycles, are common. */
const DEPS = ['a', 'b', 'c'];

const resourceArb = desiredResourceArb(NAMES, DEPS);

const changeArb = fc.record({
  set: fc.array(resourceArb, { maxLength: 4 }),
  remove: fc.subarray(
    NAMES.map((n) => `user/${n}`),
    { maxLength: 2 },
  ),
});

const runtime = userRuntime;

/** The whole set a change leads to, from the set in force. */
function applied(current: Map<string, Resource>, change: { set: Resource[]; remove: string[] }): Resource[] {
  const next = new Map(current);
  for (const key of change.remove) next.delete(key);
  for (const r of change.set) next.set(`${r.kind}/${r.name}`, r);
  return [...next.values()];
}

describe('updateDesired', () => {
  it('accepts and rejects exactly what setDesired of the resulting whole set would, with the same counts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(changeArb, { minLength: 1, maxLength: 6 }), async (changes) => {
        const partial = await runtime();
        const whole = await runtime();
        let current = new Map<string, Resource>();
        for (const change of changes) {
          const byKey = new Map<string, number>();
          for (const r of change.set)
            byKey.set(`${r.kind}/${r.name}`, (byKey.get(`${r.kind}/${r.name}`) ?? 0) + 1);
          const clash = [...byKey.values()].some((n) => n > 1) || change.remove.some((k) => byKey.has(k));
          const a = partial.updateDesired(change);
          if (clash) {
            // Duplicates within one change have no whole-set equivalent: always refused.
            expect(a.ok).toBe(false);
            continue;
          }
          const next = applied(current, change);
          const b = whole.setDesired(next);
          expect(a.ok).toBe(b.ok);
          if (a.ok && b.ok) {
            expect({ added: a.added, changed: a.changed, removed: a.removed }).toEqual({
              added: b.added,
              changed: b.changed,
              removed: b.removed,
            });
            current = new Map(next.map((r) => [`${r.kind}/${r.name}`, r]));
          }
          expect(partial.status().map((s) => s.key)).toEqual(whole.status().map((s) => s.key));
        }
        await Promise.all([partial.stop(), whole.stop()]);
      }),
      {
        numRuns: 500,
        examples: [
          // Desired again while its delete runs, then the same whole set once more: setDesired
          // counted it as added a second time.
          [
            [
              { set: [{ kind: 'user', name: 'd', spec: { v: 0 } }], remove: [] },
              { set: [], remove: ['user/d'] },
              { set: [{ kind: 'user', name: 'd', spec: { v: 0 } }], remove: [] },
              { set: [], remove: [] },
            ],
          ],
        ],
      },
    );
  });

  it('changes one resource of a large set without looking at the rest', async () => {
    const rt = await runtime();
    const set = Array.from({ length: 5000 }, (_, i) => ({ kind: 'user', name: `u${i}`, spec: { v: 0 } }));
    expect(rt.setDesired(set).ok).toBe(true);
    const result = rt.updateDesired({
      set: [{ kind: 'user', name: 'u42', spec: { v: 1 } }],
      remove: ['user/u7'],
    });
    expect(result).toEqual({ ok: true, added: 0, changed: 1, removed: 1 });
    expect(rt.status('user/u42')?.generation).toBe(2);
    await rt.stop();
  });

  it('names the dependent when a change removes what it depends on', async () => {
    const rt = await runtime();
    rt.setDesired([
      { kind: 'user', name: 'db', spec: {} },
      { kind: 'user', name: 'app', spec: {}, dependsOn: ['user/db'] },
    ]);
    expect(rt.updateDesired({ remove: ['user/db'] })).toMatchObject({
      ok: false,
      errors: [{ code: 'missing-dependency', key: 'user/app' }],
    });
    expect(
      rt.updateDesired({ set: [{ kind: 'user', name: 'db', spec: {}, dependsOn: ['user/app'] }] }),
    ).toMatchObject({ ok: false, errors: [{ code: 'cycle', key: 'user/db' }] });
    await rt.stop();
  });
});
