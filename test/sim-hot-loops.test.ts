import { describe, expect, it } from 'vitest';
import { convergenceBound, type SimOptions, simulate } from '../src/sim/index.js';
import { expectClean } from './helpers/sim-clean.js';

describe('simulated hot loops: another writer undoes what the runtime writes', () => {
  it('stays correct while it fights, among zombie calls and the usual faults, and converges after', async () => {
    const options: SimOptions = {
      seed: 1,
      resources: 200,
      duration: 3_600_000,
      faultWindow: 1_800_000,
      changes: 3,
      concurrency: 20,
      faults: {
        failRate: 0.2,
        hangRate: 0.02,
        zombieRate: 0.05,
        zombieMs: [1000, 20_000],
        retryAfterRate: 0.02,
        latencyMs: [0, 200],
        flapRate: 0.7,
        flapMs: [1000, 30_000],
        outages: 1,
      },
    };
    const report = await simulate(options);
    // The faults really ran: hundreds of writes undone, hundreds of zombie calls, and resources
    // repaired again and again at one generation until the runtime called it a hot loop.
    expect(report.reverts).toBeGreaterThan(200);
    expect(report.zombies).toBeGreaterThan(200);
    expect(report.hotLoops).toBeGreaterThan(10);
    expect(report.hotLoopsEnded).toBeGreaterThan(0);
    expectClean(report, options);
    expect(report.timeToConvergeMs).toBeLessThanOrEqual(report.convergenceBoundMs);
  });

  it('needs flapMs in the convergence bound: an undo drawn before the faults stop lands after', async () => {
    const options: SimOptions = {
      seed: 2,
      resources: 40,
      duration: 1_200_000,
      faultWindow: 600_000,
      interval: 10_000,
      timeout: 5000,
      backoff: { capMs: 5000 },
      faults: { failRate: 0.1, flapRate: 1, flapMs: [1000, 60_000] },
    };
    const report = await simulate(options);
    const withoutFlap = convergenceBound({ interval: 10_000, capMs: 5000, timeout: 5000, retryAfterMs: 0 });
    expect(report.convergenceBoundMs).toBe(withoutFlap + 60_000);
    expect(report.hotLoops).toBeGreaterThan(10);
    expectClean(report, options);
    // The last repair came later than a bound without flapMs would allow.
    expect(report.timeToConvergeMs).toBeGreaterThan(withoutFlap);
    expect(report.timeToConvergeMs).toBeLessThanOrEqual(report.convergenceBoundMs);
  });
});
