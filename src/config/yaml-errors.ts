// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import { isScalar, type Node, type YAMLError, type YAMLMap } from 'yaml';
import type { Substitution } from './env.js';
import { type ConfigIssue, issue, quote, type SourcePosition } from './issue.js';

/**
 * What can be wrong with YAML text, as issues with a position and a hint: syntax errors and
 * warnings of the `yaml` library, keys that are not plain strings or appear twice, alias bombs,
 * nesting deeper than the parser's stack, and `${env:…}` references that cannot be resolved.
 */

/** The message for a document nested deeper than the parser's stack allows. */
export const TOO_DEEP = 'the document is nested too deeply to read';

/** Syntax errors reported per document: after the first few, the rest are mostly echoes. */
const MAX_SYNTAX_ISSUES = 5;

/** Where in the text an offset is. */
export type Locator = (offset: number) => SourcePosition;

export function tooDeep(where: SourcePosition): ConfigIssue {
  return issue(
    'yaml-syntax',
    where,
    TOO_DEEP,
    'flatten it: lists and mappings nested hundreds deep cannot be read',
  );
}

/**
 * A document's errors and warnings as issues: at most {@link MAX_SYNTAX_ISSUES}, the last of
 * them saying how many more there were, and running out of stack once (the parser reports it
 * once per nesting level on the way out).
 */
export function syntaxIssues(problems: readonly YAMLError[], at: Locator): ConfigIssue[] {
  const mapped: ConfigIssue[] = [];
  for (const problem of problems) {
    const one = syntaxIssue(problem, at);
    if (one.message === TOO_DEEP && mapped.some((p) => p.message === TOO_DEEP)) continue;
    mapped.push(one);
  }
  const issues = mapped.slice(0, MAX_SYNTAX_ISSUES);
  if (mapped.length > MAX_SYNTAX_ISSUES) {
    const last = issues.pop() as ConfigIssue;
    const more = mapped.length - MAX_SYNTAX_ISSUES;
    issues.push({ ...last, message: `${last.message} (and ${more} more YAML errors after it)` });
  }
  return issues;
}

/** One of the `yaml` library's errors or warnings as an issue, with a hint for the common ones. */
export function syntaxIssue(problem: YAMLError, at: Locator): ConfigIssue {
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

/** Report non-string and repeated keys of one mapping; false when a key cannot be read at all. */
export function checkKeys(map: YAMLMap, at: Locator, issues: ConfigIssue[]): boolean {
  let readable = true;
  const seen = new Set<string>();
  for (const pair of map.items) {
    if (!isScalar(pair.key) || pair.key.value === null || typeof pair.key.value === 'object') {
      const offset = (pair.key as Node | null)?.range?.[0] ?? map.range?.[0] ?? 0;
      issues.push(
        issue(
          'yaml-syntax',
          at(offset),
          'a mapping key must be a plain string',
          'write the key as text; lists, mappings, aliases and empty keys cannot be keys here',
        ),
      );
      readable = false;
      continue;
    }
    const key = String(pair.key.value);
    if (key === '<<') continue; // a merge key may repeat
    if (seen.has(key)) {
      issues.push(
        issue(
          'duplicate-key',
          at(pair.key.range?.[0] ?? 0),
          `key ${quote(key)} appears twice in this mapping`,
          `remove one of the two ${quote(key)} entries (YAML would keep only the last, silently)`,
        ),
      );
    }
    seen.add(key);
  }
  return readable;
}

/** The references of one string that could not be substituted. */
export function envIssues(result: Substitution, where: SourcePosition): ConfigIssue[] {
  return [
    ...result.missing.map((name) =>
      issue(
        'missing-env',
        where,
        `environment variable ${name} is not set`,
        `set ${name} in the environment, or write $\${env:${name}} for the literal text`,
      ),
    ),
    ...result.unreadable.map(({ path, reason }) =>
      issue(
        'read-error',
        where,
        `\${file:${path}} cannot be used: ${reason}`,
        `create the file (the path is relative to the config file's directory), or write $\${file:${path}} for the literal text`,
      ),
    ),
    ...result.invalid.map((reference) =>
      issue(
        'bad-env-reference',
        where,
        `${quote(reference)} is not a valid reference`,
        'write ${env:NAME} with NAME made of letters, digits and _, not starting with a digit, or ${file:PATH}',
      ),
    ),
  ];
}

/**
 * Why a document could not become plain data: nested too deeply (shown at its content's start),
 * more than `maxAliases` alias expansions, or an alias with no anchor before it (both shown at
 * its first alias).
 */
export function conversionIssue(
  error: unknown,
  at: Locator,
  offsets: { readonly contents: number; readonly alias: number },
  maxAliases: number,
): ConfigIssue {
  const message = messageOf(error);
  if (error instanceof RangeError) return tooDeep(at(offsets.contents));
  if (/resource exhaustion|alias count/i.test(message)) {
    return issue(
      'alias-limit',
      at(offsets.alias),
      `aliases expand to more than ${maxAliases} nodes in this document`,
      'write the repeated values out, or use fewer nested aliases',
    );
  }
  return issue(
    'yaml-syntax',
    at(offsets.alias),
    message,
    'define each &anchor before its *alias, in the same document',
  );
}

/** An error's message, or the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
