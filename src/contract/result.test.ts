import { describe, expect, it } from 'vitest';
import { err, ok, type Result, unwrap } from './result.js';

describe('Result', () => {
  it('holds a value or the errors', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(err([{ message: 'no' }])).toEqual({ ok: false, errors: [{ message: 'no' }] });
  });

  it('refuses a failure without errors', () => {
    expect(() => err([])).toThrow(TypeError);
  });

  it('unwraps a value, and throws every message of a failure', () => {
    expect(unwrap(ok('v'))).toBe('v');
    const failed: Result<string, { message: string }> = err([{ message: 'first' }, { message: 'second' }]);
    expect(() => unwrap(failed)).toThrow('first\nsecond');
  });
});
