import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../time/random.js';
import { exponentialBackoff } from './backoff.js';

describe('decorrelated jitter', () => {
  it('keeps every delay of a chain within [base, min(cap, 3 × the previous actual delay)]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        (baseMs, span, length, seed) => {
          const capMs = baseMs + span;
          const b = exponentialBackoff({ baseMs, capMs, jitter: 'decorrelated', random: seededRandom(seed) });
          let previous: number | undefined;
          for (let n = 0; n < length; n++) {
            const delay = b.delay(n, previous === undefined ? {} : { previousMs: previous });
            const upper = Math.min(capMs, Math.max(baseMs, 3 * (previous ?? baseMs)));
            expect(delay).toBeGreaterThanOrEqual(baseMs);
            expect(delay).toBeLessThanOrEqual(upper);
            previous = delay;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('without a previous delay, draws as for a first retry whatever the attempt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer(), (attempt, seed) => {
        const b = exponentialBackoff({
          baseMs: 100,
          capMs: 60_000,
          jitter: 'decorrelated',
          random: seededRandom(seed),
        });
        const delay = b.delay(attempt);
        expect(delay).toBeGreaterThanOrEqual(100);
        expect(delay).toBeLessThanOrEqual(300);
      }),
      { numRuns: 500 },
    );
  });

  it('still honours a server floor above the chain', () => {
    const b = exponentialBackoff({ baseMs: 100, capMs: 1000, jitter: 'decorrelated', random: () => 0 });
    expect(b.delay(3, { previousMs: 200, floorMs: 5000 })).toBe(5000);
  });
});
