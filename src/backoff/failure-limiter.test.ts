import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../runtime/clock.js';
import { type Backoff, exponentialBackoff } from './backoff.js';
import { createFailureLimiter } from './failure-limiter.js';

const noJitter = exponentialBackoff({ baseMs: 100, capMs: 1000, jitter: 'none' });

describe('createFailureLimiter', () => {
  it('backs off further with each failure of a key, up to the cap', () => {
    const limiter = createFailureLimiter({ backoff: noJitter });
    const delays = Array.from({ length: 6 }, () => limiter.when('user/alice'));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(limiter.attempts('user/alice')).toBe(6);
  });

  it('counts each key on its own', () => {
    const limiter = createFailureLimiter({ backoff: noJitter });
    limiter.when('user/alice');
    limiter.when('user/alice');
    expect(limiter.when('user/bob')).toBe(100);
    expect(limiter.when('user/alice')).toBe(400);
    expect([
      limiter.attempts('user/alice'),
      limiter.attempts('user/bob'),
      limiter.attempts('user/carol'),
    ]).toEqual([3, 1, 0]);
  });

  it('starts a key over after it is forgotten, and drops its record', () => {
    const limiter = createFailureLimiter({ backoff: noJitter });
    limiter.when('a');
    limiter.when('a');
    limiter.when('b');
    expect(limiter.size()).toBe(2);
    limiter.forget('a');
    limiter.forget('never-failed');
    expect(limiter.size()).toBe(1);
    expect(limiter.attempts('a')).toBe(0);
    expect(limiter.when('a')).toBe(100);
  });

  it('keeps no record once every key has been forgotten', () => {
    const limiter = createFailureLimiter<number>({ backoff: noJitter });
    for (let key = 0; key < 10_000; key++) {
      limiter.when(key);
      limiter.when(key);
      limiter.forget(key);
    }
    expect(limiter.size()).toBe(0);
  });

  it("honours a server's retry-after as a floor without changing the count", () => {
    const limiter = createFailureLimiter({ backoff: noJitter });
    expect(limiter.when('k', { floorMs: 5000 })).toBe(5000);
    expect(limiter.when('k', { floorMs: 50 })).toBe(200);
    expect(limiter.attempts('k')).toBe(2);
  });

  it('feeds each decorrelated delay from the previous one for that key', () => {
    const options = { baseMs: 100, capMs: 100_000, jitter: 'decorrelated' } as const;
    const limiter = createFailureLimiter({
      backoff: exponentialBackoff({ ...options, random: seededRandom(7) }),
    });
    const reference = exponentialBackoff({ ...options, random: seededRandom(7) });
    let previousMs = 100;
    for (let attempt = 0; attempt < 12; attempt++) {
      const expected = reference.delay(attempt, { previousMs });
      expect(limiter.when('k')).toBe(expected);
      previousMs = expected;
    }
  });

  it('uses the default backoff (1 s base, cap 60 s) when none is given', () => {
    const limiter = createFailureLimiter();
    const delays = Array.from({ length: 12 }, () => limiter.when('k'));
    expect(delays.every((d) => d >= 0 && d <= 60_000)).toBe(true);
  });

  it('rejects a backoff that is not one, naming the option', () => {
    expect(() => createFailureLimiter({ backoff: 1000 as unknown as Backoff })).toThrow(TypeError);
    expect(() => createFailureLimiter({ backoff: 1000 as unknown as Backoff })).toThrow(
      /`backoff` to be a Backoff .*got `1000` \(number\)/,
    );
  });

  it('agrees with a counting model: attempts are the failures since the last forget', () => {
    const op = fc.oneof(
      fc.record({ type: fc.constant('when' as const), key: fc.nat(4) }),
      fc.record({ type: fc.constant('forget' as const), key: fc.nat(4) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const limiter = createFailureLimiter<number>({ backoff: noJitter });
        const model = new Map<number, number>();
        for (const { type, key } of ops) {
          if (type === 'when') {
            const before = model.get(key) ?? 0;
            expect(limiter.when(key)).toBe(noJitter.delay(before));
            model.set(key, before + 1);
          } else {
            limiter.forget(key);
            model.delete(key);
          }
          for (let k = 0; k < 5; k++) expect(limiter.attempts(k)).toBe(model.get(k) ?? 0);
          expect(limiter.size()).toBe(model.size);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
