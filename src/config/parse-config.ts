import { z } from 'zod';
import { type ConfigFile, configFileSchema, configSections } from './config-schema.js';
import { type ConfigIssue, issue } from './issue.js';
import { schemaIssues } from './schema-issues.js';
import { isPlainObject } from './schema-parts.js';
import { parseYaml, type ReadTextOptions, type YamlDocument } from './yaml-source.js';

type Section = keyof ConfigFile;
const SECTIONS = Object.keys(configSections) as Section[];

export interface ConfigFileResult {
  /** The sections that are valid (absent ones are valid and `undefined`). */
  readonly config: Partial<ConfigFile>;
  /** Sections present but invalid: checks that rely on them must hold back. */
  readonly broken: ReadonlySet<Section>;
  readonly issues: ConfigIssue[];
  /** Values substituted from `${env:NAME}`. */
  readonly secrets: string[];
  /** Positions inside the config document. */
  readonly locate: YamlDocument['locate'];
}

/**
 * Read the config file's text (`setpoint.yaml`). Pure and total: every problem is an issue, and
 * each top-level section is checked on its own, so one broken section still lets the others be
 * used (and checked) by `loadConfig`.
 */
export function parseConfigText(text: string, file: string, options: ReadTextOptions = {}): ConfigFileResult {
  const yaml = parseYaml(text, file, options.env ?? {}, options.files);
  const issues = [...yaml.issues];
  const documents = yaml.documents.filter((doc) => !doc.empty);
  const [doc, ...extra] = documents;
  const startOfFile = { file, line: 1, column: 1 };
  const locate: YamlDocument['locate'] = doc?.locate ?? (() => startOfFile);
  for (const other of extra) {
    issues.push(
      issue(
        'invalid-value',
        other.start,
        'the config file holds one YAML document; this is a second one',
        'remove the "---" and merge the documents, or move resources into files listed under resources:',
      ),
    );
  }
  const broken = new Set<Section>();
  const config: Partial<ConfigFile> = {};
  if (doc !== undefined && !doc.usable) {
    for (const section of SECTIONS) broken.add(section);
    return { config, broken, issues, secrets: yaml.secrets, locate };
  }
  const value = doc === undefined ? {} : doc.value;
  if (!isPlainObject(value)) {
    issues.push(
      issue(
        'invalid-value',
        doc?.start ?? startOfFile,
        'the config file must be a mapping',
        'start with resources: ["resources/**/*.yaml"] and providers:, as keys at the top level',
      ),
    );
    for (const section of SECTIONS) broken.add(section);
    return { config, broken, issues, secrets: yaml.secrets, locate };
  }
  const where: YamlDocument = doc ?? {
    value,
    usable: true,
    empty: true,
    start: startOfFile,
    locate,
    unresolvedAt: () => false,
  };
  const unknown = Object.keys(value).filter((key) => !SECTIONS.includes(key as Section));
  if (unknown.length > 0) {
    const top = z.strictObject({}).safeParse(Object.fromEntries(unknown.map((k) => [k, value[k]])));
    if (!top.success) issues.push(...schemaIssues(top.error.issues, where, value, configFileSchema));
  }
  // An unknown top-level key may be a misspelt `providers:`: then no kind can be called unknown.
  if (unknown.length > 0 && value.providers === undefined) broken.add('providers');
  for (const section of SECTIONS) {
    const schema: z.ZodType = configSections[section];
    const parsed = schema.safeParse(value[section], { reportInput: true });
    if (parsed.success) {
      if (parsed.data !== undefined) Object.assign(config, { [section]: parsed.data });
    } else {
      broken.add(section);
      issues.push(...schemaIssues(parsed.error.issues, where, value[section], schema, [section]));
    }
  }
  const proto = protoKeys(value.providers, where);
  if (proto.length > 0) {
    issues.push(...proto);
    broken.add('providers');
  }
  return { config, broken, issues, secrets: yaml.secrets, locate };
}

/**
 * `__proto__` as a kind or as an option name: YAML reads it as a plain key, but an object of
 * options would lose it (or worse, take it as its prototype), so it is refused, not dropped.
 */
function protoKeys(providers: unknown, where: YamlDocument): ConfigIssue[] {
  if (!isPlainObject(providers)) return [];
  const out: ConfigIssue[] = [];
  const refuse = (path: string[], what: string) =>
    out.push(
      issue(
        'invalid-value',
        where.locate(path, { key: true }),
        `"__proto__" cannot be ${what}: it would be dropped`,
        'rename the key; "__proto__" is reserved in JavaScript objects',
      ),
    );
  if (Object.hasOwn(providers, PROTO)) refuse(['providers', PROTO], 'a kind');
  for (const kind of Object.keys(providers)) {
    const entry = providers[kind];
    if (kind === PROTO || !isPlainObject(entry) || !isPlainObject(entry.options)) continue;
    if (Object.hasOwn(entry.options, PROTO)) refuse(['providers', kind, 'options', PROTO], 'an option name');
  }
  return out;
}

const PROTO = '__proto__';
