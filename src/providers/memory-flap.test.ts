import { describe, expect, it } from 'vitest';
import { memorySetup, res } from '../../test/helpers/memory-setup.js';
import { seededRandom } from '../time/random.js';
import { TestClock } from '../time/test-clock.js';
import { memoryProvider } from './memory.js';
import { compileFaults, DEFAULT_FLAP_MS } from './memory-faults.js';

const setup = memorySetup;

describe('memory provider: another writer undoes writes (flapRate)', () => {
  it('puts the previous object back flapMs after an update, without a call', async () => {
    const { provider, ctx, clock } = setup({
      initial: { a: { v: 1 } },
      faults: { flapRate: 1, flapMs: 2000 },
    });
    const before = provider.store.get('a');
    expect(await provider.update(res('a', { v: 2 }), { v: 1 }, [], ctx)).toEqual({ v: 2 });
    await clock.advance(1999);
    expect(provider.store.get('a')).toEqual({ v: 2 });
    expect(provider.reverts).toBe(0);
    await clock.advance(1);
    expect(provider.store.get('a')).toBe(before); // the very object that stood before
    expect(provider.reverts).toBe(1);
    expect(provider.calls.update).toBe(1);
    expect(provider.overlaps).toBe(0);
    expect(provider.inFlight()).toBe(0);
  });

  it('removes what a create made, after the default time', async () => {
    const { provider, ctx, clock } = setup({ faults: { flapRate: 1 } });
    await provider.create(res('a', { v: 1 }), ctx);
    await clock.advance(DEFAULT_FLAP_MS - 1);
    expect(provider.store.has('a')).toBe(true);
    await clock.advance(1);
    expect(provider.store.has('a')).toBe(false);
    expect(provider.reverts).toBe(1);
    expect(provider.calls).toMatchObject({ create: 1, observe: 0, delete: 0 });
  });

  it('leaves an object alone that was written again since', async () => {
    const { provider, ctx, clock } = setup({
      initial: { a: { v: 1 } },
      faults: { flapRate: 1, flapMs: 1000 },
    });
    await provider.update(res('a', { v: 2 }), { v: 1 }, [], ctx);
    provider.setFaults(undefined);
    await clock.advance(500);
    await provider.update(res('a', { v: 3 }), { v: 2 }, [], ctx); // not undone: faults are off
    await provider.create(res('b', { v: 1 }), ctx);
    await clock.advance(10_000);
    expect(provider.store.get('a')).toEqual({ v: 3 });
    expect(provider.store.get('b')).toEqual({ v: 1 });
    expect(provider.reverts).toBe(0);
  });

  it('draws which writes are undone, and when, from the injected random, at the drawn time', async () => {
    const [min, max] = [1000, 20_000];
    const run = async (seed: number) => {
      const { clock, provider, ctx } = memorySetup({
        random: seededRandom(seed),
        faults: { flapRate: 0.5, flapMs: [min, max] },
      });
      for (let i = 0; i < 40; i++) await provider.create(res(`r${i}`, { i }), ctx);
      const gone: number[] = [];
      let last = provider.store.size;
      for (let t = 0; t <= max; t += 100) {
        if (provider.store.size < last) gone.push(clock.now());
        last = provider.store.size;
        await clock.advance(100);
      }
      return { gone, reverts: provider.reverts };
    };
    const a = await run(3);
    expect(a.reverts).toBeGreaterThan(8);
    expect(a.reverts).toBeLessThan(32);
    for (const at of a.gone) {
      expect(at).toBeGreaterThanOrEqual(min);
      expect(at).toBeLessThanOrEqual(max + 100);
    }
    expect(await run(3)).toEqual(a);
  });

  it('draws nothing when flapRate is not set, so other faults keep their draws', async () => {
    const draws = async (faults: object) => {
      let n = 0;
      const base = seededRandom(1);
      const random = () => {
        n++;
        return base();
      };
      const { provider, ctx } = memorySetup({ random, faults });
      await provider.create(res('a'), ctx).catch(() => undefined);
      return n;
    };
    expect(await draws({ failRate: 0.1 })).toBe(1);
    expect(await draws({ failRate: 0.1, flapRate: 0, flapMs: [1, 5] })).toBe(1);
    expect(await draws({ flapRate: 1, flapMs: [1, 5] })).toBe(2);
  });

  it('only for the operations the faults apply to', async () => {
    const { provider, ctx, clock } = setup({ faults: { flapRate: 1, operations: ['update'] } });
    await provider.create(res('a', { v: 1 }), ctx);
    await clock.advance(60_000);
    expect(provider.store.get('a')).toEqual({ v: 1 });
    expect(provider.reverts).toBe(0);
  });

  it('compiles flapRate apart from the other rates, and refuses bad values', () => {
    expect(compileFaults({ failRate: 0.9, flapRate: 0.9 })).toMatchObject({
      flapRate: 0.9,
      flap: [1000, 1000],
    });
    expect(compileFaults({ flapRate: 0.5, flapMs: [10, 20] }).flap).toEqual([10, 20]);
    expect(compileFaults({ flapRate: 0.5, flapMs: 0 }).flap).toEqual([0, 0]);
    const make = (faults: object) => () =>
      memoryProvider({ kind: 'k', clock: new TestClock(), random: seededRandom(1), faults });
    expect(make({ flapRate: 1.5 })).toThrow(/`options.faults.flapRate` to be a number from 0 to 1/);
    expect(make({ flapRate: '0.1' })).toThrow(/`options.faults.flapRate`/);
    expect(make({ flapRate: Number.NaN })).toThrow(/`options.faults.flapRate`/);
    expect(make({ flapMs: -1 })).toThrow(/`options.faults.flapMs` to be a finite number >= 0/);
    expect(make({ flapMs: [20, 10] })).toThrow(
      /`options.faults.flapMs` to be a number of ms >= 0, or \[min, max\]/,
    );
    expect(make({ flapMs: [1, 2, 3] })).toThrow(/`options.faults.flapMs`/);
    expect(make({ flapMS: 10 })).toThrow(/Unknown option `options.faults.flapMS`/);
  });
});
