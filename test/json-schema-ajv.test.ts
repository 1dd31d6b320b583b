// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/**
 * The two JSON Schemas as a validator outside setpoint sees them (an editor, a CI step): the
 * committed files, compiled by ajv in strict mode. Every example and good fixture passes; every
 * case of the bad corpus that is about the shape of a document is refused, and the cases a
 * schema cannot see are listed with why.
 */
const ROOT = join(import.meta.dirname, '..');
const SCHEMA_DIR = join(ROOT, 'schema');
const BAD = join(ROOT, 'test', 'fixtures', 'bad');
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Which = 'setpoint.schema.json' | 'resource.schema.json';
const validators = {} as Record<Which, ValidateFunction>;

beforeAll(() => {
  for (const file of ['setpoint.schema.json', 'resource.schema.json'] as const) {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    validators[file] = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')));
  }
});

/** The schema a YAML file is checked against: the config file by its name, else a resource file. */
function schemaFor(file: string): Which {
  return basename(file) === 'setpoint.yaml' ? 'setpoint.schema.json' : 'resource.schema.json';
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return path.endsWith('.yaml') ? [path] : [];
  });
}

/**
 * The documents of a file as the loader takes them, or `undefined` when the YAML reader refuses
 * the text. An empty config file is read as an empty mapping; empty resource documents are
 * skipped.
 */
function documentsOf(file: string): unknown[] | undefined {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true });
  if (docs.some((doc) => doc.errors.length > 0)) return undefined;
  const values = docs.map((doc) => doc.toJS({ maxAliasCount: 100 })).filter((v) => v !== null);
  return values.length === 0 && schemaFor(file) === 'setpoint.schema.json' ? [{}] : values;
}

