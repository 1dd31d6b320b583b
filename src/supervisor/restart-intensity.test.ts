import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Intensity, RestartWindow, recordRestart, type Verdict } from './restart-intensity.js';

/** Record restarts at `times`, one after another; the verdict of each. */
function verdicts(times: readonly number[], limits: Intensity): Verdict[] {
  let window: readonly number[] = [];
  return times.map((now) => {
    const r = recordRestart(window, now, limits);
    window = r.window;
    return r.verdict;
  });
}

describe('recordRestart', () => {
  const elixir = { maxRestarts: 3, withinMs: 5000 };

  it.each([
    ['3 restarts in 5 s are tolerated', [0, 1000, 2000], elixir, ['ok', 'ok', 'ok']],
    ['a 4th within 5 s gives up', [0, 1000, 2000, 3000], elixir, ['ok', 'ok', 'ok', 'give-up']],
    ['a 4th after the 1st left the window is fine', [0, 1000, 2000, 5000], elixir, ['ok', 'ok', 'ok', 'ok']],
    ['4 at the same instant give up', [7, 7, 7, 7], elixir, ['ok', 'ok', 'ok', 'give-up']],
    ['maxRestarts 0 gives up at once', [0], { maxRestarts: 0, withinMs: 5000 }, ['give-up']],
    ['Erlang default: 1 in 5 s', [0, 4999], { maxRestarts: 1, withinMs: 5000 }, ['ok', 'give-up']],
    [
      'spaced restarts never give up',
      [0, 2000, 4000, 6000, 8000, 10000],
      { maxRestarts: 2, withinMs: 4000 },
      ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'],
    ],
  ] as const)('%s', (_name, times, limits, expected) => {
    expect(verdicts(times, limits)).toEqual(expected);
  });

  it('keeps the window newest first and trimmed to the period', () => {
    const { window } = recordRestart([4000, 3000, 600, 100], 5600, elixir);
    expect(window).toEqual([5600, 4000, 3000]); // 600 is exactly 5000 ms old: out
  });

  it('does not change the window it was given', () => {
    const window = Object.freeze([10, 5]);
    recordRestart(window, 20, elixir);
    expect(window).toEqual([10, 5]);
  });

  it('never gives up with an infinite maxRestarts, and keeps nothing', () => {
    const limits = { maxRestarts: Number.POSITIVE_INFINITY, withinMs: 1000 };
    const r = recordRestart([], 0, limits);
    expect(r).toEqual({ window: [], verdict: 'ok' });
  });

  it('gives up exactly when more than maxRestarts restarts fall within the last withinMs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 2000 }),
        (gaps, maxRestarts, withinMs) => {
          const times: number[] = [];
          let t = 0;
          for (const gap of gaps) {
            t += gap;
            times.push(t);
          }
          const limits = { maxRestarts, withinMs };
          const got = verdicts(times, limits);
          // Reference: count the restarts in (now - withinMs, now], each decided on its own.
          const want = times.map((now, i) => {
            const inWindow = times.slice(0, i + 1).filter((x) => x > now - withinMs).length;
            return inWindow > maxRestarts ? 'give-up' : 'ok';
          });
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never keeps more than maxRestarts + 1 timestamps while it answers ok', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 4 }),
        (gaps, maxRestarts) => {
          let window: readonly number[] = [];
          let t = 0;
          for (const gap of gaps) {
            t += gap;
            const r = recordRestart(window, t, { maxRestarts, withinMs: 1000 });
            expect(r.window.length).toBeLessThanOrEqual(maxRestarts + 1);
            if (r.verdict === 'give-up') return;
            window = r.window;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('decides exactly as RestartWindow does in place', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 3000 }),
        (gaps, maxRestarts, withinMs) => {
          const limits = { maxRestarts, withinMs };
          const inPlace = new RestartWindow(limits);
          let window: readonly number[] = [];
          let t = 0;
          for (const gap of gaps) {
            t += gap;
            const pure = recordRestart(window, t, limits);
            expect(inPlace.record(t)).toBe(pure.verdict);
            expect(inPlace.toArray()).toEqual(pure.window);
            window = pure.window;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
