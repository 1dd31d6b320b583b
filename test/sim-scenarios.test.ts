import { describe, expect, it } from 'vitest';
import { type SimOptions, simulate } from '../src/sim/index.js';
import { expectClean } from './helpers/sim-clean.js';

describe('simulated scenarios', () => {
  for (const seed of [21, 22]) {
    it(`keeps every invariant at the default 30 s interval with every fault but crashes, seed ${seed}`, async () => {
      const options: SimOptions = {
        seed,
        resources: 300,
        duration: 3_600_000,
        faultWindow: 1_800_000,
        changes: 4,
        concurrency: 20,
        faults: {
          failRate: 0.3,
          hangRate: 0.05,
          retryAfterRate: 0.02,
          latencyMs: [0, 200],
          outages: 2,
        },
      };
      const report = await simulate(options);
      expectClean(report, options);
      expect(report.timeToConvergeMs).toBeLessThanOrEqual(report.convergenceBoundMs);
    });
  }

  it('holds resources Degraded after a permanent error, and converges everything else', async () => {
    const options: SimOptions = {
      seed: 5,
      resources: 200,
      duration: 1_800_000,
      faultWindow: 900_000,
      changes: 3,
      faults: { failRate: 0.1, permanentRate: 0.01 },
    };
    const report = await simulate(options);
    expectClean(report, options);
    expect(report.held).toBeGreaterThan(0);
  });

  it('applies only the latest spec, or the last-good one, when rollback is on', async () => {
    const options: SimOptions = {
      seed: 9,
      resources: 200,
      duration: 1_800_000,
      faultWindow: 900_000,
      changes: 8,
      maxRetries: 2,
      rollback: true,
      backoff: { baseMs: 100, capMs: 2000 },
      faults: { failRate: 0.5, latencyMs: [0, 100] },
    };
    const report = await simulate(options);
    expectClean(report, options);
    expect(report.operations.update).toBeGreaterThan(0);
  });
});
