import type { YAMLError } from 'yaml';
import { type ConfigIssue, issue, type SourcePosition } from './issue.js';

/** The message for a document nested deeper than the parser's stack allows. */
export const TOO_DEEP = 'the document is nested too deeply to read';

export function tooDeep(where: SourcePosition): ConfigIssue {
  return issue(
    'yaml-syntax',
    where,
    TOO_DEEP,
    'flatten it: lists and mappings nested hundreds deep cannot be read',
  );
}

/** One of the `yaml` library's errors or warnings as an issue, with a hint for the common ones. */
export function syntaxIssue(problem: YAMLError, at: (offset: number) => SourcePosition): ConfigIssue {
  if (/call stack/i.test(problem.message)) return tooDeep(at(problem.pos[0]));
  const hints: Record<string, string> = {
    TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
    MISSING_CHAR: 'close the quote or bracket that was opened before this point',
    BAD_INDENT: 'close each [ and { that is open, and indent nested entries further than their parent',
    TAG_RESOLVE_FAILED:
      'remove the tag: setpoint reads plain YAML (strings, numbers, booleans, lists, mappings)',
    MULTILINE_IMPLICIT_KEY: 'put a space after each "key:", and quote values that contain ": "',
    BLOCK_AS_IMPLICIT_KEY: 'put a space after each "key:", and quote values that contain ": "',
  };
  return issue(
    'yaml-syntax',
    at(problem.pos[0]),
    problem.message.replace(/\s+/g, ' ').trim(),
    hints[problem.code] ?? 'check the indentation, quotes and brackets at this point',
  );
}
