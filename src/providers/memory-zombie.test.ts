import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memorySetup, res } from '../../test/helpers/memory-setup.js';
import { seededRandom } from '../time/random.js';
import { TestClock } from '../time/test-clock.js';
import { memoryProvider } from './memory.js';
import { compileFaults, DEFAULT_ZOMBIE_MS, pickFault } from './memory-faults.js';

const setup = memorySetup;

describe('memory provider: zombie calls', () => {
  it('ignores the abort, runs on for zombieMs on the clock, then writes late and resolves', async () => {
    const { provider, ctx, controller, clock } = setup({
      initial: { a: { v: 1 } },
      faults: { zombieRate: 1, zombieMs: 2000 },
    });
    let settled: unknown = 'pending';
    const call = provider.update(res('a', { v: 2 }), { v: 1 }, [], ctx).then((value) => {
      settled = value;
    });
    await clock.advance(3_600_000); // no abort yet: it waits, like a hung call
    expect(settled).toBe('pending');
    expect(provider.zombies).toBe(1);
    controller.abort(new Error('operation timeout'));
    await clock.advance(1999);
    expect(settled).toBe('pending');
    expect(provider.store.get('a')).toEqual({ v: 1 });
    expect(provider.inFlight('a')).toBe(1);
    await clock.advance(1);
    await call;
    expect(settled).toEqual({ v: 2 });
    expect(provider.store.get('a')).toEqual({ v: 2 }); // the late write
    expect(provider.inFlight('a')).toBe(0);
  });

  it('counts a call that starts on the same name while a zombie still runs as an overlap', async () => {
    const { provider, ctx, controller, clock } = setup({ faults: { zombieRate: 1 } });
    const zombie = provider.create(res('a', { v: 1 }), ctx);
    controller.abort(new Error('timeout'));
    await clock.advance(DEFAULT_ZOMBIE_MS - 1);
    provider.setFaults(undefined);
    const fresh = new AbortController();
    const second = provider.observe(res('a'), { ...ctx, signal: fresh.signal });
    expect(provider.overlaps).toBe(1);
    expect(await second).toBeUndefined(); // the zombie has not written yet
    await clock.advance(1);
    await zombie;
    expect(provider.store.get('a')).toEqual({ v: 1 });
  });

  it('draws the time past the abort within zombieMs [min, max], from the injected random', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.nat(),
        async (a, b, abortAt, seed) => {
          const [min, max] = a <= b ? [a, b] : [b, a];
          const run = async () => {
            const { provider, ctx, controller, clock } = setup({
              random: seededRandom(seed),
              faults: { zombieRate: 1, zombieMs: [min, max] },
            });
            let at: number | undefined;
            const call = provider.create(res('a'), ctx).then(() => {
              at = clock.now();
            });
            clock.setTimeout(() => controller.abort(new Error('timeout')), abortAt);
            await clock.runUntilIdle();
            await call;
            return at!;
          };
          const at = await run();
          expect(at - abortAt).toBeGreaterThanOrEqual(min);
          expect(at - abortAt).toBeLessThanOrEqual(max);
          expect(await run()).toBe(at); // same seed, same time
        },
      ),
      { numRuns: 200 },
    );
  });

  it('picks zombie after every other fault, so adding it changes no earlier draw', () => {
    const compiled = compileFaults({ failRate: 0.1, crashRate: 0.1, zombieRate: 0.2 });
    expect(compiled.thresholds).toEqual([0.1, 0.1, 0.1, 0.1, 0.2, 0.4]);
    expect(pickFault(compiled, 0.05)).toBe('fail');
    expect(pickFault(compiled, 0.15)).toBe('crash');
    expect(pickFault(compiled, 0.25)).toBe('zombie');
    expect(pickFault(compiled, 0.39)).toBe('zombie');
    expect(pickFault(compiled, 0.4)).toBe('ok');
    expect(compileFaults({ zombieRate: 0.1 }).zombie).toEqual([DEFAULT_ZOMBIE_MS, DEFAULT_ZOMBIE_MS]);
    expect(compileFaults({ zombieRate: 0.1, zombieMs: 0 }).zombie).toEqual([0, 0]);
    expect(compileFaults({ zombieRate: 0.1, zombieMs: [10, 20] }).zombie).toEqual([10, 20]);
  });

  it('rejects bad zombie options with a TypeError naming the option', () => {
    const clock = new TestClock();
    const random = seededRandom(1);
    const make = (faults: object) => () => memoryProvider({ kind: 'x', clock, random, faults });
    expect(make({ zombieRate: 1.5 })).toThrow(/`options.faults.zombieRate` to be a number from 0 to 1/);
    expect(make({ zombieRate: '0.1' })).toThrow(/`options.faults.zombieRate`/);
    expect(make({ failRate: 0.5, zombieRate: 0.6 })).toThrow(/zombieRate\) to add up to at most 1, got 1.1/);
    expect(make({ zombieMs: -1 })).toThrow(/`options.faults.zombieMs` to be a finite number >= 0/);
    expect(make({ zombieMs: Number.POSITIVE_INFINITY })).toThrow(/`options.faults.zombieMs`/);
    expect(make({ zombieMs: [20, 10] })).toThrow(
      /`options.faults.zombieMs` to be a number of ms >= 0, or \[min, max\] with 0 <= min <= max/,
    );
    expect(make({ zombieMs: [1, 2, 3] })).toThrow(/`options.faults.zombieMs`/);
    expect(make({ zombiems: 10 })).toThrow(/Unknown option `options.faults.zombiems`/);
  });
});
