/**
 * The check for exercise 03. `npm run exercise -- 03` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordRestart as reference } from '../../src/supervisor/restart-intensity.js';
import { holds } from '../check-helpers.js';

type Impl = typeof import('./solution.js');
const { recordRestart }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);
type Verdict = import('./solution.js').Verdict;

const elixir = { maxRestarts: 3, withinMs: 5000 };

/** Feed restarts at `times` through recordRestart; the verdict of each. */
function verdicts(times: readonly number[], limits = elixir): Verdict[] {
  let window: readonly number[] = [];
  return times.map((now) => {
    const next = recordRestart(window, now, limits);
    window = next.window;
    return next.verdict;
  });
}

describe('recordRestart', () => {
  it('allows 3 restarts in 5 s and gives up at the 4th', () => {
    expect(verdicts([0, 1000, 2000, 3000]), 'the 4th restart within 5 s is one too many').toEqual([
      'ok',
      'ok',
      'ok',
      'give-up',
    ]);
  });

  it('forgets restarts that have left the window', () => {
    expect(
      verdicts([0, 1000, 2000, 5500]),
      'at 5.5 s the restart at 0 s is more than 5 s old: only 3 count. Hint: drop what is too old',
    ).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('never gives up on a child that crashes every 2 s, however long it runs', () => {
    const every2s = Array.from({ length: 100 }, (_, i) => i * 2000);
    expect(
      verdicts(every2s).filter((v) => v === 'give-up'),
      'crashing every 2 s puts at most 3 restarts in any 5 s window',
    ).toEqual([]);
  });

  it('treats a restart exactly withinMs ago as gone', () => {
    expect(
      verdicts([0, 1000, 2000, 5000]),
      'at 5 s the restart at 0 s is exactly 5 s old: it has left the window (keep t > now - withinMs)',
    ).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('keeps the window newest first, without the restarts that left it', () => {
    let window: readonly number[] = [];
    for (const now of [0, 1000, 2000, 6500]) window = recordRestart(window, now, elixir).window;
    expect(window, 'after restarts at 0, 1, 2 and 6.5 s, only 2 and 6.5 s are within 5 s').toEqual([
      6500, 2000,
    ]);
  });

  it('gives up at the first restart when maxRestarts is 0', () => {
    expect(verdicts([0], { maxRestarts: 0, withinMs: 5000 })).toEqual(['give-up']);
  });

  it('never gives up and keeps no list when maxRestarts is Infinity', () => {
    const limits = { maxRestarts: Number.POSITIVE_INFINITY, withinMs: 5000 };
    let window: readonly number[] = [];
    for (let now = 0; now < 1000; now++) {
      const next = recordRestart(window, now, limits);
      expect(next.verdict).toBe('ok');
      window = next.window;
    }
    expect(window.length, 'with no limit there is nothing to count: do not grow a list forever').toBe(0);
  });
});

const limits = fc.record({
  maxRestarts: fc.integer({ min: 0, max: 6 }),
  withinMs: fc.integer({ min: 1, max: 10_000 }),
});
const gaps = fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 1, maxLength: 40 });

describe('recordRestart, on 1,000 random crash histories', () => {
  it("agrees with setpoint's own supervisor, restart by restart", () => {
    holds(
      'your verdict or window differs from the reference for these limits and gaps between restarts',
      fc.property(limits, gaps, (l, steps) => {
        let mine: readonly number[] = [];
        let theirs: readonly number[] = [];
        let now = 0;
        for (const gap of steps) {
          now += gap;
          const a = recordRestart(mine, now, l);
          const b = reference(theirs, now, l);
          expect(a).toEqual(b);
          mine = a.window;
          theirs = b.window;
        }
      }),
    );
  });

  it('never keeps more than the restarts of the last withinMs', () => {
    holds(
      'the window kept a restart that is withinMs old or older',
      fc.property(limits, gaps, (l, steps) => {
        let window: readonly number[] = [];
        let now = 0;
        for (const gap of steps) {
          now += gap;
          window = recordRestart(window, now, l).window;
          expect(window.every((t) => t > now - l.withinMs)).toBe(true);
        }
      }),
    );
  });
});
