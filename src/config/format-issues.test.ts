import { describe, expect, it } from 'vitest';
import { formatIssues } from './format-issues.js';
import type { ConfigIssue } from './issue.js';

const at = (file: string, line: number, column = 1): Pick<ConfigIssue, 'file' | 'line' | 'column'> => ({
  file,
  line,
  column,
});

const issues: ConfigIssue[] = [
  {
    code: 'unknown-kind',
    message: 'no provider for kind "dbs"',
    hint: 'add a provider',
    ...at('/cfg/b.yaml', 3, 7),
  },
  {
    code: 'duplicate-key',
    message: 'key "name" appears twice',
    hint: 'remove one',
    ...at('/cfg/a.yaml', 12, 5),
  },
  {
    code: 'cycle',
    message: 'dependency cycle: x/a -> x/b -> x/a',
    hint: 'break it',
    ...at('/cfg/a.yaml', 2),
  },
];

describe('formatIssues', () => {
  it('prints one block per issue, sorted by file then line, with its hint', () => {
    expect(formatIssues(issues, { relativeTo: '/cfg' })).toBe(
      [
        'a.yaml:2:1 error cycle: dependency cycle: x/a -> x/b -> x/a',
        '  hint: break it',
        'a.yaml:12:5 error duplicate-key: key "name" appears twice',
        '  hint: remove one',
        'b.yaml:3:7 error unknown-kind: no provider for kind "dbs"',
        '  hint: add a provider',
      ].join('\n'),
    );
  });

  it('shows paths as stored when not told what they are relative to', () => {
    expect(formatIssues(issues.slice(0, 1))).toMatch(/^\/cfg\/b\.yaml:3:7 error unknown-kind/);
  });

  it('colours for a terminal only when asked, and the text is the same underneath', () => {
    const plain = formatIssues(issues);
    const colored = formatIssues(issues, { color: true });
    expect(plain).not.toContain('\u001b[');
    expect(colored).toContain('\u001b[31merror\u001b[0m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('gives an empty string for no issues', () => {
    expect(formatIssues([])).toBe('');
  });
});

describe('control characters in messages', () => {
  it('are written escaped, never raw: a quoted spec cannot drive the terminal', () => {
    const hostile: ConfigIssue = {
      code: 'path-escape',
      message: 'path "\u001b]0;owned\u0007\u001b[2J\u0000\u202e/x" leaves the root',
      hint: 'a\tb\nc',
      ...at('/cfg/\u001b[31mred.yaml', 4, 9),
    };
    const text = formatIssues([hostile], { relativeTo: '/cfg' });
    expect(text.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u202e]/u);
    expect(text).toBe(
      '\\u001b[31mred.yaml:4:9 error path-escape: path "\\u001b]0;owned\\u0007\\u001b[2J\\u0000\\u202e/x" leaves the root\n  hint: a\\tb\\nc',
    );
  });
});
