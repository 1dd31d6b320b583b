/**
 * The check for exercise 02. `npm run exercise -- 02` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from '../../src/backoff/backoff.js';
import { seededRandom } from '../../src/time/random.js';
import { holds } from '../check-helpers.js';

type Impl = typeof import('./solution.js');
const { backoffDelay, ceilingFor, retryDelay }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);

const policy = { baseMs: 100, capMs: 1000, factor: 2 };
const policies = fc
  .record({
    baseMs: fc.integer({ min: 0, max: 5000 }),
    capMs: fc.integer({ min: 0, max: 120_000 }),
    factor: fc.integer({ min: 1, max: 4 }),
  })
  .filter((p) => p.capMs >= p.baseMs);
const attempts = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 1_000_000 }));

describe('ceilingFor', () => {
  it('doubles from the base and stops at the cap', () => {
    expect(
      [0, 1, 2, 3, 4, 5].map((n) => ceilingFor(n, policy)),
      'base 100, x2, cap 1000. Hint: Math.min(...) with the cap',
    ).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('stays at the cap for huge attempt numbers (no Infinity, no NaN)', () => {
    for (const attempt of [100, 1100, 10_000, 1e9]) {
      expect(ceilingFor(attempt, policy), `attempt ${attempt}: a delay must be a finite number of ms`).toBe(
        1000,
      );
    }
    expect(
      ceilingFor(2000, { baseMs: 0, capMs: 1000, factor: 2 }),
      'base 0 means "retry at once", at any attempt. Hint: what is 0 * Infinity in JavaScript?',
    ).toBe(0);
  });

  it('is never above the cap, for any policy and attempt', () => {
    holds(
      'a ceiling went above its cap (or was not a number)',
      fc.property(policies, attempts, (p, n) => {
        const c = ceilingFor(n, p);
        expect(Number.isFinite(c) && c >= 0 && c <= p.capMs).toBe(true);
      }),
    );
  });
});

describe('backoffDelay (full jitter)', () => {
  it('draws the delay with the random function it is given', () => {
    expect(
      backoffDelay(3, policy, () => 0),
      'random() returned 0: the delay is 0',
    ).toBe(0);
    expect(
      backoffDelay(3, policy, () => 0.5),
      'random() returned 0.5: half the ceiling of 800',
    ).toBe(400);
    expect(
      backoffDelay(9, policy, () => 0.25),
      'random() returned 0.25 at the cap of 1000',
    ).toBe(250);
  });

  it('stays within [0, ceiling], in whole ms', () => {
    holds(
      'a delay fell outside [0, ceiling] or was not a whole number',
      fc.property(
        policies,
        attempts,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (p, n, r) => {
          const d = backoffDelay(n, p, () => r);
          expect(Number.isInteger(d) && d >= 0 && d <= ceilingFor(n, p)).toBe(true);
        },
      ),
    );
  });

  it("agrees with setpoint's exponentialBackoff given the same random numbers", () => {
    holds(
      'your delay differs from the reference for this policy, attempt and seed',
      fc.property(policies, fc.integer({ min: 0, max: 60 }), fc.integer(), (p, n, seed) => {
        const reference = exponentialBackoff({ ...p, jitter: 'full', random: seededRandom(seed) });
        expect(backoffDelay(n, p, seededRandom(seed))).toBe(reference.delay(n));
      }),
    );
  });

  it('spreads a thousand clients that failed together over the whole window', () => {
    const random = seededRandom(42);
    const buckets = new Array<number>(10).fill(0);
    for (let client = 0; client < 1000; client++) {
      const d = backoffDelay(5, policy, random); // everyone's 6th retry: ceiling 1000 ms
      buckets[Math.min(9, Math.floor(d / 100))]! += 1;
    }
    expect(
      Math.max(...buckets),
      `retries per 100 ms slot: ${buckets.join(', ')}. With jitter no slot should get more than ~150 of 1000`,
    ).toBeLessThan(150);
  });
});

describe('retryDelay (Retry-After is a floor)', () => {
  it('is the jittered backoff when the server says nothing', () => {
    expect(retryDelay(2, policy, () => 0.5)).toBe(200);
  });

  it('never retries before Retry-After, even above the cap', () => {
    expect(
      retryDelay(0, policy, () => 0.5, 20_000),
      'the server said 20 s: wait 20 s, not 50 ms',
    ).toBe(20_000);
    expect(
      retryDelay(2, policy, () => 0.5, 150),
      'the backoff (200 ms) is already longer than 150 ms',
    ).toBe(200);
    expect(
      retryDelay(0, policy, () => 0, 1500.2),
      'round a fractional Retry-After up: 1501',
    ).toBe(1501);
  });

  it('is always at least the floor and at least the plain backoff', () => {
    holds(
      'retryDelay went below Retry-After, or below the backoff it would otherwise wait',
      fc.property(
        policies,
        attempts,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer(),
        (p, n, floor, seed) => {
          const d = retryDelay(n, p, seededRandom(seed), floor);
          expect(d >= floor && d >= backoffDelay(n, p, seededRandom(seed))).toBe(true);
        },
      ),
    );
  });
});
