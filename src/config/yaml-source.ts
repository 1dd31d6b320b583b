// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type YAMLMap,
} from 'yaml';
import { type Substitution, substituteEnv } from './env.js';
import { type ConfigIssue, issue, quote, type SourcePosition } from './issue.js';
import { syntaxIssue, TOO_DEEP, tooDeep } from './yaml-errors.js';

/**
 * YAML text read into plain values that still know where they came from.
 *
 * This (with yaml-errors.ts) is the only place that talks to the `yaml` library. It turns every problem it meets into
 * a `ConfigIssue` (syntax errors, duplicate keys, unresolved tags and aliases, alias bombs,
 * `${env:…}` references that cannot be resolved) and never throws on any text.
 */
export interface YamlDocument {
  /** The document as plain data, after `${env:NAME}` substitution; `undefined` when unusable. */
  readonly value: unknown;
  /** False when the document had an error that makes its value meaningless. */
  readonly usable: boolean;
  /** True for a document with no content (`---` alone, or `null`). */
  readonly empty: boolean;
  /** Where the document's content starts. */
  readonly start: SourcePosition;
  /**
   * The position of the node at `path` (keys and indices), or of its nearest existing ancestor
   * when the path runs out (a missing key points at its mapping). With `key: true`, the position
   * of the last segment's key rather than its value.
   */
  locate(path: readonly PropertyKey[], options?: { key?: boolean }): SourcePosition;
  /**
   * Whether a string at this position kept an unresolved `${env:…}` reference (already
   * reported): a schema complaint about the same value would only repeat the problem.
   */
  unresolvedAt(position: SourcePosition): boolean;
}

export interface YamlFile {
  readonly documents: YamlDocument[];
  readonly issues: ConfigIssue[];
  /** Every value substituted from the environment. */
  readonly secrets: string[];
}

/** At most this many alias expansions per document: enough for real use, not for a bomb. */
export const MAX_ALIAS_COUNT = 100;

/** Syntax errors reported per document: after the first few, the rest are mostly echoes. */
const MAX_SYNTAX_ISSUES = 5;

export function parseYaml(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): YamlFile {
  const issues: ConfigIssue[] = [];
  const secrets: string[] = [];
  const lines = new LineCounter();
  const at = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(Math.max(0, offset));
    return { file, line, column: col };
  };
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    const parsed = parseAllDocuments(source, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: false, // checked below, with the message and position we want
      merge: true,
    });
    const documents = [...parsed].map((doc) => readDocument(doc, at, env, issues, secrets));
    return { documents, issues, secrets };
  } catch (error) {
    // The parser recurses: absurd nesting can exhaust the stack. Nothing else is expected here.
    issues.push(
      error instanceof RangeError
        ? tooDeep(at(0))
        : issue(
            'yaml-syntax',
            at(0),
            `this file could not be parsed: ${describe(error)}`,
            'simplify the document',
          ),
    );
    return { documents: [], issues, secrets };
  }
}

