import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactedJson, redactJsonText } from './redact-json.js';

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

describe('encoding a value as JSON with its secrets hidden', () => {
  it('hides a secret in values and keys, wherever it sits, and the JSON stays valid', () => {
    const value = { url: 'u:p"w\\@db', list: ['p"w\\', 1, null], 'p"w\\': { deep: 'x p"w\\ y' } };
    const text = redactedJson(value, ['p"w\\']);
    expect(JSON.parse(text)).toEqual({
      url: 'u:[redacted]@db',
      list: ['[redacted]', 1, null],
      '[redacted]': { deep: 'x [redacted] y' },
    });
  });

  it('hides a secret in what toJSON gives, in JSON quoted inside a string, and in a number', () => {
    const text = redactedJson(
      { when: { toJSON: () => 'at s"3' }, body: JSON.stringify({ p: 's"3' }), port: 4242 },
      ['s"3', '4242'],
    );
    expect(JSON.parse(text)).toEqual({
      when: 'at [redacted]',
      body: '{"p":"[redacted]"}',
      port: '[redacted]',
    });
  });

  it('encodes as JSON.stringify does when nothing is secret, with its indentation', () => {
    const value = { a: [1, 'two', { three: true }], b: 'x"y' };
    expect(redactedJson(value, [])).toBe(JSON.stringify(value));
    expect(redactedJson(value, ['', 'absent'], 2)).toBe(JSON.stringify(value, null, 2));
    expect(redactedJson(undefined, ['x'])).toBe('null');
  });
});
