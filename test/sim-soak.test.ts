import { describe, expect, it } from 'vitest';
import { simulate, soakCommand, soakOptions } from '../src/sim/index.js';
import { expectClean } from './helpers/sim-clean.js';

describe('the soak, small: 1,000 resources for one virtual hour', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`keeps every invariant and converges within the bound under faults, seed ${seed}`, async () => {
      const settings = { seed, resources: 1000, hours: 1 };
      const report = await simulate(soakOptions(settings));
      expectClean(report, soakCommand(settings));
      expect(report.timeToConvergeMs).toBeLessThanOrEqual(report.convergenceBoundMs);
      // The faults really were there, and the runtime really worked through them.
      expect(report.failures).toBeGreaterThan(1000);
      expect(report.operations.create).toBeGreaterThan(900);
      expect(report.operations.update).toBeGreaterThan(0);
      expect(report.operations.delete).toBeGreaterThan(0);
      expect(report.desiredSets).toBe(4);
    });
  }
});