function readDocument(
  doc: Document.Parsed,
  at: (offset: number) => SourcePosition,
  env: Readonly<Record<string, string | undefined>>,
  issues: ConfigIssue[],
  secrets: string[],
): YamlDocument {
  const contents = doc.contents;
  const start = at(contents?.range[0] ?? doc.range[0]);
  const locate = (path: readonly PropertyKey[], options: { key?: boolean } = {}) =>
    at(offsetOf(doc, path, options.key === true) ?? contents?.range[0] ?? doc.range[0]);
  const empty = contents === null || (isScalar(contents) && contents.value === null);
  const before = issues.length;
  const unresolved = new Set<string>();
  const unresolvedAt = (p: SourcePosition) => unresolved.has(`${p.line}:${p.column}`);

  const problems: ConfigIssue[] = [];
  for (const problem of [...doc.errors, ...doc.warnings]) {
    const mapped = syntaxIssue(problem, at);
    // Running out of stack is reported once per nesting level on the way out: keep the first.
    if (mapped.message === TOO_DEEP && problems.some((p) => p.message === TOO_DEEP)) continue;
    problems.push(mapped);
  }
  issues.push(...problems.slice(0, MAX_SYNTAX_ISSUES));
  if (problems.length > MAX_SYNTAX_ISSUES) {
    const last = issues.pop() as ConfigIssue;
    const more = problems.length - MAX_SYNTAX_ISSUES;
    issues.push({ ...last, message: `${last.message} (and ${more} more YAML errors after it)` });
  }
  let broken = issues.length > before;
  let firstAlias: Node | undefined;
  walk(contents, (node, isKey) => {
    if (isAlias(node)) firstAlias ??= node;
    if (isMap(node)) {
      if (!checkKeys(node, at, issues)) broken = true;
    } else if (isScalar(node) && !isKey && typeof node.value === 'string') {
      const where = at(node.range?.[0] ?? 0);
      const result = substituteEnv(node.value, env);
      issues.push(...envIssues(result, where));
      if (result.missing.length > 0 || result.invalid.length > 0)
        unresolved.add(`${where.line}:${where.column}`);
      secrets.push(...result.values);
      node.value = result.text;
    }
  });

  if (broken) return { value: undefined, usable: false, empty, start, locate, unresolvedAt };
  try {
    const value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return { value, usable: true, empty, start, locate, unresolvedAt };
  } catch (error) {
    const offset = firstAlias?.range?.[0] ?? contents?.range[0] ?? 0;
    const message = describe(error);
    issues.push(
      error instanceof RangeError
        ? tooDeep(at(contents?.range[0] ?? 0))
        : /resource exhaustion|alias count/i.test(message)
          ? issue(
              'alias-limit',
              at(offset),
              `aliases expand to more than ${MAX_ALIAS_COUNT} nodes in this document`,
              'write the repeated values out, or use fewer nested aliases',
            )
          : issue(
              'yaml-syntax',
              at(offset),
              message,
              'define each &anchor before its *alias, in the same document',
            ),
    );
    return { value: undefined, usable: false, empty, start, locate, unresolvedAt };
  }
}

/** Report non-string and repeated keys of one mapping; false when a key cannot be read at all. */
function checkKeys(map: YAMLMap, at: (offset: number) => SourcePosition, issues: ConfigIssue[]): boolean {
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

function envIssues(result: Substitution, where: SourcePosition): ConfigIssue[] {
  return [
    ...result.missing.map((name) =>
      issue(
        'missing-env',
        where,
        `environment variable ${name} is not set`,
        `set ${name} in the environment, or write $\${env:${name}} for the literal text`,
      ),
    ),
    ...result.invalid.map((reference) =>
      issue(
        'bad-env-reference',
        where,
        `${quote(reference)} is not a valid environment reference`,
        'write ${env:NAME} with NAME made of letters, digits and _, not starting with a digit',
      ),
    ),
  ];
}

/** Visit every node (pairs' keys with `isKey` true), depth first. */
function walk(node: unknown, visit: (node: Node, isKey: boolean) => void, isKey = false): void {
  if (node === null || typeof node !== 'object') return;
  if (isPair(node)) {
    walk(node.key, visit, true);
    walk(node.value, visit);
    return;
  }
  visit(node as Node, isKey);
  if (isMap(node) || isSeq(node)) for (const item of node.items) walk(item, visit);
}

function offsetOf(doc: Document.Parsed, path: readonly PropertyKey[], wantKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as Node | null)?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const segment = String(path[i]);
    if (isMap(node)) {
      const pair = node.items.findLast((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (pair === undefined) return offset;
      const keyOffset = (pair.key as Node).range?.[0];
      if (wantKey && i === path.length - 1) return keyOffset ?? offset;
      node = pair.value;
      offset = (node as Node | null)?.range?.[0] ?? keyOffset ?? offset;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
      if (node === undefined) return offset;
      offset = (node as Node | null)?.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
