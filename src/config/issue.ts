/**
 * A problem with the input: one bad thing in one place, with the way to fix it.
 *
 * Loading a config collects every issue it can find before it gives up, so one run of
 * `setpoint validate` lists them all. Each points at the node that is wrong (1-based line and
 * column), and its `hint` says what to write instead.
 */
export interface ConfigIssue {
  readonly code: IssueCode;
  /** One sentence: what is wrong. */
  readonly message: string;
  /** Absolute path of the file the problem is in. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** How to fix it. */
  readonly hint: string;
}

/** Every kind of problem `loadConfig` reports. */
export const ISSUE_CODES = [
  /** The config file does not exist. */
  'file-not-found',
  /** A file exists but could not be read (permissions, a directory, …). */
  'read-error',
  /** A resource file of 0 bytes: half-saved, or emptied by mistake (it would prune what it held). */
  'empty-file',
  /** A file is over the size limit (`maxFileBytes`, default 1 MiB). */
  'file-too-large',
  /** The text is not valid YAML (or uses a tag or alias that cannot be resolved). */
  'yaml-syntax',
  /** The same key twice in one YAML mapping. */
  'duplicate-key',
  /** More alias expansions than allowed: a "billion laughs" document. */
  'alias-limit',
  /** A key the schema does not know. */
  'unknown-key',
  /** A required key is absent. */
  'missing-field',
  /** A value of the wrong type or out of range. */
  'invalid-value',
  /** A resource's `spec` is not a mapping. */
  'spec-not-object',
  /** A duration that does not parse. */
  'bad-duration',
  /** `server.listen` is not `host:port`. */
  'bad-listen',
  /** A `${env:…}` reference with an invalid variable name. */
  'bad-env-reference',
  /** `${env:NAME}` names a variable that is not set. */
  'missing-env',
  /** A provider entry without exactly one of `use` and `module`. */
  'invalid-provider',
  /** `use:` names no built-in provider. */
  'unknown-provider',
  /** `module:` names a file that does not exist. */
  'missing-module',
  /** A `resources` pattern matches no file. */
  'no-match',
  /** Two resource documents with the same `kind/name`. */
  'duplicate-resource',
  /** A resource whose kind has no provider. */
  'unknown-kind',
  /** A `file` resource whose `spec.path` leaves the provider's root. */
  'path-escape',
  /** Resources that depend on each other in a circle. */
  'cycle',
  /** `dependsOn` names a resource that is not declared. */
  'missing-dependency',
  /** A resource that lists itself in `dependsOn`. */
  'self-dependency',
] as const;

export type IssueCode = (typeof ISSUE_CODES)[number];

/** A place in a file, 1-based. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function issue(code: IssueCode, at: SourcePosition, message: string, hint: string): ConfigIssue {
  return { code, message, file: at.file, line: at.line, column: at.column, hint };
}

/** Issues in reading order: by file, then line, then column; ties keep their order. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((item, index) => ({ item, index }))
    .sort(
      (a, b) =>
        compareText(a.item.file, b.item.file) ||
        a.item.line - b.item.line ||
        a.item.column - b.item.column ||
        a.index - b.index,
    )
    .map(({ item }) => item);
}

/** Code-unit order, the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A value quoted for a message, cut short when long: `"abc"`, `"aaaa…"`. */
export function quote(value: unknown, max = 40): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
