import { isAbsolute, relative } from 'node:path';
import { type ConfigIssue, sortIssues } from './issue.js';

export interface FormatIssuesOptions {
  /** Colour the output with ANSI escapes (for a terminal). Default false. */
  readonly color?: boolean;
  /** Show file paths relative to this directory (e.g. the working directory). Default: as stored. */
  readonly relativeTo?: string;
}

const RED = '\u001b[31m';
const BOLD = '\u001b[1m';
const DIM = '\u001b[2m';
const CYAN = '\u001b[36m';
const RESET = '\u001b[0m';

/**
 * Issues as text for people, sorted by file then line, one block each:
 *
 * ```text
 * resources/files.yaml:12:5 error duplicate-key: key "name" appears twice in this mapping
 *   hint: remove one of them
 * ```
 *
 * The text ends without a newline; an empty list gives an empty string.
 */
export function formatIssues(issues: readonly ConfigIssue[], options: FormatIssuesOptions = {}): string {
  const paint = options.color === true ? (code: string, text: string) => `${code}${text}${RESET}` : noPaint;
  return sortIssues(issues)
    .map((item) => {
      const where = `${escapeControl(showPath(item.file, options.relativeTo))}:${item.line}:${item.column}`;
      const message = escapeControl(item.message);
      const head = `${paint(BOLD, where)} ${paint(RED, 'error')} ${paint(DIM, `${item.code}:`)} ${message}`;
      return item.hint === '' ? head : `${head}\n  ${paint(CYAN, 'hint:')} ${escapeControl(item.hint)}`;
    })
    .join('\n');
}

/** Control characters and bidirectional overrides: a terminal would act on them. */
const UNSAFE = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text for a terminal, with every control character (ESC, BEL, NUL, newline, …) and every
 * bidirectional override written as a visible escape (`\u001b`), as plans write values: a
 * message quoting a spec must not be able to move the cursor, retitle the window or hide text.
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (char) =>
    char === '\n' ? '\\n' : char === '\t' ? '\\t' : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function noPaint(_code: string, text: string): string {
  return text;
}

function showPath(file: string, base: string | undefined): string {
  if (base === undefined || !isAbsolute(file)) return file;
  const shown = relative(base, file);
  return shown === '' ? file : shown.replaceAll('\\', '/');
}
