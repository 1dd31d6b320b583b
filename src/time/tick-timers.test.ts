import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestClock } from './test-clock.js';
import { type Tickable, TickTimers } from './tick-timers.js';

function tickable(clock: TestClock, fired: [string, number][], name: string): Tickable {
  return { tickDue: Number.NaN, onTick: () => fired.push([name, clock.now()]) };
}

describe('TickTimers', () => {
  it('fires each armed tickable once, exactly when due, like one setTimeout each', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 50 }), fc.boolean()), {
          maxLength: 60,
        }),
        async (plan) => {
          const clock = new TestClock();
          const timers = new TickTimers(clock);
          const fired: [string, number][] = [];
          const items = Array.from({ length: 10 }, (_, i) => tickable(clock, fired, `t${i}`));
          // The model: the last arming of each item wins; a disarm cancels it.
          const expected = new Map<string, number>();
          for (const [i, delay, disarm] of plan) {
            const item = items[i]!;
            if (disarm) {
              timers.disarm(item);
              expected.delete(`t${i}`);
            } else {
              timers.arm(item, delay);
              expected.set(`t${i}`, delay);
            }
          }
          await clock.advance(100);
          expect(new Map(fired)).toEqual(expected);
          expect(fired).toHaveLength(expected.size); // never twice
          expect(timers.size).toBe(0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('shares one timer among everything due at the same time', async () => {
    const clock = new TestClock();
    const timers = new TickTimers(clock);
    const fired: [string, number][] = [];
    for (let i = 0; i < 1000; i++) timers.arm(tickable(clock, fired, `t${i}`), 500 + (i % 3));
    expect(timers.size).toBe(3);
    expect(clock.pending()).toBe(3);
    await clock.advance(502);
    expect(fired).toHaveLength(1000);
  });

  it('fires nothing once closed', async () => {
    const clock = new TestClock();
    const timers = new TickTimers(clock);
    const fired: [string, number][] = [];
    timers.arm(tickable(clock, fired, 'a'), 10);
    timers.close();
    await clock.advance(100);
    expect(fired).toEqual([]);
    expect(clock.pending()).toBe(0);
  });
});
