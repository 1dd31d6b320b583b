import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyJitter, JITTER_MODES, type JitterMode } from './jitter.js';

const context = { baseMs: 100, capMs: 10_000, previousMs: 1000 };

describe('applyJitter', () => {
  it.each<[JitterMode, number, number]>([
    ['none', 0, 800],
    ['none', 0.999, 800],
    ['full', 0, 0],
    ['full', 0.5, 400],
    ['full', 0.75, 600],
    ['equal', 0, 400],
    ['equal', 0.5, 600],
    ['equal', 0.75, 700],
    ['decorrelated', 0, 100], // base
    ['decorrelated', 0.5, 1550], // halfway from base to 3·previous
    ['decorrelated', 0.75, 2275],
  ])('%s with random %d turns 800 ms into %d ms', (mode, r, expected) => {
    expect(applyJitter(mode, 800, () => r, context)).toBeCloseTo(expected, 9);
  });

  it('caps decorrelated jitter at the cap, and never goes below the base', () => {
    const almostOne = () => 0.999_999;
    expect(applyJitter('decorrelated', 800, almostOne, { ...context, previousMs: 9000 })).toBeLessThan(
      10_000,
    );
    expect(applyJitter('decorrelated', 800, () => 0, { ...context, previousMs: 1 })).toBe(100);
    expect(applyJitter('decorrelated', 800, almostOne, { ...context, previousMs: 1 })).toBeCloseTo(100, 9);
  });

  it('draws at most one random number per delay', () => {
    for (const mode of JITTER_MODES) {
      let draws = 0;
      const counted = () => {
        draws++;
        return 0.5;
      };
      applyJitter(mode, 800, counted, context);
      expect(draws, mode).toBeLessThanOrEqual(1);
    }
  });

  it('lists every mode once', () => {
    expect([...JITTER_MODES].sort()).toEqual(['decorrelated', 'equal', 'full', 'none']);
  });

  it('keeps each mode within its range for any delay and random draw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...JITTER_MODES),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        (mode, delay, r, baseMs, span, previousMs) => {
          const capMs = baseMs + span;
          const d = applyJitter(mode, delay, () => r, { baseMs, capMs, previousMs });
          const [low, high] = {
            none: [delay, delay],
            full: [0, delay],
            equal: [delay / 2, delay],
            decorrelated: [baseMs, Math.min(capMs, Math.max(baseMs, previousMs * 3))],
          }[mode];
          const slack = 1e-9 + high! * 1e-12; // float rounding only
          expect(d).toBeGreaterThanOrEqual(low! - slack);
          expect(d).toBeLessThanOrEqual(high! + slack);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
