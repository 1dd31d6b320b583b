import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssues } from './format-issues.js';
import { loadConfig } from './load-config.js';

// Each case is a directory holding a setpoint.yaml (and resource files), plus expected.json:
// the errors loading it must give, as { code, file (relative to the case), line }.
const BAD = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'bad');
const cases = readdirSync(BAD, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface Expected {
  code: string;
  file: string;
  line: number;
  /** "building providers": found only once the providers are built (by the command line). */
  when?: string;
}

const order = (a: Expected, b: Expected) =>
  a.file.localeCompare(b.file) || a.line - b.line || a.code.localeCompare(b.code);

describe('the corpus of bad inputs', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s is refused with exactly its expected errors', async (name) => {
    const dir = join(BAD, name);
    const raw: Expected | Expected[] = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
    const all = Array.isArray(raw) ? raw : [raw];
    const expected = all.filter((e) => e.when === undefined).sort(order);

    const result = await loadConfig(join(dir, 'setpoint.yaml'), { env: {} });
    if (expected.length === 0) {
      // Only building its providers refuses it (test/cli-bad-inputs.test.ts): the files are fine.
      expect(result.ok, result.ok ? '' : formatIssues(result.errors, { relativeTo: dir })).toBe(true);
      return;
    }

    expect(result.ok).toBe(false);
    if (result.ok) return;
    const actual = result.errors
      .map((e) => ({ code: e.code, file: relative(dir, e.file).replaceAll('\\', '/'), line: e.line }))
      .sort(order);
    expect(actual, formatIssues(result.errors, { relativeTo: dir })).toEqual(expected);
    for (const error of result.errors) {
      expect(error.message.length).toBeGreaterThan(0);
      expect(error.hint.length).toBeGreaterThan(0);
      expect(error.column).toBeGreaterThanOrEqual(1);
    }
  });
});
