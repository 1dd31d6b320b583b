import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restartBackoff } from './restart-backoff.js';

const fixed = (r: number) => () => r;

describe('restartBackoff', () => {
  it('doubles from minMs and stops at maxMs', () => {
    const b = restartBackoff({ minMs: 100, maxMs: 1000, randomFactor: 0, resetAfterMs: 5000 }, fixed(0.5));
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => b.delay(n))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('adds up to randomFactor of each delay, drawn from the random it was given', () => {
    const b = restartBackoff(
      { minMs: 100, maxMs: 10_000, randomFactor: 0.2, resetAfterMs: 5000 },
      fixed(0.5),
    );
    // 1 + 0.5 * 0.2 = 1.1
    expect([1, 2, 3, 4].map((n) => b.delay(n))).toEqual([110, 220, 440, 880]);
  });

  it('applies the random factor before the cap, so a delay never exceeds maxMs', () => {
    const b = restartBackoff({ minMs: 100, maxMs: 1000, randomFactor: 1, resetAfterMs: 5000 }, fixed(0.99));
    expect(b.delay(4)).toBe(1000); // 800 * 1.99 would be 1592
  });

  it.each([
    ['counts one more when the child crashed soon after its restart', 3, 1000, 1500, 4],
    ['starts over after resetAfterMs without a crash', 3, 1000, 6000, 1],
    ['counts the first crash as 1', 0, 0, 100, 1],
  ])('%s', (_name, consecutive, startedAt, now, expected) => {
    const b = restartBackoff({ minMs: 100, maxMs: 1000, randomFactor: 0, resetAfterMs: 5000 }, fixed(0));
    expect(b.next(consecutive, startedAt, now)).toBe(expected);
  });

  it('stays within [minMs, maxMs] and never shrinks as crashes accumulate (without randomness)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        fc.integer({ min: 1, max: 80 }),
        (minMs, extra, randomFactor, r, n) => {
          const maxMs = minMs + extra;
          const b = restartBackoff({ minMs, maxMs, randomFactor, resetAfterMs: 1 }, fixed(r));
          const d = b.delay(n);
          expect(d).toBeGreaterThanOrEqual(minMs);
          expect(d).toBeLessThanOrEqual(maxMs);
          const plain = restartBackoff({ minMs, maxMs, randomFactor: 0, resetAfterMs: 1 }, fixed(r));
          expect(plain.delay(n + 1)).toBeGreaterThanOrEqual(plain.delay(n));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
