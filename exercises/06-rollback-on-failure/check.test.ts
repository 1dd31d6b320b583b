/**
 * The check for exercise 06. `npm run exercise -- 06` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../src/time/test-clock.js';
import { holdsAsync } from '../check-helpers.js';

type Impl = typeof import('./solution.js');
const { converge }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);
type Spec = import('./solution.js').Spec;
type Memory = import('./solution.js').Memory;

/** A server whose config `apply` refuses any spec with more than 8 workers, after switching its version. */
function server(clock: TestClock, initial: Spec) {
  const calls: { at: number; spec: Spec }[] = [];
  let state: Spec = { ...initial };
  return {
    calls,
    get state() {
      return state;
    },
    async apply(spec: Spec) {
      calls.push({ at: clock.now(), spec: { ...spec } });
      state = { ...state, version: spec.version ?? null }; // step 1 happens either way
      if (typeof spec.workers === 'number' && spec.workers > 8)
        throw new Error(`too many workers: ${spec.workers}`);
      state = { ...state, ...spec };
    },
  };
}

const v1 = { version: '1.0', workers: 4 };
const bad = { version: '2.0', workers: 16 };
const good = { version: '2.0', workers: 8 };
const options = (clock: TestClock) => ({ maxRetries: 3, delayMs: (n: number) => 1000 * 2 ** n, clock });

type Outcome = import('./solution.js').Outcome;

/** Run converge to the end on the test clock. */
async function run(clock: TestClock, promise: Promise<Outcome>): Promise<Outcome> {
  let done = false;
  void promise.finally(() => (done = true));
  for (let i = 0; i < 100 && !done; i++) await clock.advance(1000);
  return promise;
}

describe('converge', () => {
  it('applies a good spec once and remembers it as last-good', async () => {
    const clock = new TestClock();
    const target = server(clock, v1);
    const memory: Memory = { lastGood: v1 };
    expect(await run(clock, converge(target, good, memory, options(clock)))).toEqual({
      result: 'synced',
      failures: 0,
    });
    expect(target.calls.length).toBe(1);
    expect(memory.lastGood, 'a spec that applied is the new last-good').toEqual(good);
  });

  it('waits the backoff between tries, on the clock it is given', async () => {
    const clock = new TestClock();
    const target = server(clock, v1);
    await run(clock, converge(target, bad, { lastGood: undefined }, options(clock)));
    expect(
      target.calls.map((c) => c.at),
      'three tries: at 0, after 1000 ms, then after 2000 more. Hint: await a promise resolved by clock.setTimeout',
    ).toEqual([0, 1000, 3000]);
  });

  it('never records a spec as last-good before it has applied', async () => {
    const clock = new TestClock();
    const target = server(clock, v1);
    const memory: Memory = { lastGood: v1 };
    await run(clock, converge(target, bad, memory, options(clock)));
    expect(memory.lastGood, 'the bad spec never applied: last-good is still 1.0 with 4 workers').toEqual(v1);
  });

  it('rolls back to the last-good spec once the retries are used up', async () => {
    const clock = new TestClock();
    const target = server(clock, v1);
    const outcome = await run(clock, converge(target, bad, { lastGood: v1 }, options(clock)));
    expect(outcome, 'three failures, then the last-good spec applies').toEqual({
      result: 'rolled-back',
      failures: 3,
      error: 'too many workers: 16',
    });
    expect(target.calls.at(-1), 'the rollback is applied at once, after the last failure').toEqual({
      at: 3000,
      spec: v1,
    });
    expect(target.state, 'the half-applied 2.0 is undone').toEqual(v1);
  });

  it('fails without a last-good spec to go back to', async () => {
    const clock = new TestClock();
    const target = server(clock, v1);
    expect(await run(clock, converge(target, bad, { lastGood: undefined }, options(clock)))).toEqual({
      result: 'failed',
      failures: 3,
      error: 'too many workers: 16',
    });
    expect(target.calls.length, 'no rollback attempt without a last-good spec').toBe(3);
  });

  it('does not "roll back" to the very spec that keeps failing', async () => {
    const clock = new TestClock();
    const target = server(clock, v1);
    const outcome = await run(clock, converge(target, bad, { lastGood: { ...bad } }, options(clock)));
    expect(outcome.result).toBe('failed');
    expect(target.calls.length, 'last-good equals desired: a 4th try of it would change nothing').toBe(3);
  });

  it('succeeds on a later try, and records that spec as last-good', async () => {
    const clock = new TestClock();
    let left = 2;
    const calls: number[] = [];
    const flaky = {
      async apply() {
        calls.push(clock.now());
        if (left-- > 0) throw new Error('busy');
      },
    };
    const memory: Memory = { lastGood: v1 };
    expect(await run(clock, converge(flaky, good, memory, options(clock)))).toEqual({
      result: 'synced',
      failures: 2,
    });
    expect(calls).toEqual([0, 1000, 3000]);
    expect(memory.lastGood).toEqual(good);
  });
});

describe('converge, on 1,000 random failure scripts', () => {
  it('ends in the desired spec or the last-good one, and keeps last-good honest', async () => {
    await holdsAsync(
      'for this script (maxRetries, failures of the desired spec, rollback fails?) the outcome broke a rule',
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        fc.boolean(),
        async (maxRetries, failing, hasLastGood, rollbackFails) => {
          const clock = new TestClock();
          let left = failing;
          const applied: Spec[] = [];
          const target = {
            async apply(spec: Spec) {
              if (spec === desired || spec.version === desired.version) {
                if (left-- > 0) throw new Error('nope');
              } else if (rollbackFails) throw new Error('rollback refused');
              applied.push(spec);
            },
          };
          const desired: Spec = { version: 'new' };
          const memory: Memory = { lastGood: hasLastGood ? { version: 'old' } : undefined };
          const outcome = await run(
            clock,
            converge(target, desired, memory, { maxRetries, delayMs: () => 100, clock }),
          );
          if (failing < maxRetries) {
            expect(outcome).toEqual({ result: 'synced', failures: failing });
            expect(memory.lastGood).toEqual(desired);
          } else {
            expect(outcome.result).toBe(hasLastGood && !rollbackFails ? 'rolled-back' : 'failed');
            expect(memory.lastGood, 'last-good only ever holds a spec that applied').toEqual(
              hasLastGood ? { version: 'old' } : undefined,
            );
            expect(applied, 'only the rollback may have applied').toEqual(
              hasLastGood && !rollbackFails ? [{ version: 'old' }] : [],
            );
          }
        },
      ),
    );
  });
});