/** Each refused document's errors, as `path message` lines. */
function refusals(file: string): string[][] {
  const validate = validators[schemaFor(file)];
  return (documentsOf(file) ?? [])
    .filter((doc) => !validate(doc))
    .map(() => (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

describe('the JSON Schemas under ajv (draft 2020-12, strict)', () => {
  it('compile in strict mode', () => {
    expect(typeof validators['setpoint.schema.json']).toBe('function');
    expect(typeof validators['resource.schema.json']).toBe('function');
  });

  const examples = yamlFiles(join(ROOT, 'examples'));
  const good = yamlFiles(join(ROOT, 'test', 'fixtures', 'good'));

  it('find the examples and the good fixtures', () => {
    expect(examples.filter((f) => schemaFor(f) === 'setpoint.schema.json').length).toBeGreaterThanOrEqual(2);
    expect(examples.filter((f) => schemaFor(f) === 'resource.schema.json').length).toBeGreaterThanOrEqual(3);
    expect(good.length).toBeGreaterThan(5);
  });

  it.each([...examples, ...good].map((f) => [relative(ROOT, f), f]))(
    'accept every document of %s',
    (_, file) => {
      expect(documentsOf(file), 'readable YAML').toBeDefined();
      expect(refusals(file)).toEqual([]);
    },
  );

  it.each(examples.map((f) => [relative(ROOT, f), f]))('%s names its schema on its first line', (_, file) => {
    const first = readFileSync(file, 'utf8').split('\n')[0] ?? '';
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(match, first).not.toBeNull();
    expect(resolve(dirname(file), match?.[1] ?? '')).toBe(join(SCHEMA_DIR, schemaFor(file)));
  });
});

/**
 * Cases of the bad corpus no JSON Schema can refuse, and why. Each names a problem of YAML
 * itself, of several documents or files together, of the file system, of the environment, or
 * of fields that belong to a provider (`spec`, `options`).
 */
const BEYOND_A_SCHEMA: Record<string, string> = {
  '01-malformed-resource-yaml': 'YAML syntax: the YAML reader refuses it before any schema',
  '02-tab-indented-config': 'YAML syntax',
  '03-duplicate-yaml-key': 'a duplicate key is refused by the YAML reader',
  '04-duplicate-resource-across-files': 'a rule over several files',
  '05-duplicate-resource-same-file': 'a rule over several documents; each alone is valid',
  '06-unknown-kind': 'a kind is known only with the config and the resources together',
  '08-missing-module': 'the file system: the module does not exist',
  '11-cycle-across-files': 'a rule over several resources',
  '12-cycle-of-three': 'a rule over several resources',
  '13-missing-dependency': 'a rule over several resources',
  '14-self-dependency': 'compares dependsOn with kind and name, which JSON Schema cannot',
  '15-alias-bomb': 'YAML aliases: the YAML reader refuses it',
  '16-file-too-large': 'the size of a file',
  '17-missing-config-file': 'there is no file to check',
  '18-glob-matches-nothing': 'the file system: the pattern matches no file',
  '21-missing-env-in-resource': 'the environment: a reference is accepted in place of a value',
  '22-file-path-escapes-root': 'spec belongs to the provider, which checks it',
  '23-file-path-absolute': 'spec belongs to the provider, which checks it',
  '34-backoff-cap-below-base': 'compares two durations, which JSON Schema cannot',
  '38-unresolved-alias': 'YAML aliases: the YAML reader refuses it',
  '39-unknown-tag': 'a YAML tag: the YAML reader refuses it',
  '42-bad-env-reference': 'references are read in every string, spec and options too, before any schema',
  '43-missing-env-in-config': 'the environment: a reference is accepted in place of a value',
  '44-not-utf8': 'the bytes of a file: refused before YAML is read',
  '45-config-with-two-documents': 'a rule of the file; each document alone is valid',
  '46-list-as-mapping-key': 'YAML syntax: a complex key',
  '48-broken-file-does-not-blame-its-dependents': 'YAML syntax',
  '49-missing-env-in-duration-is-reported-once':
    'the environment: a reference is accepted in place of a duration',
  '51-anchor-from-another-document': 'YAML aliases across documents: the YAML reader refuses it',
  '54-policy-interval-too-short':
    'a duration written as text compared with a minimum above 1ms: not a pattern',
  '55-dangling-symlink': 'the file system: the link leads nowhere',
  '56-looping-symlink': 'the file system: the link loops',
  '57-empty-resource-file': 'a rule of the file: an empty resource file is valid YAML with no document',
  '60-nul-in-file-path': 'spec belongs to the provider, which checks it',
  '61-file-path-is-the-root': 'spec belongs to the provider, which checks it',
  '62-bad-provider-options': 'options belong to the provider, which checks them when it is built',
  '63-provider-factory-never-resolves': 'what a provider module does when it runs',
  '64-control-characters-in-messages': 'spec belongs to the provider, which checks it',
  '65-missing-file-reference': 'the file system: a reference is accepted in place of a value',
};

describe('the bad corpus under the JSON Schemas', () => {
  const cases = readdirSync(BAD).sort();

  /** The file the case's first expected problem is in. */
  function problemFile(name: string): string {
    const expected = JSON.parse(readFileSync(join(BAD, name, 'expected.json'), 'utf8'));
    const first = Array.isArray(expected) ? expected[0] : expected;
    return join(BAD, name, first.file);
  }

  it('lists only cases that exist', () => {
    expect(cases.length).toBeGreaterThan(60);
    for (const name of Object.keys(BEYOND_A_SCHEMA)) expect(cases).toContain(name);
    // The cases about shape: if this number drops, a schema has become looser.
    expect(cases.length - Object.keys(BEYOND_A_SCHEMA).length).toBeGreaterThanOrEqual(26);
  });

  it.each(cases.filter((c) => !(c in BEYOND_A_SCHEMA)))('%s: refused', (name) => {
    const file = problemFile(name);
    expect(documentsOf(file), 'readable YAML').toBeDefined();
    expect(refusals(file).length, `${relative(BAD, file)} should be refused`).toBeGreaterThan(0);
  });

  it.each(Object.entries(BEYOND_A_SCHEMA))('%s: beyond a schema (%s), so the file passes', (name) => {
    const file = problemFile(name);
    const readable = existsSync(file) && statSync(file).size < 2 * 1024 * 1024;
    let documents: unknown[] | undefined;
    try {
      documents = readable ? documentsOf(file) : undefined;
    } catch {
      documents = undefined; // a link that leads nowhere or loops
    }
    // A readable file the schema refuses belongs with the cases above, not in this list.
    if (documents !== undefined) expect(refusals(file)).toEqual([]);
  });
});

const CFG = 'setpoint.schema.json';
const RES = 'resource.schema.json';
const config = (extra: Record<string, unknown>) => ({ resources: ['*.yaml'], ...extra });
const resource = (extra: Record<string, unknown>) => ({ kind: 'files', name: 'motd', spec: {}, ...extra });
const files = (entry: Record<string, unknown>) => config({ providers: { files: entry } });

describe('what the schemas refuse, by name', () => {
  it.each<[string, Which, unknown]>([
    ['a resource document as a config', CFG, resource({})],
    ['a config as a resource document', RES, config({})],
    ['use: nope', CFG, files({ use: 'nope' })],
    ['use and module together', CFG, files({ use: 'file', module: './p.js' })],
    ['neither use nor module', CFG, files({ options: {} })],
    ['an option __proto__', CFG, files({ use: 'file', options: JSON.parse('{"__proto__":1}') })],
    ['a kind starting with _', CFG, config({ providers: { _files: { use: 'file' } } })],
    ['listen: nonsense', CFG, config({ server: { listen: 'nonsense' } })],
    ['listen on port 65536', CFG, config({ server: { listen: '127.0.0.1:65536' } })],
    ['an escaped reference', CFG, config({ server: { listen: '$${env:LISTEN}' } })],
    ['an unknown server key', CFG, config({ server: { port: 9464 } })],
    ['a duration without unit', CFG, config({ defaults: { interval: '30' } })],
    ['an interval of 0', CFG, config({ defaults: { interval: 0 } })],
    ['an interval of 99 ms as a number', RES, resource({ policy: { interval: 99 } })],
    ['a timeout of 0s', CFG, config({ defaults: { timeout: '0s' } })],
    ['a timeout of 0m0s', CFG, config({ defaults: { timeout: '0m0s' } })],
    ['maxRetries: -1', CFG, config({ defaults: { maxRetries: -1 } })],
    ['maxRetries: ${env:N}', CFG, config({ defaults: { maxRetries: '${env:N}' } })],
    ['concurrency: 0', CFG, config({ defaults: { concurrency: 0 } })],
    ['drift: sometimes', RES, resource({ policy: { drift: 'sometimes' } })],
    ['a budget of -1', CFG, config({ defaults: { deletionBudget: { max: -1 } } })],
    ['a spec that is a list', RES, resource({ spec: ['x'] })],
    ['a dependency that is not a key', RES, resource({ dependsOn: ['etc'] })],
    ['a misspelt dependsOn', RES, resource({ dependson: ['files/etc'] })],
    ['a name with a space', RES, resource({ name: 'my motd' })],
  ])('refuses %s', (_, which, value) => {
    expect(validators[which](value)).toBe(false);
  });

  it.each<[string, Which, unknown]>([
    ['use from the environment', CFG, files({ use: '${env:PROVIDER}' })],
    ['listen from the environment', CFG, config({ server: { listen: '${env:LISTEN}' } })],
    ['listen: ${env:H}:9464', CFG, config({ server: { listen: '${env:H}:9464' } })],
    ['listen on [::1]', CFG, config({ server: { listen: '[::1]:9464' } })],
    ['a token from a file', CFG, config({ server: { token: '${file:secrets/token}' } })],
    ['interval: ${env:I}', CFG, config({ defaults: { interval: '${env:I}' } })],
    ['a timeout of 1ms', CFG, config({ defaults: { timeout: '1ms' } })],
    ['a shutdown timeout of 0s', CFG, config({ defaults: { shutdownTimeout: '0s' } })],
    ['a kind from the environment', RES, resource({ kind: '${env:KIND}' })],
    ['a drift policy from a file', RES, resource({ policy: { drift: '${file:drift}' } })],
    ['a dependency from the environment', RES, resource({ dependsOn: ['${env:DEP}'] })],
  ])('accepts %s', (_, which, value) => {
    const validate = validators[which];
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  });
});
