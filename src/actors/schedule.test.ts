import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from '../backoff/backoff.js';
import type { ResourcePhase } from './phase.js';
import { failureDelay, type RestingTimes, restingDelay } from './schedule.js';

const times: RestingTimes = { intervalMs: 10_000, kindIntervalMs: 30_000, nextDelayMs: 4000, failed: false };
const middle = () => 0.5; // no jitter: the interval itself

describe('restingDelay', () => {
  const table: [ResourcePhase, Partial<RestingTimes>, number][] = [
    ['pending', {}, 0],
    ['synced', {}, 10_000],
    ['outOfSync', {}, 10_000],
    ['waiting', {}, 10_000],
    ['progressing', {}, 4000],
    ['backoff', {}, 4000],
    ['degraded', {}, 4000],
    ['backoff', { nextDelayMs: Number.POSITIVE_INFINITY }, Number.POSITIVE_INFINITY],
    ['deleteBackoff', {}, 30_000],
    ['deleteBackoff', { failed: true }, 4000],
    ['deleted', {}, Number.POSITIVE_INFINITY],
  ];

  it.each(table)('waits in %s %o: %d ms', (phase, over, expected) => {
    expect(restingDelay(phase, { ...times, ...over }, middle)).toBe(expected);
  });

  it('spreads resyncs over ±10 % of the interval, in whole ms', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.constantFrom<ResourcePhase>('synced', 'outOfSync', 'waiting'),
        (intervalMs, r, phase) => {
          const d = restingDelay(phase, { ...times, intervalMs }, () => r);
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(Math.floor(intervalMs * 0.9));
          expect(d).toBeLessThanOrEqual(Math.ceil(intervalMs * 1.1));
        },
      ),
    );
  });
});

describe('failureDelay', () => {
  const backoff = exponentialBackoff({ baseMs: 1000, capMs: 60_000, jitter: 'none' });

  it('follows the backoff from the first failure: 1 s, 2 s, 4 s … capped', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => failureDelay(backoff, n, false, undefined))).toEqual([
      1000, 2000, 4000, 8000, 60_000, 60_000, 60_000,
    ]);
  });

  it("never retries sooner than a server's Retry-After, even above the cap", () => {
    expect(failureDelay(backoff, 1, false, 5000)).toBe(5000);
    expect(failureDelay(backoff, 3, false, 1500)).toBe(4000);
    expect(failureDelay(backoff, 9, false, 120_000)).toBe(120_000);
  });

  it('waits for ever after a permanent error', () => {
    expect(failureDelay(backoff, 1, true, 5000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('hands decorrelated jitter the last delay from the second failure in a row on', () => {
    const top = exponentialBackoff({
      baseMs: 100,
      capMs: 60_000,
      jitter: 'decorrelated',
      random: () => 0.999,
    });
    // The first failure starts a chain: whatever was computed before plays no part.
    expect(failureDelay(top, 1, false, undefined, 50_000)).toBe(300);
    expect(failureDelay(top, 2, false, undefined, 300)).toBe(899);
    expect(failureDelay(top, 3, false, undefined, 899)).toBe(2694);
    expect(failureDelay(top, 9, false, undefined, 50_000)).toBe(59_940);
    expect(failureDelay(top, 2, false, 5000, 300)).toBe(5000);
  });
});
