import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOT_PLAIN, plainCopy } from './plain-copy.js';

function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deeplyFrozen);
}

describe('plainCopy', () => {
  it('is what JSON makes of a value, key order included, whenever it answers; deeply frozen', () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.double(), // with -0, NaN and the infinities
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.date(),
    );
    const value = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(
          fc.oneof(fc.string(), fc.constantFrom('0', '10', '__proto__', 'toJSON')),
          tie('value'),
          {
            maxKeys: 4,
          },
        ),
      ),
    })).value;
    let answered = 0;
    fc.assert(
      fc.property(value, (v) => {
        const copy = plainCopy(v);
        if (copy === NOT_PLAIN) return;
        answered++;
        const text = JSON.stringify(v);
        expect(JSON.stringify(copy)).toBe(text);
        expect(copy).toStrictEqual(JSON.parse(text));
        expect(deeplyFrozen(copy)).toBe(true);
        if (typeof v === 'object' && v !== null) expect(copy).not.toBe(v);
      }),
      { numRuns: 2000 },
    );
    expect(answered).toBeGreaterThan(500); // the fast way is the common one, not a corner
  });

  it('shares strings and drops undefined fields, as JSON would', () => {
    const spec = { image: 'registry/app:1', env: { A: 'a', gone: undefined }, ports: [80, 443], zero: -0 };
    const copy = plainCopy(spec) as typeof spec;
    expect(copy).toStrictEqual({ image: 'registry/app:1', env: { A: 'a' }, ports: [80, 443], zero: 0 });
    expect(Object.is(copy.zero, 0)).toBe(true);
    expect(copy.env).not.toBe(spec.env);
  });

  it('leaves to JSON what has rules of its own', () => {
    for (const v of [
      { at: new Date(0) },
      { n: Number.NaN },
      [1, undefined],
      // biome-ignore lint/suspicious/noSparseArray: a hole is the point
      [1, , 3],
      { f: () => 1 },
      new Map(),
      { toJSON: () => 'x' },
      JSON.parse('{"__proto__": 1}'),
      { big: 1n },
    ]) {
      expect(plainCopy(v)).toBe(NOT_PLAIN);
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(plainCopy(cycle)).toBe(NOT_PLAIN);
  });
});
