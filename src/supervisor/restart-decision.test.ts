import { describe, expect, it } from 'vitest';
import { restartBackoff } from './restart-backoff.js';
import { decideRestart } from './restart-decision.js';
import type { Verdict } from './restart-intensity.js';

const backoff = restartBackoff({ minMs: 100, maxMs: 1000, randomFactor: 0, resetAfterMs: 5000 }, () => 0);
const spread = restartBackoff({ minMs: 100, maxMs: 1000, randomFactor: 0.2, resetAfterMs: 5000 }, () => 0.5);

describe('decideRestart', () => {
  it.each([
    // name, verdict, backoff, consecutive, startedAt, now, decision
    ['gives up when the window says so', 'give-up', undefined, 0, 0, 100, { giveUp: true }],
    ['gives up even with a backoff', 'give-up', backoff, 3, 0, 100, { giveUp: true }],
    [
      'restarts at once without a backoff, the count unchanged',
      'ok',
      undefined,
      0,
      0,
      100,
      { giveUp: false, delayMs: 0, consecutive: 0 },
    ],
    [
      'waits minMs before the first restart',
      'ok',
      backoff,
      0,
      0,
      100,
      { giveUp: false, delayMs: 100, consecutive: 1 },
    ],
    [
      'doubles the wait for a crash soon after the last restart',
      'ok',
      backoff,
      2,
      1000,
      1500,
      { giveUp: false, delayMs: 400, consecutive: 3 },
    ],
    [
      'caps the wait at maxMs',
      'ok',
      backoff,
      9,
      1000,
      1500,
      { giveUp: false, delayMs: 1000, consecutive: 10 },
    ],
    [
      'starts over from minMs after resetAfterMs of running',
      'ok',
      backoff,
      4,
      1000,
      6000,
      { giveUp: false, delayMs: 100, consecutive: 1 },
    ],
    ['adds the random factor', 'ok', spread, 1, 0, 10, { giveUp: false, delayMs: 220, consecutive: 2 }],
  ] as const)('%s', (_name, verdict, b, consecutive, startedAt, now, decision) => {
    expect(decideRestart(verdict as Verdict, b, consecutive, startedAt, now)).toEqual(decision);
  });
});
