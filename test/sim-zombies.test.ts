import { describe, expect, it } from 'vitest';
import { type SimOptions, simulate } from '../src/sim/index.js';
import { expectClean } from './helpers/sim-clean.js';

describe('simulated zombie calls', () => {
  it('keeps one operation per key while calls run on past their timeout and write late', async () => {
    const options: SimOptions = {
      seed: 31,
      resources: 300,
      duration: 3_600_000,
      faultWindow: 1_800_000,
      changes: 4,
      concurrency: 20,
      faults: {
        failRate: 0.25,
        hangRate: 0.03,
        zombieRate: 0.05,
        zombieMs: [1000, 20_000],
        retryAfterRate: 0.02,
        latencyMs: [0, 200],
        outages: 2,
      },
    };
    const report = await simulate(options);
    expect(report.zombies).toBeGreaterThan(100); // the fault really ran, hundreds of times
    expectClean(report, options);
    expect(report.timeToConvergeMs).toBeLessThanOrEqual(report.convergenceBoundMs);
  });
});
