import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Random, seededRandom } from '../time/random.js';
import { type Backoff, type BackoffOptions, exponentialBackoff } from './backoff.js';
import { JITTER_MODES } from './jitter.js';

/** Assert the delays for attempts 0, 1, 2, … in one line, as a table. */
function expectDelays(backoff: Backoff, expected: readonly number[]): void {
  expect(expected.map((_, attempt) => backoff.delay(attempt))).toEqual(expected);
}

const fixed =
  (value: number): Random =>
  () =>
    value;

describe('exponentialBackoff', () => {
  describe('without jitter', () => {
    it('doubles from the base until it reaches the cap, then stays there', () => {
      expectDelays(
        exponentialBackoff({ baseMs: 100, capMs: 1000, jitter: 'none' }),
        [100, 200, 400, 800, 1000, 1000],
      );
    });

    it('defaults to min(1000·2^n, 60000)', () => {
      expectDelays(
        exponentialBackoff({ jitter: 'none' }),
        [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000],
      );
    });

    it('grows by the given factor', () => {
      expectDelays(
        exponentialBackoff({ baseMs: 10, capMs: 1000, factor: 3, jitter: 'none' }),
        [10, 30, 90, 270, 810, 1000, 1000],
      );
    });

    it('stays at the base with a factor of 1', () => {
      expectDelays(
        exponentialBackoff({ baseMs: 250, capMs: 1000, factor: 1, jitter: 'none' }),
        [250, 250, 250],
      );
    });

    it('rounds fractional delays to whole ms', () => {
      expectDelays(
        exponentialBackoff({ baseMs: 100, capMs: 1000, factor: 1.5, jitter: 'none' }),
        [100, 150, 225, 338, 506, 759, 1000],
      );
    });

    it('treats a fractional attempt as the attempt below and a negative one as the first', () => {
      const b = exponentialBackoff({ baseMs: 100, capMs: 1000, jitter: 'none' });
      expect([b.delay(2.9), b.delay(-1), b.delay(-Infinity)]).toEqual([400, 100, 100]);
    });
  });

  describe('with jitter and a fixed random source', () => {
    const table = (jitter: BackoffOptions['jitter'], random: Random) =>
      exponentialBackoff({ baseMs: 100, capMs: 1000, jitter, random });

    it('full: uniform in [0, delay]', () => {
      expectDelays(table('full', fixed(0)), [0, 0, 0, 0, 0, 0]);
      expectDelays(table('full', fixed(0.5)), [50, 100, 200, 400, 500, 500]);
      expectDelays(table('full', fixed(0.999)), [100, 200, 400, 799, 999, 999]);
    });

    it('equal: half the delay plus uniform in [0, delay/2]', () => {
      expectDelays(table('equal', fixed(0)), [50, 100, 200, 400, 500, 500]);
      expectDelays(table('equal', fixed(0.5)), [75, 150, 300, 600, 750, 750]);
      expectDelays(table('equal', fixed(0.999)), [100, 200, 400, 800, 1000, 1000]);
    });

    it('decorrelated: uniform in [base, 3·previous], capped; with no previous delay, as for a first retry', () => {
      // Without `previousMs` every attempt draws from [base, 3·base]: the attempt plays no part.
      expectDelays(table('decorrelated', fixed(0)), [100, 100, 100, 100, 100, 100]);
      expectDelays(table('decorrelated', fixed(0.5)), [200, 200, 200, 200, 200, 200]);
      expectDelays(table('decorrelated', fixed(0.999)), [300, 300, 300, 300, 300, 300]);
      // Handed the delay it used last time, it grows from that, up to the cap.
      const b = table('decorrelated', fixed(0.999));
      const chain: number[] = [];
      for (let n = 0, previous: number | undefined; n < 4; n++) {
        previous = b.delay(n, previous === undefined ? {} : { previousMs: previous });
        chain.push(previous);
      }
      expect(chain).toEqual([300, 899, 999, 999]);
    });

    it('decorrelated: grows from the previous delay it is given', () => {
      const b = table('decorrelated', fixed(0.5));
      expect([150, 300, 1000].map((previousMs) => b.delay(7, { previousMs }))).toEqual([275, 500, 550]);
    });

    it('gives the same delays for the same seed', () => {
      const run = () => {
        const b = exponentialBackoff({ random: seededRandom(42) });
        return [0, 1, 2, 3, 4, 5, 6, 7].map((n) => b.delay(n));
      };
      expect(run()).toEqual(run());
      expect(new Set(run()).size).toBeGreaterThan(1);
    });
  });

  describe('floor (a server retry-after)', () => {
    const b = exponentialBackoff({ baseMs: 100, capMs: 1000, jitter: 'full', random: fixed(0) });

    it('is never undercut, and wins over the cap', () => {
      expect(b.delay(0, { floorMs: 300 })).toBe(300);
      expect(b.delay(9, { floorMs: 5000 })).toBe(5000);
    });

    it('is rounded up to whole ms, and a negative one is no floor', () => {
      expect(b.delay(0, { floorMs: 0.2 })).toBe(1);
      expect(b.delay(0, { floorMs: -50 })).toBe(0);
    });
  });

  describe('overflow', () => {
    it.each([1e6, Number.MAX_SAFE_INTEGER, Infinity])('gives the cap at attempt %d, never NaN', (attempt) => {
      expect(exponentialBackoff({ jitter: 'none' }).delay(attempt)).toBe(60_000);
      expect(exponentialBackoff({ factor: 1.0001, jitter: 'none' }).delay(attempt)).toBe(60_000);
      expect(exponentialBackoff().ceiling(attempt)).toBe(60_000);
      for (const jitter of JITTER_MODES) {
        for (const random of [fixed(0), fixed(0.5), fixed(0.999)]) {
          const d = exponentialBackoff({ jitter, random }).delay(attempt);
          expect(Number.isInteger(d) && d >= 0 && d <= 60_000, `${jitter}: ${d}`).toBe(true);
        }
      }
    });

    it('gives 0 at any attempt when the base is 0', () => {
      expect(exponentialBackoff({ baseMs: 0, jitter: 'none' }).delay(Infinity)).toBe(0);
    });
  });

  describe('properties', () => {
    const randomSource = fc.oneof(
      fc.integer().map((seed) => seededRandom(seed)),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map(fixed),
    );
    const policy = fc
      .record({
        baseMs: fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e6, noNaN: true })),
        spanMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
        factor: fc.double({ min: 1, max: 10, noNaN: true }),
        jitter: fc.constantFrom(...JITTER_MODES),
        random: randomSource,
      })
      .map(({ spanMs, ...rest }) => ({ ...rest, capMs: rest.baseMs + spanMs }));
    const attempt = fc.oneof(
      fc.nat(64),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.constant(Number.POSITIVE_INFINITY),
    );
    const floorMs = fc.option(fc.double({ min: -1e3, max: 1e8, noNaN: true }), { nil: undefined });

    it('keeps every delay a whole number of ms within [floor, max(cap, floor)]', () => {
      fc.assert(
        fc.property(policy, attempt, floorMs, (options, n, floor) => {
          const d = exponentialBackoff(options).delay(n, { floorMs: floor });
          const low = floor !== undefined && floor > 0 ? Math.ceil(floor) : 0;
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(low);
          expect(d).toBeLessThanOrEqual(Math.max(options.capMs, low));
        }),
        { numRuns: 1000 },
      );
    });

    it('never decreases from one attempt to the next without jitter', () => {
      fc.assert(
        fc.property(policy, fc.nat(200), floorMs, (options, n, floor) => {
          const b = exponentialBackoff({ ...options, jitter: 'none' });
          expect(b.delay(n + 1, { floorMs: floor })).toBeGreaterThanOrEqual(b.delay(n, { floorMs: floor }));
        }),
        { numRuns: 1000 },
      );
    });

    it('has a ceiling of min(base·factor^n, cap), multiplied out step by step', () => {
      fc.assert(
        fc.property(policy, fc.nat(2000), (options, n) => {
          let expected = options.baseMs;
          for (let i = 0; i < n && expected < options.capMs; i++) expected *= options.factor;
          expected = Math.min(expected, options.capMs);
          const ceiling = exponentialBackoff(options).ceiling(n);
          expect(Math.abs(ceiling - expected)).toBeLessThanOrEqual(expected * 1e-9);
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('misuse', () => {
    it.each<[string, BackoffOptions, RegExp]>([
      [
        'cap below base',
        { baseMs: 500, capMs: 100 },
        /`capMs` to be a finite number >= `baseMs` \(500\), got `100`/,
      ],
      ['infinite cap', { capMs: Infinity }, /`capMs`.*got `Infinity` \(number\)/],
      ['negative base', { baseMs: -1 }, /`baseMs` to be a finite number >= 0, got `-1` \(number\)/],
      ['NaN base', { baseMs: Number.NaN }, /`baseMs`.*got `NaN` \(number\)/],
      ['NaN cap', { capMs: Number.NaN }, /`capMs`.*got `NaN` \(number\)/],
      ['factor below 1', { factor: 0.5 }, /`factor` to be a finite number >= 1, got `0.5` \(number\)/],
      ['NaN factor', { factor: Number.NaN }, /`factor`.*got `NaN` \(number\)/],
      [
        'unknown jitter',
        { jitter: 'random' as BackoffOptions['jitter'] },
        /`jitter` to be one of none, full, equal, decorrelated, got `"random"` \(string\)/,
      ],
      ['non-function random', { random: 0.5 as unknown as Random }, /`random` to be a function.*got `0.5`/],
    ])(
      'rejects %s with a TypeError that names the option, the value and what is allowed',
      (_, options, message) => {
        expect(() => exponentialBackoff(options)).toThrow(TypeError);
        expect(() => exponentialBackoff(options)).toThrow(message);
      },
    );

    it('rejects a NaN attempt, floor or previous delay instead of returning NaN', () => {
      const b = exponentialBackoff({ jitter: 'decorrelated', random: fixed(0.5) });
      expect(() => b.delay(Number.NaN)).toThrow(/`attempt`.*got `NaN` \(number\)/);
      expect(() => b.ceiling(Number.NaN)).toThrow(TypeError);
      expect(() => b.delay(1, { floorMs: Number.NaN })).toThrow(/`floorMs`.*got `NaN` \(number\)/);
      expect(() => b.delay(1, { floorMs: Infinity })).toThrow(/`floorMs`.*got `Infinity`/);
      expect(() => b.delay(1, { previousMs: Number.NaN })).toThrow(/`previousMs`.*got `NaN`/);
    });

    it('rejects a random source that returns NaN', () => {
      expect(() => exponentialBackoff({ random: fixed(Number.NaN) }).delay(0)).toThrow(/`random`/);
    });
  });
});
