import { expect } from 'vitest';
import { formatReport, type SimOptions, type SimReport } from '../../src/sim/index.js';
import { INVARIANTS } from '../../src/sim/violation.js';

/**
 * A simulation run is clean: no invariant broken, and converged. When it is not, the whole report
 * and how to replay it (`replay`: a command, or the options to pass to `simulate`) are printed
 * where a person running the tests will see them.
 */
export function expectClean(report: SimReport, replay: string | SimOptions): void {
  const broken = INVARIANTS.filter((name) => report.violationCounts[name] > 0);
  if (broken.length > 0 || !report.converged) {
    const command = typeof replay === 'string' ? replay : `simulate(${JSON.stringify(replay)})`;
    console.error(formatReport(report, { replay: command }));
  }
  expect(broken).toEqual([]);
  expect(report.converged).toBe(true);
}
