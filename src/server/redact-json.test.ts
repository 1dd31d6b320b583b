import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactJsonText } from './redact-json.js';

describe('redacting JSON text', () => {
  it('hides a secret as written and as JSON escapes it', () => {
    const text = JSON.stringify({ a: 'pa"ss', b: 'x pa"ss y' });
    expect(redactJsonText(text, ['pa"ss'])).toBe('{"a":"[redacted]","b":"x [redacted] y"}');
    expect(redactJsonText('plain', [])).toBe('plain');
  });

  it('leaves no secret readable in any JSON document that holds it', () => {
    // Secrets with quotes, backslashes and control characters, which JSON escapes.
    const char = fc.constantFrom(...'abcXYZ019"\\\n\t/é'.split(''));
    const secret = fc.array(char, { minLength: 3, maxLength: 16 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(secret, fc.array(fc.string(), { maxLength: 4 }), (s, noise) => {
        const doc = { spec: { password: s, note: `${noise.join(s)}!` }, list: [...noise, s] };
        const redacted = redactJsonText(JSON.stringify(doc), [s]);
        expect(redacted).not.toContain(JSON.stringify(s).slice(1, -1));
        expect(redacted).toContain('[redacted]');
      }),
      { numRuns: 1000 },
    );
  });
});
