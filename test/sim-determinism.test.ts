import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type SimOptions, simulate } from '../src/sim/index.js';

/** Every kind of fault at once, with desired-set changes: the most there is to get wrong. */
const options = (seed: number): SimOptions => ({
  seed,
  resources: 150,
  duration: 1_800_000,
  faultWindow: 900_000,
  changes: 4,
  interval: 30_000,
  timeout: 5000,
  backoff: { baseMs: 200, capMs: 10_000 },
  faults: {
    failRate: 0.25,
    hangRate: 0.05,
    latencyMs: [0, 500],
    retryAfterRate: 0.05,
    retryAfterMs: 2000,
    permanentRate: 0.005,
    crashRate: 0.01,
    outages: 2,
  },
});

describe('determinism', () => {
  it('gives the same trace, byte for byte, and the same report for the same seed', async () => {
    const first = await simulate(options(42));
    const second = await simulate(options(42));
    expect(second.traceHash).toBe(first.traceHash);
    expect(second).toEqual(first);
    expect(first.traceSteps).toBeGreaterThan(10_000);
    expect(first.crashes).toBeGreaterThan(0);
  });

  it('gives a different trace for a different seed', async () => {
    const a = await simulate(options(1));
    const b = await simulate(options(2));
    expect(a.traceHash).not.toBe(b.traceHash);
  });

  it('hashes exactly the trace it keeps: every call and event, stamped with virtual time', async () => {
    const report = await simulate({ ...options(7), keepTrace: true });
    const lines = report.trace!;
    expect(lines).toHaveLength(report.traceSteps);
    expect(
      createHash('sha256')
        .update(`${lines.join('\n')}\n`)
        .digest('hex'),
    ).toBe(report.traceHash);
    expect(lines[0]).toMatch(/^0 0 /);
    expect(lines.some((l) => / > create app\/r\d+ \{/.test(l))).toBe(true);
    expect(lines.some((l) => / < observe db\/r\d+ err TimeoutError/.test(l))).toBe(true);
    expect(lines.some((l) => / ! action:failed \{/.test(l))).toBe(true);
    expect(lines.some((l) => l.endsWith('* faults off'))).toBe(true);
    // Steps are numbered in order and virtual time never runs backwards.
    let last = 0;
    lines.forEach((line, i) => {
      const [step, at] = line.split(' ');
      expect(Number(step)).toBe(i);
      expect(Number(at)).toBeGreaterThanOrEqual(last);
      last = Number(at);
    });
  });
});
