import { describe, expect, it } from 'vitest';
import { TestClock } from '../time/test-clock.js';
import { Loops } from './loops.js';

describe('an instance’s loops', () => {
  it('run each loop again after its last run ends, keeping one timer per loop, and none once stopped', async () => {
    const clock = new TestClock();
    const errors: string[] = [];
    const loops = new Loops(clock, (during) => errors.push(during));
    let ticks = 0;
    let fails = 0;
    loops.every(100, async () => void ticks++, 'tick');
    loops.every(
      30,
      async () => {
        fails++;
        throw new Error('no database');
      },
      'flush',
    );
    for (let i = 0; i < 50; i++) await clock.advance(10);
    expect(ticks).toBe(5);
    expect(fails).toBeGreaterThanOrEqual(15);
    expect(errors.length).toBe(fails); // a failing run is reported, and the loop goes on
    expect(clock.pending()).toBe(2);
    loops.stop();
    expect(clock.pending()).toBe(0);
    await clock.advance(1000);
    expect(ticks).toBe(5);
  });

  it('run serial work one at a time, in order, whatever the one before did', async () => {
    const loops = new Loops(new TestClock(), () => {});
    const order: string[] = [];
    const slow = loops.serial(async () => {
      await Promise.resolve();
      order.push('a');
      throw new Error('a failed');
    });
    const next = loops.serial(async () => void order.push('b'));
    await expect(slow).rejects.toThrow('a failed');
    await next;
    expect(order).toEqual(['a', 'b']);
  });
});
