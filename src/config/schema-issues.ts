// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import { z } from 'zod';
import { type ConfigIssue, ISSUE_CODES, type IssueCode, issue, quote } from './issue.js';
import type { YamlDocument } from './yaml-source.js';

/** Advice for a field, by its key, when the schema says no more than "wrong". */
const FIELD_HINTS: Record<string, string> = {
  kind: 'a kind is letters, digits, ".", "_" and "-", and names a provider under providers:',
  name: 'a name is any text without spaces; kind/name must be unique',
  spec: 'add spec: with the desired fields, e.g. spec: { path: motd.txt } (spec: {} when there are none)',
  dependsOn: 'list keys of other resources as kind/name, e.g. dependsOn: [files/etc]',
  resources: 'list file patterns relative to the config, e.g. resources: ["resources/**/*.yaml"]',
  state: 'a directory for inventory, journal and lock, e.g. state: .setpoint',
  drift: 'one of enforce (correct it), alert (report it) or ignore',
  jitter: 'one of none, full, equal or decorrelated',
  maxRetries: 'a whole number from 0 up',
  concurrency: 'a whole number from 1 up',
  factor: 'a number from 1 (constant delay) to 100; 2 doubles each time',
  options: 'options is a mapping passed to the provider, e.g. options: { root: ./out }',
  use: 'the name of a built-in provider: file, http, memory, process or node',
  module: 'a path to your provider module, relative to the config file, e.g. ./providers/mine.js',
  max: 'a whole number of deletes from 0 up, or unlimited',
  fraction: 'a share of the managed resources from 0 to 1, e.g. 0.1 for 10 %',
  deletionBudget: 'a mapping like deletionBudget: { max: 5, fraction: 0.1, window: 1h }',
  token: 'a bearer token, best from the environment: token: ${env:SETPOINT_TOKEN}',
};

/** Zod's type names in YAML's words. */
const TYPE_NAMES: Record<string, string> = {
  array: 'list',
  object: 'mapping',
  record: 'mapping',
  int: 'integer',
};

const GENERIC_HINT = 'see docs/reference/config.md for what each key accepts';

/**
 * Zod's issues for `data` (parsed from `doc`) as `ConfigIssue`s at the offending node. `schema`
 * is the schema that produced them, consulted to list the keys a mapping allows.
 */
export function schemaIssues(
  issues: readonly z.core.$ZodIssue[],
  doc: YamlDocument,
  data: unknown,
  schema: z.ZodType,
  prefix: readonly PropertyKey[] = [],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const raw of issues) {
    const path = [...prefix, ...raw.path];
    const at = doc.locate(path);
    const field = fieldName(path);
    const add = (code: IssueCode, message: string, hint: string, where = at) => {
      if (!doc.unresolvedAt(where)) out.push(issue(code, where, message, hint));
    };
    if (raw.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, raw.path);
      for (const key of raw.keys) {
        const near = closest(key, allowed);
        add(
          'unknown-key',
          `unknown key ${quote(key)}${field === '' ? '' : ` in ${field}`}`,
          near !== undefined
            ? `did you mean "${near}"?`
            : `remove it; the keys allowed here are ${allowed.map((k) => `"${k}"`).join(', ')}`,
          doc.locate([...path, key], { key: true }),
        );
      }
    } else if (path.length > 0 && valueAt(data, raw.path) === undefined) {
      add('missing-field', `"${field}" is required`, FIELD_HINTS[lastKey(path)] ?? `add ${lastKey(path)}:`);
    } else if (raw.code === 'custom' && isParams(raw.params)) {
      add(asCode(raw.params.code), raw.message, raw.params.hint);
    } else {
      add('invalid-value', describeIssue(raw, field), FIELD_HINTS[lastKey(path)] ?? GENERIC_HINT);
    }
  }
  return out;
}

function describeIssue(raw: z.core.$ZodIssue, field: string): string {
  const subject = field === '' ? 'the document' : field;
  const got = 'input' in raw ? `, got ${show(raw.input)}` : '';
  switch (raw.code) {
    case 'invalid_type':
      return `${subject} must be ${article(TYPE_NAMES[raw.expected] ?? raw.expected)}${got}`;
    case 'invalid_value':
      return `${subject} must be one of ${raw.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'too_small':
      if (raw.origin === 'array') return `${subject} must have at least ${raw.minimum} item(s)`;
      if (raw.origin === 'string') return `${subject} must not be empty`;
      return `${subject} must be at least ${raw.minimum}${got}`;
    case 'too_big':
      return `${subject} must be at most ${raw.maximum}${got}`;
    case 'invalid_key':
      return `${subject} is not a valid key: ${raw.issues.map((i) => i.message).join('; ')}`;
    case 'invalid_format':
      return raw.message;
    default:
      return `${subject}: ${raw.message}`;
  }
}

function asCode(code: string): IssueCode {
  return (ISSUE_CODES as readonly string[]).includes(code) ? (code as IssueCode) : 'invalid-value';
}

function isParams(value: unknown): value is { code: string; hint: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { hint?: unknown }).hint === 'string'
  );
}

/** `defaults.backoff.base`, `dependsOn[2]`. */
function fieldName(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

function lastKey(path: readonly PropertyKey[]): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string;
  return '';
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let node = data;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** The keys a strict object allows at `path` inside `schema`. */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  const unwrap = () => {
    while (node instanceof z.ZodOptional || node instanceof z.ZodNullable || node instanceof z.ZodDefault) {
      node = node.unwrap();
    }
  };
  unwrap();
  for (const segment of path) {
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, unknown>)[String(segment)];
    else if (node instanceof z.ZodRecord) node = node.valueType;
    else if (node instanceof z.ZodArray) node = node.element;
    else return [];
    unwrap();
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

/**
 * The allowed key nearest to a misspelt one, if any: case-insensitive, at most 2 edits away
 * (3 for keys of 8 characters or more), and fewer edits than the candidate has characters.
 */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    const limit = candidate.length >= 8 ? 3 : 2;
    if (d <= limit && d < bestDistance && d < candidate.length) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 4;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return `${typeof value} ${String(value)}`;
}
