import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { specHash } from './spec-hash.js';

/** The same value with every object's keys in a shuffled order. */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => shuffleKeys(item, seed + i));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  const order = keys
    .map((key, i) => ({ key, rank: Math.sin(seed * 9301 + i * 49297) }))
    .sort((a, b) => a.rank - b.rank);
  const out: Record<string, unknown> = {};
  for (const { key } of order) {
    // defineProperty, so that a `__proto__` key stays an ordinary key, as JSON.parse makes it.
    const field = shuffleKeys((value as Record<string, unknown>)[key], seed + 1);
    Object.defineProperty(out, key, { value: field, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const spec = fc.dictionary(fc.string(), fc.jsonValue());

describe('specHash', () => {
  it('is 16 lowercase hex characters', () => {
    expect(specHash({ role: 'admin' })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('does not depend on key order, at any depth', () => {
    fc.assert(
      fc.property(spec, fc.integer(), (value, seed) => {
        expect(specHash(shuffleKeys(value, seed))).toBe(specHash(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('differs exactly when the specs differ as JSON', () => {
    fc.assert(
      fc.property(spec, spec, (a, b) => {
        expect(specHash(a) === specHash(b)).toBe(isDeepStrictEqual(asJson(a), asJson(b)));
      }),
      { numRuns: 1000 },
    );
  });

  it('tells apart specs that differ in one small field', () => {
    fc.assert(
      fc.property(spec, fc.string(), fc.jsonValue(), (value, key, field) => {
        const changed = { ...value, [key]: field };
        fc.pre(!isDeepStrictEqual(asJson(changed), asJson(value)));
        expect(specHash(changed)).not.toBe(specHash(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps array order, which means something', () => {
    expect(specHash({ a: [1, 2] })).not.toBe(specHash({ a: [2, 1] }));
  });

  it('treats undefined fields as absent, as JSON does', () => {
    expect(specHash({ a: 1, b: undefined })).toBe(specHash({ a: 1 }));
  });
});
