import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';

const ms = (value: unknown) => {
  const result = parseDuration(value);
  return result.ok ? result.ms : `error: ${result.reason}`;
};

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['2s500ms', 2500],
    ['1h0m0s1ms', 3_600_001],
    ['1.5s', 1500],
    ['0.1h', 360_000],
    ['0s', 0],
    [' 30s ', 30_000],
    [0, 0],
    [250, 250],
  ] as const)('reads %j as %d ms', (text, expected) => {
    expect(ms(text)).toBe(expected);
  });

  it('tells minutes from milliseconds by the letter after the m', () => {
    expect(ms('5m')).toBe(300_000);
    expect(ms('5ms')).toBe(5);
    expect(ms('5m5ms')).toBe(300_005);
  });

  it.each([
    ['30', 'has no unit: write 30ms or 30s'],
    ['', 'is not a duration'],
    ['30 s', 'is not a duration'],
    ['30sec', 'is not a duration'],
    ['30m1h', 'is not a duration'],
    ['1s1s', 'is not a duration'],
    ['-5s', 'is not a duration'],
    ['1d', 'is not a duration'],
    ['1.0005s', 'is not a whole number of milliseconds'],
    ['1000h', 'is too long'],
  ])('refuses %j, saying it %s', (text, reason) => {
    expect(ms(text)).toContain(reason);
  });

  it.each([
    [-1, 'it must be 0 or more'],
    [1.5, 'not a whole number'],
    [Number.NaN, 'not a duration'],
    [Number.POSITIVE_INFINITY, 'not a duration'],
    [MAX_DURATION_MS + 1, 'too long'],
    [true, 'got boolean true'],
    [null, 'got null'],
    [['30s'], 'got a list'],
    [{ s: 30 }, 'got a mapping'],
  ])('refuses %j, saying %s', (value, reason) => {
    expect(ms(value)).toContain(reason);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (value) => {
        const result = parseDuration(value);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [500, '500ms'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [3_600_001, '1h1ms'],
  ])('writes %d ms as %s', (value, text) => {
    expect(formatDuration(value)).toBe(text);
  });

  it('is read back by parseDuration as the same number of milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (value) => {
        expect(parseDuration(formatDuration(value))).toEqual({ ok: true, ms: value });
      }),
      { numRuns: 1000 },
    );
  });

  it('throws a TypeError naming the value for anything but whole milliseconds', () => {
    expect(() => formatDuration(1.5)).toThrow(/`ms`.*`1.5`/);
    expect(() => formatDuration(-1)).toThrow(TypeError);
  });
});
