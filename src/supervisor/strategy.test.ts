import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRestart, STRATEGIES, type Strategy } from './strategy.js';

const order = ['db', 'cache', 'web', 'jobs'];

describe('planRestart', () => {
  it.each([
    ['oneForOne', 'cache', [], ['cache']],
    ['oneForAll', 'cache', ['jobs', 'web', 'db'], ['db', 'cache', 'web', 'jobs']],
    ['restForOne', 'cache', ['jobs', 'web'], ['cache', 'web', 'jobs']],
    ['restForOne', 'db', ['jobs', 'web', 'cache'], ['db', 'cache', 'web', 'jobs']],
    ['restForOne', 'jobs', [], ['jobs']],
    ['oneForAll', 'jobs', ['web', 'cache', 'db'], ['db', 'cache', 'web', 'jobs']],
  ] as const)('%s after %s fails: stop %j, start %j', (strategy, failed, stop, start) => {
    expect(planRestart(strategy, order, failed)).toEqual({ stop, start });
  });

  it('rejects a child that is not in the order, naming the choices', () => {
    expect(() => planRestart('oneForOne', order, 'nope')).toThrow(
      new TypeError('Expected `failed` to be one of the children (db, cache, web, jobs), got `nope`'),
    );
  });

  it('rejects an unknown strategy', () => {
    expect(() => planRestart('one_for_one' as Strategy, order, 'db')).toThrow(
      /one of oneForOne, oneForAll, restForOne/,
    );
  });

  it('stops in reverse start order what it starts again, except the failed child, and starts in start order', () => {
    const ids = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(ids, fc.nat(), fc.constantFrom(...STRATEGIES), (order, pick, strategy) => {
        const failed = order[pick % order.length]!;
        const { stop, start } = planRestart(strategy, order, failed);
        // start: a subsequence of order, in order, containing the failed child
        expect(start).toEqual(order.filter((id) => start.includes(id)));
        expect(start).toContain(failed);
        // stop: exactly the others of start, in reverse start order
        expect(stop).toEqual(start.filter((id) => id !== failed).reverse());
        // the children left alone are those started before the failed one (restForOne),
        // all of them (oneForOne) or none (oneForAll)
        const untouched = order.filter((id) => !start.includes(id));
        const before = order.slice(0, order.indexOf(failed));
        const expected = {
          oneForOne: order.filter((id) => id !== failed),
          oneForAll: [],
          restForOne: before,
        };
        expect(untouched).toEqual(expected[strategy]);
      }),
      { numRuns: 1000 },
    );
  });
});
