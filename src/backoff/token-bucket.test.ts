import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../time/clock.js';
import { TestClock } from '../time/test-clock.js';
import { createTokenBucket, type TokenBucketOptions } from './token-bucket.js';

/** Start `take(n)` and record the virtual time at which it resolves (or the reason it rejects). */
function track(clock: TestClock, promise: Promise<void>) {
  const seen: { at?: number; error?: unknown } = {};
  promise.then(
    () => {
      seen.at = clock.now();
    },
    (error: unknown) => {
      seen.error = error;
    },
  );
  return seen;
}

describe('createTokenBucket', () => {
  it('starts full and hands out up to `burst` tokens at once', () => {
    const bucket = createTokenBucket({ ratePerSec: 1, burst: 3, clock: new TestClock() });
    expect(bucket.available()).toBe(3);
    expect([bucket.tryTake(), bucket.tryTake(2), bucket.tryTake()]).toEqual([true, true, false]);
  });

  it('refills continuously, fractions included, up to `burst`', async () => {
    const clock = new TestClock();
    const bucket = createTokenBucket({ ratePerSec: 10, burst: 2, clock });
    bucket.tryTake(2);
    await clock.advance(50);
    expect(bucket.available()).toBeCloseTo(0.5, 9);
    expect(bucket.tryTake()).toBe(false);
    await clock.advance(50);
    expect(bucket.tryTake()).toBe(true);
    await clock.advance(10_000);
    expect(bucket.available()).toBe(2);
  });

  it('makes take() wait on the clock for each next token', async () => {
    const clock = new TestClock();
    const bucket = createTokenBucket({ ratePerSec: 10, burst: 1, clock });
    const takes = [0, 1, 2, 3].map(() => track(clock, bucket.take()));
    await clock.runUntilIdle();
    expect(takes.map((t) => t.at)).toEqual([0, 100, 200, 300]);
    expect(clock.pending()).toBe(0);
  });

  it('serves sub-millisecond waits on time at high rates', async () => {
    const clock = new TestClock();
    const bucket = createTokenBucket({ ratePerSec: 4000, burst: 1, clock });
    const takes = [0, 1, 2, 3].map(() => track(clock, bucket.take()));
    await clock.runUntilIdle();
    expect(takes.map((t) => t.at)).toEqual([0, 0.25, 0.5, 0.75]);
  });

  it('serves waiters first come, first served: a big take is not overtaken by a small one', async () => {
    const clock = new TestClock();
    const bucket = createTokenBucket({ ratePerSec: 1, burst: 3, clock });
    bucket.tryTake(3);
    const big = track(clock, bucket.take(3));
    const small = track(clock, bucket.take(1));
    await clock.advance(1500);
    expect(bucket.available()).toBeCloseTo(1.5, 9);
    expect(bucket.tryTake()).toBe(false); // someone is waiting
    await clock.runUntilIdle();
    expect([big.at, small.at]).toEqual([3000, 4000]);
  });

  it('rejects a waiting take whose signal aborts, takes nothing for it, and moves the line up', async () => {
    const clock = new TestClock();
    const bucket = createTokenBucket({ ratePerSec: 1, burst: 2, clock });
    bucket.tryTake(2);
    const controller = new AbortController();
    const first = track(clock, bucket.take(2, controller.signal));
    const second = track(clock, bucket.take(1));
    await clock.advance(500);
    controller.abort(new Error('shutting down'));
    await clock.settle();
    expect(first.error).toEqual(new Error('shutting down'));
    await clock.runUntilIdle();
    expect(second.at).toBe(1000);
    expect(bucket.available()).toBe(0);
  });

  it('rejects at once, taking nothing, when the signal is already aborted', async () => {
    const bucket = createTokenBucket({ ratePerSec: 1, burst: 1, clock: new TestClock() });
    await expect(bucket.take(1, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(bucket.available()).toBe(1);
  });

  it('says how long a take would wait, queue and pause included, in whole ms rounded up', async () => {
    const clock = new TestClock();
    const bucket = createTokenBucket({ ratePerSec: 3, burst: 3, clock });
    expect(bucket.msUntil(3)).toBe(0);
    bucket.tryTake(3);
    expect(bucket.msUntil()).toBe(334);
    const waiting = track(clock, bucket.take(2));
    expect(bucket.msUntil()).toBe(1000);
    bucket.pause(5000);
    expect(bucket.msUntil()).toBe(5000);
    await clock.runUntilIdle();
    expect(waiting.at).toBe(5000);
  });

  describe('pause (a provider-wide retry-after)', () => {
    it('hands out no token before the given time, even from a full bucket', async () => {
      const clock = new TestClock();
      const bucket = createTokenBucket({ ratePerSec: 100, burst: 5, clock });
      bucket.pause(2000);
      expect(bucket.tryTake()).toBe(false);
      const takes = [0, 1].map(() => track(clock, bucket.take()));
      await clock.advance(1999);
      expect(takes.map((t) => t.at)).toEqual([undefined, undefined]);
      await clock.advance(1);
      expect(takes.map((t) => t.at)).toEqual([2000, 2000]);
      expect(bucket.tryTake(3)).toBe(true);
    });

    it('is never shortened by a later, shorter pause, and a pause in the past does nothing', async () => {
      const clock = new TestClock({ start: 1000 });
      const bucket = createTokenBucket({ ratePerSec: 100, burst: 5, clock });
      bucket.pause(500);
      expect(bucket.tryTake()).toBe(true);
      bucket.pause(3000);
      bucket.pause(2000);
      const take = track(clock, bucket.take());
      await clock.runUntilIdle();
      expect(take.at).toBe(3000);
    });

    it('lets tokens accrue meanwhile, up to `burst`', async () => {
      const clock = new TestClock();
      const bucket = createTokenBucket({ ratePerSec: 1, burst: 4, clock });
      bucket.tryTake(4);
      bucket.pause(10_000);
      await clock.advance(10_000);
      expect(bucket.available()).toBe(4);
    });
  });

  it('adds no tokens for a span the clock steps back over', () => {
    let now = 10_000;
    const clock: Clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const bucket = createTokenBucket({ ratePerSec: 1, burst: 2, clock });
    bucket.tryTake(2);
    now = 5000;
    expect(bucket.available()).toBe(0);
    now = 5500;
    expect(bucket.available()).toBeCloseTo(0.5, 9);
  });

  describe('misuse', () => {
    it.each<[string, Partial<TokenBucketOptions>, RegExp]>([
      ['a zero rate', { ratePerSec: 0 }, /`ratePerSec` to be a finite number > 0 .*got `0` \(number\)/],
      ['a negative rate', { ratePerSec: -5 }, /`ratePerSec`.*got `-5` \(number\)/],
      ['a NaN rate', { ratePerSec: Number.NaN }, /`ratePerSec`.*got `NaN` \(number\)/],
      ['an infinite rate', { ratePerSec: Infinity }, /`ratePerSec`.*got `Infinity` \(number\)/],
      ['a zero burst', { burst: 0 }, /`burst` to be an integer from 1 and up .*got `0` \(number\)/],
      ['a negative burst', { burst: -1 }, /`burst`.*got `-1` \(number\)/],
      ['a fractional burst', { burst: 1.5 }, /`burst`.*got `1.5` \(number\)/],
      ['a missing burst', { burst: undefined }, /`burst`.*got `undefined` \(undefined\)/],
    ])('rejects %s with a TypeError naming the option, the value and what is allowed', (_, bad, message) => {
      const options = { ratePerSec: 10, burst: 5, clock: new TestClock(), ...bad } as TokenBucketOptions;
      expect(() => createTokenBucket(options)).toThrow(TypeError);
      expect(() => createTokenBucket(options)).toThrow(message);
    });

    it('rejects a count that could never be served, and a pause that is not a time', () => {
      const bucket = createTokenBucket({ ratePerSec: 10, burst: 5, clock: new TestClock() });
      expect(() => bucket.tryTake(6)).toThrow(
        /`n` to be an integer from 1 to `burst` \(5\), got `6` \(number\)/,
      );
      expect(() => bucket.take(0)).toThrow(TypeError);
      expect(() => bucket.msUntil(1.5)).toThrow(/got `1.5`/);
      expect(() => bucket.pause(Number.NaN)).toThrow(/`untilMs` to be a finite clock time .*got `NaN`/);
    });
  });

  describe('properties', () => {
    const rate = fc.oneof(fc.integer({ min: 1, max: 50 }), fc.double({ min: 0.1, max: 100, noNaN: true }));
    const op = fc.record({
      gap: fc.oneof(fc.constant(0), fc.nat(300)),
      kind: fc.constantFrom('try', 'take', 'abortable', 'pause'),
      n: fc.integer({ min: 1, max: 6 }),
      ms: fc.nat(2000),
    });

    it('never admits more than burst + rate·t/1000 in any window of t ms, nor any during a pause', async () => {
      await fc.assert(
        fc.asyncProperty(
          rate,
          fc.integer({ min: 1, max: 6 }),
          fc.array(op, { maxLength: 25 }),
          async (r, b, ops) => {
            const clock = new TestClock({ settleTurns: 1 });
            const bucket = createTokenBucket({ ratePerSec: r, burst: b, clock });
            const admitted: { at: number; n: number }[] = [];
            const pauses: { from: number; until: number }[] = [];
            let unsettled = 0;
            const admit = (n: number) => () => {
              admitted.push({ at: clock.now(), n });
              unsettled--;
            };
            for (const { gap, kind, n: wanted, ms } of ops) {
              await clock.advance(gap);
              const n = Math.min(wanted, b);
              if (kind === 'try') {
                if (bucket.tryTake(n)) admitted.push({ at: clock.now(), n });
              } else if (kind === 'take') {
                unsettled++;
                void bucket.take(n).then(admit(n));
              } else if (kind === 'abortable') {
                const controller = new AbortController();
                clock.setTimeout(() => controller.abort(), ms);
                unsettled++;
                void bucket.take(n, controller.signal).then(admit(n), () => unsettled--);
              } else {
                bucket.pause(clock.now() + ms);
                pauses.push({ from: clock.now(), until: clock.now() + ms });
              }
            }
            await clock.runUntilIdle();
            expect(unsettled).toBe(0);

            admitted.sort((x, y) => x.at - y.at);
            for (let i = 0; i < admitted.length; i++) {
              let count = 0;
              for (let j = i; j < admitted.length; j++) {
                count += admitted[j]!.n;
                const t = admitted[j]!.at - admitted[i]!.at;
                expect(count).toBeLessThanOrEqual(b + (r * t) / 1000 + 1e-6);
              }
            }
            for (const { from, until } of pauses) {
              expect(admitted.filter(({ at }) => at > from && at < until)).toEqual([]);
            }
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('serves each take as soon as an ideal bucket would (within 1 ms), in order', async () => {
      const take = fc.record({
        gap: fc.oneof(fc.constant(0), fc.nat(500)),
        n: fc.integer({ min: 1, max: 6 }),
      });
      await fc.assert(
        fc.asyncProperty(
          rate,
          fc.integer({ min: 1, max: 6 }),
          fc.array(take, { maxLength: 25 }),
          async (r, b, takes) => {
            const clock = new TestClock({ settleTurns: 1 });
            const bucket = createTokenBucket({ ratePerSec: r, burst: b, clock });
            const seen: (number | undefined)[] = [];
            const expected: number[] = [];
            // The model: after each admission, the bucket holds `tokens` at time `last`.
            let tokens = b;
            let last = 0;
            for (const [k, { gap, n: wanted }] of takes.entries()) {
              await clock.advance(gap);
              const n = Math.min(wanted, b);
              void bucket.take(n).then(() => {
                seen[k] = clock.now();
              });
              const start = Math.max(clock.now(), last);
              const have = Math.min(b, tokens + ((start - last) * r) / 1000);
              const at = have >= n ? start : start + ((n - have) * 1000) / r;
              tokens = Math.min(b, have + ((at - start) * r) / 1000) - n;
              last = at;
              expected.push(at);
            }
            await clock.runUntilIdle();
            expect(seen.length).toBe(expected.length);
            for (const [k, at] of expected.entries()) {
              expect(seen[k]).toBeGreaterThanOrEqual(at - 1e-6);
              expect(seen[k]).toBeLessThanOrEqual(at + 1);
            }
          },
        ),
        { numRuns: 1000 },
      );
    });
  });
});
