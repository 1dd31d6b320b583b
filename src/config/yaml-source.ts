import { type Document, isAlias, isMap, isScalar, LineCounter, type Node, parseAllDocuments } from 'yaml';
import { type Env, type FileRefs, substituteEnv } from './env.js';
import { type ConfigIssue, issue, type SourcePosition } from './issue.js';
import {
  checkKeys,
  conversionIssue,
  envIssues,
  type Locator,
  messageOf,
  syntaxIssues,
  tooDeep,
} from './yaml-errors.js';
import { offsetOf, walk } from './yaml-nodes.js';

/**
 * YAML text read into plain values that still know where they came from.
 *
 * This (with yaml-errors.ts and yaml-nodes.ts) is the only place that talks to the `yaml`
 * library. It turns every problem it meets into a `ConfigIssue` (syntax errors, duplicate keys,
 * unresolved tags and aliases, alias bombs, `${env:…}` references that cannot be resolved) and
 * never throws on any text.
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

/** How `parseConfigText` and `parseResourceText` read their text. */
export interface ReadTextOptions {
  /** Where `${env:NAME}` looks. Default: an empty environment, in which every reference is missing. */
  readonly env?: Env;
  /** The `${file:PATH}` references, read (`readFileRefs`). Default: none read. */
  readonly files?: FileRefs;
}

/** At most this many alias expansions per document: enough for real use, not for a bomb. */
export const MAX_ALIAS_COUNT = 100;

export function parseYaml(text: string, file: string, env: Env, files?: FileRefs): YamlFile {
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
    const documents = [...parsed].map((doc) => readDocument(doc, at, env, files, issues, secrets));
    return { documents, issues, secrets };
  } catch (error) {
    // The parser recurses: absurd nesting can exhaust the stack. Nothing else is expected here.
    issues.push(
      error instanceof RangeError
        ? tooDeep(at(0))
        : issue(
            'yaml-syntax',
            at(0),
            `this file could not be parsed: ${messageOf(error)}`,
            'simplify the document',
          ),
    );
    return { documents: [], issues, secrets };
  }
}

function readDocument(
  doc: Document.Parsed,
  at: Locator,
  env: Env,
  files: FileRefs | undefined,
  issues: ConfigIssue[],
  secrets: string[],
): YamlDocument {
  const contents = doc.contents;
  const start = at(contents?.range[0] ?? doc.range[0]);
  const locate = (path: readonly PropertyKey[], options: { key?: boolean } = {}) =>
    at(offsetOf(doc, path, options.key === true) ?? contents?.range[0] ?? doc.range[0]);
  const empty = contents === null || (isScalar(contents) && contents.value === null);
  const unresolved = new Set<string>();
  const unresolvedAt = (p: SourcePosition) => unresolved.has(`${p.line}:${p.column}`);

  const syntax = syntaxIssues([...doc.errors, ...doc.warnings], at);
  issues.push(...syntax);
  let broken = syntax.length > 0;
  let firstAlias: Node | undefined;
  walk(contents, (node, isKey) => {
    if (isAlias(node)) firstAlias ??= node;
    if (isMap(node)) {
      if (!checkKeys(node, at, issues)) broken = true;
    } else if (isScalar(node) && !isKey && typeof node.value === 'string') {
      const where = at(node.range?.[0] ?? 0);
      const result = substituteEnv(node.value, env, files);
      issues.push(...envIssues(result, where));
      if (result.missing.length > 0 || result.invalid.length > 0 || result.unreadable.length > 0)
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
    const contentsAt = contents?.range[0] ?? 0;
    const aliasAt = firstAlias?.range?.[0] ?? contents?.range[0] ?? 0;
    issues.push(conversionIssue(error, at, { contents: contentsAt, alias: aliasAt }, MAX_ALIAS_COUNT));
    return { value: undefined, usable: false, empty, start, locate, unresolvedAt };
  }
}
