import { describe, expect, it } from 'vitest';
import { shortDuration, table } from './table.js';

describe('plain text helpers', () => {
  it('aligns columns two spaces apart without trailing blanks', () => {
    expect(
      table([
        ['KEY', 'PHASE', 'ERROR'],
        ['files/motd', 'synced', ''],
        ['a', 'backoff', 'boom'],
      ]),
    ).toBe('KEY         PHASE    ERROR\nfiles/motd  synced\na           backoff  boom');
  });

  it('writes durations short', () => {
    expect([0, 12.4, 999, 1000, 1740, 59_999, 60_000, 125_000].map(shortDuration)).toEqual([
      '0ms',
      '12ms',
      '999ms',
      '1s',
      '1.7s',
      '60s',
      '1m',
      '2m5s',
    ]);
  });
});
