import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../src/contract/resource.js';
import type { Runtime } from '../src/runtime/index.js';
import { desiredResourceArb, userRuntime } from './helpers/desired-arbitraries.js';

/**
 * `setDesired` of an array the caller edits in place (a few resources replaced, the rest the
 * same objects) costs what changed, not the set's size. Whatever the edits, it answers and acts
 * exactly as a whole reading of the same set does.
 */
const NAMES = ['a', 'b', 'c', 'd', 'e'];
const DEPS = ['a', 'b', 'c'];

const resourceArb = desiredResourceArb(NAMES, DEPS, true);

/** An edit: replace the resource at an index (taken modulo the length) by another. */
const editArb = fc.array(fc.record({ at: fc.nat(), with: resourceArb }), { minLength: 0, maxLength: 3 });

const runtime = userRuntime;

const view = (rt: Runtime) => rt.status().map((s) => [s.key, s.generation, s.phase === 'deleting']);

describe('setDesired of an array edited in place', () => {
  it('answers and acts as a whole reading of the same set does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(resourceArb, { minLength: 1, maxLength: 5 }),
        fc.array(editArb, { minLength: 1, maxLength: 6 }),
        async (initial, edits) => {
          const edited = await runtime();
          const whole = await runtime();
          const resources = [...initial];
          for (const edit of [[], ...edits]) {
            for (const { at, with: r } of edit) resources[at % resources.length] = r;
            const a = edited.setDesired(resources);
            // A change through updateDesired makes the next set a whole reading.
            whole.updateDesired({});
            const b = whole.setDesired(resources);
            expect(a.ok).toBe(b.ok);
            if (a.ok && b.ok) expect(a).toEqual(b);
            if (!a.ok && !b.ok) expect(a.errors).toEqual(b.errors);
            expect(view(edited)).toEqual(view(whole));
          }
          await Promise.all([edited.stop(), whole.stop()]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('takes one changed resource of 100,000 without reading the rest again', async () => {
    const rt = await runtime();
    const set: Resource[] = Array.from({ length: 100_000 }, (_, i) => ({
      kind: 'user',
      name: `u${i}`,
      spec: { v: 0 },
    }));
    expect(rt.setDesired(set).ok).toBe(true);
    set[4242] = { kind: 'user', name: 'u4242', spec: { v: 1 } };
    set[99] = { kind: 'user', name: 'renamed', spec: { v: 0 } };
    expect(rt.setDesired(set)).toEqual({ ok: true, added: 1, changed: 1, removed: 1 });
    expect(rt.status('user/u4242')?.generation).toBe(2);
    expect(rt.status('user/renamed')).toBeDefined();
    // A duplicate brought in by an edit is refused, naming both places, as a whole reading does.
    set[7] = { kind: 'user', name: 'u8', spec: { v: 0 } };
    expect(rt.setDesired(set)).toMatchObject({
      ok: false,
      errors: [{ code: 'duplicate-key', key: 'user/u8' }],
    });
    await rt.stop();
  });
});
