import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redact, secretForms } from './redact.js';

describe('redact', () => {
  it('replaces every occurrence of a secret', () => {
    expect(redact('a=hunter2 b=hunter2', ['hunter2'])).toBe(`a=${REDACTED} b=${REDACTED}`);
  });

  it('hides a secret that contains another secret whole', () => {
    expect(redact('token abc123', ['abc', 'abc123'])).toBe(`token ${REDACTED}`);
  });

  it('treats regular-expression characters in a secret as plain text', () => {
    expect(redact('p=a.b*c(d)', ['a.b*c(d)'])).toBe(`p=${REDACTED}`);
    expect(redact('p=axbbc', ['a.b*c'])).toBe('p=axbbc');
  });

  it('hides a secret as JSON escapes it, once and twice (JSON inside a JSON string)', () => {
    const secret = 'a"b\\c\n';
    const once = JSON.stringify({ password: secret });
    const twice = JSON.stringify({ log: once });
    expect(redact(once, [secret])).toBe(`{"password":"${REDACTED}"}`);
    expect(redact(twice, [secret])).toBe(`{"log":"{\\"password\\":\\"${REDACTED}\\"}"}`);
    expect(secretForms(secret)).toEqual([secret, 'a\\"b\\\\c\\n', 'a\\\\\\"b\\\\\\\\c\\\\n']);
    expect(secretForms('plain')).toEqual(['plain']);
  });

  it('leaves the text alone when there are no secrets or only empty ones', () => {
    expect(redact('nothing to hide', [])).toBe('nothing to hide');
    expect(redact('nothing to hide', [''])).toBe('nothing to hide');
  });

  it('leaves no secret in the text (for secrets that share no character with the marker)', () => {
    const secret = fc.string({
      unit: fc.constantFrom('x', 'y', 'z', '.', '*', '1'),
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(secret, fc.string())),
        fc.array(secret, { maxLength: 4 }),
        (parts, secrets) => {
          const out = redact(parts.join(''), secrets);
          for (const s of secrets) expect(out.includes(s)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('changes nothing in text that contains no secret', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ') }), (text) => {
        expect(redact(text, ['x', 'yz'])).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});
