import { describe, expect, it } from 'vitest';
import {
  CONVERGENCE_SLACK_MS,
  convergenceBound,
  formatReport,
  resolveSimOptions,
  type SimReport,
  simulate,
  soakCommand,
  soakOptions,
} from './index.js';
import { INVARIANTS, type ViolationCounts } from './violation.js';

const base = { seed: 1, resources: 10, duration: 600_000 };

describe('simulation options', () => {
  it('fills in the defaults and the convergence bound from the runtime settings', () => {
    const o = resolveSimOptions(base);
    expect(o.faultWindow).toBe(300_000);
    expect(o.interval).toBe(30_000);
    expect(o.convergenceBoundMs).toBe(33_000 + 60_000 + 30_000 + CONVERGENCE_SLACK_MS);
    expect(convergenceBound({ interval: 10_000, capMs: 5000, timeout: 3000, retryAfterMs: 8000 })).toBe(
      11_000 + 8000 + 3000 + CONVERGENCE_SLACK_MS,
    );
    // A zombie holds its key past the timeout for up to its longest zombieMs.
    const zombies = resolveSimOptions({ ...base, faults: { zombieRate: 0.1, zombieMs: [1000, 7000] } });
    expect(zombies.convergenceBoundMs).toBe(33_000 + 60_000 + 30_000 + 7000 + CONVERGENCE_SLACK_MS);
    const unused = resolveSimOptions({ ...base, faults: { zombieMs: 7000 } });
    expect(unused.convergenceBoundMs).toBe(o.convergenceBoundMs);
    // An undo by another writer drawn before the faults stopped may land up to flapMs after.
    const flaps = resolveSimOptions({ ...base, faults: { flapRate: 0.3, flapMs: [1000, 9000] } });
    expect(flaps.convergenceBoundMs).toBe(33_000 + 60_000 + 30_000 + 9000 + CONVERGENCE_SLACK_MS);
    expect(resolveSimOptions({ ...base, faults: { flapMs: 9000 } }).convergenceBoundMs).toBe(
      o.convergenceBoundMs,
    );
    // The hot-loop policy is the runtime's unless told otherwise.
    expect(o.hotLoop).toEqual({ maxApplies: 5, window: 600_000 });
    expect(resolveSimOptions({ ...base, hotLoop: { window: 60_000 } }).hotLoop).toEqual({
      maxApplies: 5,
      window: 60_000,
    });
  });

  it('rejects bad options with a TypeError that names the option and the value', () => {
    const cases: [object, RegExp][] = [
      [{ ...base, seed: 1.5 }, /`seed`.*1\.5/],
      [{ ...base, resources: 0 }, /`resources`.*0/],
      [{ ...base, duration: undefined }, /`duration`/],
      [{ ...base, kinds: -1 }, /`kinds`/],
      [{ ...base, preexisting: 2 }, /`preexisting`.*from 0 to 1/],
      [{ ...base, faults: { outages: 1.5 } }, /`faults.outages`/],
      [{ ...base, faults: { outageMs: [5, 1] } }, /`faults.outageMs`/],
      [{ ...base, faults: { zombieRate: -0.1 } }, /`faults.zombieRate` to be a number from 0 to 1/],
      [
        { ...base, faults: { zombieMs: [9, 3] } },
        /`faults.zombieMs` to be a number of ms >= 0, or \[min, max\]/,
      ],
      [{ ...base, faults: { failRate: 0.9, zombieRate: 0.2 } }, /rates in `faults`.*add up to at most 1/],
      [{ ...base, faults: { flapRate: 1.2 } }, /`faults.flapRate` to be a number from 0 to 1/],
      [{ ...base, faults: { flapMs: [9, 3] } }, /`faults.flapMs` to be a number of ms >= 0, or \[min, max\]/],
      [{ ...base, faults: { flapRates: 0.1 } }, /Unknown option `faults.flapRates`/],
      [{ ...base, hotLoop: { maxApplies: 0 } }, /`hotLoop.maxApplies`/],
      [{ ...base, hotLoop: { maxApplies: 2.5 } }, /`hotLoop.maxApplies` to be a whole number/],
      [{ ...base, hotLoop: { window: -1 } }, /`hotLoop.window`/],
      [{ ...base, faultWindow: 590_000 }, /`duration`.*room.*convergence bound/],
    ];
    for (const [options, message] of cases) {
      expect(() => resolveSimOptions(options as never)).toThrow(TypeError);
      expect(() => resolveSimOptions(options as never)).toThrow(message);
    }
  });

  it('rejects bad fault rates when the simulation starts, naming the option', async () => {
    await expect(simulate({ ...base, faults: { failRate: 2 } })).rejects.toThrow(/failRate/);
  });
});

