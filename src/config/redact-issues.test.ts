import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { showsWholeOrStart } from '../../test/helpers/secret-forms.js';
import { REDACTED } from '../contract/redact.js';
import { type ConfigIssue, issue, quote } from './issue.js';
import { redactIssues } from './redact-issues.js';

/** Whether `text` shows `secret`, whole or any start of it before a cut. */
const shows = (text: string, secret: string) => showsWholeOrStart(text, secret, 1);

const AT = { file: '/cfg/setpoint.yaml', line: 3, column: 7 };

function one(message: string, hint = 'write 30s'): ConfigIssue {
  return issue('bad-duration', AT, message, hint);
}

describe('redacting the issues of a config that fails its checks', () => {
  it('hides a secret in the message and the hint, and keeps everything else of the issue', () => {
    const [out] = redactIssues([one('"hunter2" has no unit', 'write hunter2ms')], ['hunter2']);
    expect(out).toEqual(one('"[redacted]" has no unit', 'write [redacted]ms'));
  });

  it('hides a secret as a message quotes it: JSON-escaped, and trimmed', () => {
    const secret = ' a"b\\c ';
    const issues = [one(`${quote(secret)} is not a duration`), one('write a"b\\cms or a"b\\cs')];
    expect(redactIssues(issues, [secret]).map((i) => i.message)).toEqual([
      `"${REDACTED}" is not a duration`,
      `write ${REDACTED}ms or ${REDACTED}s`,
    ]);
  });

  it('hides the start of a secret in a value cut short, and nothing before it', () => {
    const value = `${'x'.repeat(36)}s3cr"et-value`; // cut at 40 characters: xxx…s3cr"
    const [out] = redactIssues([one(`${quote(value)} is not host:port`)], ['s3cr"et-value']);
    expect(out?.message).toBe(`"${'x'.repeat(36)}${REDACTED}…" is not host:port`);
  });

  it('changes nothing when there are no secrets, or none in the issues', () => {
    const issues = [one('"30x" is not a duration'), one('a cut value that is not secret…')];
    expect(redactIssues(issues, [])).toEqual(issues);
    expect(redactIssues(issues, ['', 'hunter2'])).toEqual(issues);
  });

  it('leaves no secret readable, whole or cut short, in a message that quotes any value holding it', () => {
    const unit = fc.oneof(
      fc.constantFrom('"', '\\', '\n', '\t', ' ', 'é', '😀', '\ud800', '…', '/', '$'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const secret = fc.string({ unit, minLength: 1, maxLength: 24 });
    const noise = (minLength: number, maxLength: number) =>
      fc.string({ unit: fc.constantFrom('x', 'y', ' ', ':', '1'), minLength, maxLength });
    // Messages cut a value at 40 characters: the secret often straddles the cut.
    fc.assert(
      fc.property(secret, noise(20, 45), noise(0, 10), (s, before, after) => {
        const message = `${quote(before + s + after)} is not a duration: write ${(before + s).trim()}ms`;
        // What stays around the secret must not spell it out by itself (nor end like the marker).
        const around = `${quote(`${before}${after}`)} is not a duration: write ms${REDACTED}`;
        fc.pre(!shows(around, s) && !shows(`${REDACTED}…`, s));
        const [out] = redactIssues([one(message, `not ${s}`)], [s]);
        expect(shows(out?.message ?? s, s)).toBe(false);
        expect(shows(out?.hint ?? s, s)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
