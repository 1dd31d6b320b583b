import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestClock } from './test-clock.js';

describe('TestClock', () => {
  it('runs due timers in time order, ties in the order they were set', async () => {
    const clock = new TestClock();
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 30);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`late@${clock.now()}`), 31);
    await clock.advance(30);
    expect(seen).toEqual(['a@10', 'b@10', 'c@30']);
    expect(clock.now()).toBe(30);
    await clock.advance(1);
    expect(seen.at(-1)).toBe('late@31');
  });

  it('runs a repeating timer once per period, unlike a clock that jumps', async () => {
    const clock = new TestClock();
    let ticks = 0;
    const tick = () => {
      ticks++;
      clock.setTimeout(tick, 1000);
    };
    clock.setTimeout(tick, 1000);
    await clock.advance(5000);
    expect(ticks).toBe(5);
  });

  it('lets promises started by a timer settle before the next timer fires', async () => {
    const clock = new TestClock();
    const seen: string[] = [];
    clock.setTimeout(async () => {
      await Promise.resolve();
      await new Promise((r) => setImmediate(r));
      await Promise.resolve();
      seen.push('async work done');
    }, 10);
    clock.setTimeout(() => seen.push('next timer'), 11);
    await clock.advance(20);
    expect(seen).toEqual(['async work done', 'next timer']);
  });

  it('does not run cleared timers', async () => {
    const clock = new TestClock();
    let ran = false;
    const t = clock.setTimeout(() => {
      ran = true;
    }, 5);
    clock.clearTimeout(t);
    await clock.advance(10);
    expect(ran).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  it('runUntilIdle runs everything and fails loudly on a timer that re-arms forever', async () => {
    const clock = new TestClock();
    let n = 0;
    clock.setTimeout(() => clock.setTimeout(() => n++, 100), 100);
    await clock.runUntilIdle();
    expect(n).toBe(1);
    expect(clock.now()).toBe(200);
    const forever = () => clock.setTimeout(forever, 1);
    forever();
    await expect(clock.runUntilIdle({ maxTimers: 50 })).rejects.toThrow(/re-arms itself forever/);
  });

  it('fires every timer at its own time, for any schedule', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }), async (delays) => {
        const clock = new TestClock();
        const fired: [number, number][] = [];
        delays.forEach((d, i) => {
          clock.setTimeout(() => fired.push([i, clock.now()]), d);
        });
        await clock.advance(1000);
        expect(fired.map(([i, at]) => at - delays[i]!)).toEqual(delays.map(() => 0));
        expect(fired.map(([, at]) => at)).toEqual([...fired.map(([, at]) => at)].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });
});
