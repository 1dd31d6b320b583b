import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerMatches } from './bearer.js';

describe('bearer tokens', () => {
  it('accepts exactly `Bearer <token>`, the scheme in any case', () => {
    expect(bearerMatches('Bearer s3cret', 's3cret')).toBe(true);
    expect(bearerMatches('bearer s3cret', 's3cret')).toBe(true);
    expect(bearerMatches(['Bearer s3cret'], 's3cret')).toBe(true);
  });

  it('refuses a missing header, another scheme, another token, a prefix or an extension of it', () => {
    for (const header of [
      undefined,
      '',
      'Basic czNjcmV0',
      'Bearer',
      'Bearer ',
      'Bearer s3cre',
      'Bearer s3cret2',
      's3cret',
    ]) {
      expect(bearerMatches(header, 's3cret'), String(header)).toBe(false);
    }
  });

  it('accepts a token only when it is the very same string', () => {
    const token = fc.stringMatching(/^[!-~]{1,40}$/);
    fc.assert(
      fc.property(token, token, (expected, given) => {
        expect(bearerMatches(`Bearer ${given}`, expected)).toBe(given === expected);
      }),
      { numRuns: 1000 },
    );
  });
});
