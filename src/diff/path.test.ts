import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPath, isPrefixOf, type PathSegment, parsePath } from './path.js';

describe('formatPath and parsePath', () => {
  it.each<[PathSegment[], string]>([
    [[], ''],
    [['replicas'], 'replicas'],
    [['env', 'A'], 'env.A'],
    [['ports', 0, 'port'], 'ports[0].port'],
    [['matrix', 1, 2], 'matrix[1][2]'],
    [['labels', 'app.kubernetes.io/name'], 'labels["app.kubernetes.io/name"]'],
    [['a b', ''], '["a b"][""]'],
    [['say "hi"'], '["say \\"hi\\""]'],
    [['esc\u001b'], '["esc\\u001b"]'],
    [['0644'], '0644'],
    [['x', '0'], 'x.0'],
  ])('writes %j as %s and reads it back', (segments, path) => {
    expect(formatPath(segments)).toBe(path);
    expect(parsePath(path)).toEqual(segments);
  });

  it.each([
    'a..b',
    'a.',
    '.a',
    'a[',
    'a[]',
    'a[-1]',
    'a[01]',
    'a[1.5]',
    'a["x"',
    'a["x"]b',
    'a]',
    'a b',
    '["a" ]',
  ])('rejects the malformed path %j', (path) => {
    expect(parsePath(path)).toBeUndefined();
  });

  it('reads back every path it writes', () => {
    const segment = fc.oneof(fc.string({ maxLength: 6 }), fc.nat({ max: 20 }));
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), (segments) => {
        expect(parsePath(formatPath(segments))).toEqual(segments);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('isPrefixOf', () => {
  it('compares whole segments, never parts of names', () => {
    expect(isPrefixOf(['a'], ['a', 'b'])).toBe(true);
    expect(isPrefixOf(['a'], ['a'])).toBe(true);
    expect(isPrefixOf([], ['a'])).toBe(true);
    expect(isPrefixOf(['a'], ['ab'])).toBe(false);
    expect(isPrefixOf(['a', 'b'], ['a'])).toBe(false);
    expect(isPrefixOf(['a', 0], ['a', '0'])).toBe(false);
  });
});