describe('the soak profile', () => {
  it('is the same simulation from the command line and from code, and says how to replay it', () => {
    const settings = { seed: 7, resources: 1000, hours: 1 };
    expect(soakCommand(settings)).toBe('npm run soak -- --seed 7 --resources 1000 --hours 1');
    expect(soakCommand({ seed: 3, crashRate: 0.001, faultHours: 2 })).toBe(
      'npm run soak -- --seed 3 --fault-hours 2 --crash-rate 0.001',
    );
    const o = soakOptions(settings);
    expect(o).toMatchObject({ seed: 7, resources: 1000, duration: 3_600_000, faultWindow: 1_200_000 });
    expect(o.faults).toMatchObject({ failRate: 0.3, hangRate: 0.05 });
    expect(() => resolveSimOptions(soakOptions({ seed: 1 }))).not.toThrow();
  });
});

describe('the report', () => {
  const zero = Object.fromEntries(INVARIANTS.map((name) => [name, 0])) as ViolationCounts;
  const report: SimReport = {
    seed: 9,
    resources: 10,
    kinds: 2,
    durationMs: 3_600_000,
    faultWindowMs: 1_800_000,
    converged: true,
    timeToConvergeMs: 1234,
    convergenceBoundMs: 124_000,
    operations: { observe: 1, create: 2, update: 3, delete: 4, restart: 0 },
    failures: 5,
    crashes: 0,
    restarts: 0,
    escalations: 0,
    zombies: 0,
    reverts: 0,
    hotLoops: 0,
    hotLoopsEnded: 0,
    runtimeFailed: false,
    desiredSets: 2,
    held: 0,
    violationCounts: zero,
    violations: [],
    traceHash: 'ab'.repeat(32),
    traceSteps: 100,
  };

  it('prints every invariant with its count, and no replay line when all is well', () => {
    const text = formatReport(report);
    for (const name of INVARIANTS) expect(text).toContain(`${name} 0`);
    expect(text).toContain('converged 1234 ms after the faults stopped');
    expect(text).not.toContain('replay');
    expect(text).not.toContain('hot loops');
    const fought = formatReport({ ...report, reverts: 40, hotLoops: 7, hotLoopsEnded: 5 });
    expect(fought).toContain('writes undone by another writer 40');
    expect(fought).toContain('hot loops 7, ended 5');
  });

  it('prints the seed, each violation and how to replay it when something broke', () => {
    const broken: SimReport = {
      ...report,
      converged: false,
      timeToConvergeMs: undefined,
      violationCounts: { ...zero, 'no-stale-spec': 1 },
      violations: [
        {
          invariant: 'no-stale-spec',
          step: 77,
          atMs: 5000,
          key: 'app/r1',
          detail: 'update with an old spec',
        },
      ],
    };
    const text = formatReport(broken);
    expect(text).toContain('seed 9');
    expect(text).toContain('VIOLATION no-stale-spec at step 77 (5000 ms) app/r1: update with an old spec');
    expect(text).toContain('DID NOT CONVERGE');
    expect(text).toContain('replay with: npm run soak -- --seed 9');
    expect(formatReport(broken, { replay: 'npm run soak -- --seed 9 --hours 1' })).toContain(
      'replay with: npm run soak -- --seed 9 --hours 1',
    );
  });
});
