// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConfigIssue, ISSUE_CODES } from './issue.js';
import { loadConfig } from './load-config.js';
import { parseConfigText } from './parse-config.js';
import { parseResourceText } from './parse-resource.js';
import { isPlainObject } from './schema-parts.js';

// Whatever the text, the parsers return issues or values: they never throw and never hang,
// and every issue points at a real place in the text it came from.

const RESOURCE_FILE = '/fuzz/resources/r.yaml';
const CONFIG_FILE = '/fuzz/setpoint.yaml';

const VALID_RESOURCES = [
  'kind: files\nname: motd\nspec: { path: motd.txt, content: "hello\\n" }\ndependsOn: [files/etc]\n',
  'kind: users\nname: alice\nspec:\n  role: admin\n  groups: [a, b]\npolicy: { drift: alert, interval: 5m }\n',
  'kind: files\nname: etc\nspec: { path: etc }\n---\nkind: files\nname: etc2\nspec:\n  a: &s { mode: "0644" }\n  b: *s\n',
  'kind: users\nname: bob\nspec:\n  note: |\n    two\n    lines\n  token: "${env:TOKEN}"\n',
];
const VALID_CONFIGS = [
  'resources: ["resources/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out } }\n  users: { use: memory }\n',
  'resources:\n  - "resources/**/*.yaml"\nstate: .setpoint\nproviders: { files: { use: file }, users: { use: http } }\ndefaults:\n  interval: 30s\n  backoff: { base: 1s, cap: 60s, jitter: full }\n  maxRetries: 5\nserver: { listen: "127.0.0.1:9464", token: "${env:TOKEN}" }\n',
];

/** Pieces of YAML that change meaning: indentation, flow brackets, anchors, tags, documents. */
const TOKENS = [
  ':',
  ': ',
  '-',
  '- ',
  ' ',
  '  ',
  '\n',
  '\t',
  '[',
  ']',
  '{',
  '}',
  ',',
  '"',
  "'",
  '&a ',
  '*a',
  '!tag ',
  '!!str ',
  '|',
  '>',
  '#',
  '%',
  '@',
  '`',
  '?',
  '---\n',
  '...\n',
  '<<: ',
  '${env:',
  '${env:TOKEN}',
  '}',
  '\\',
  '\u0000',
  '\uFEFF',
  'ü',
  '~',
  'null',
  '1e999',
  '0x1F',
  '-1',
];

type Mutation = {
  at: number;
  op: 'insert' | 'delete' | 'replace' | 'duplicate-line' | 'swap-lines';
  token: string;
};

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('insert', 'delete', 'replace', 'duplicate-line', 'swap-lines'),
  token: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 3 })),
});

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const { at, op, token } of mutations) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (op === 'insert') out = out.slice(0, i) + token + out.slice(i);
    else if (op === 'delete') out = out.slice(0, i) + out.slice(i + 1 + (at % 4));
    else if (op === 'replace') out = out.slice(0, i) + token + out.slice(i + token.length);
    else {
      const lines = out.split('\n');
      const j = at % lines.length;
      const k = (at * 7 + 3) % lines.length;
      if (op === 'duplicate-line') lines.splice(j, 0, lines[j] ?? '');
      else [lines[j], lines[k]] = [lines[k] ?? '', lines[j] ?? ''];
      out = lines.join('\n');
    }
  }
  return out;
}

const nearValid = (bases: readonly string[]) =>
  fc
    .tuple(fc.constantFrom(...bases), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([base, mutations]) => mutate(base, mutations));

const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }));

const env = { TOKEN: 't0k3n' };
const CODES: readonly string[] = ISSUE_CODES;

function expectWellFormed(issues: readonly ConfigIssue[], text: string, file: string): void {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const i of issues) {
    expect(CODES).toContain(i.code);
    expect(i.file).toBe(file);
    expect(Number.isInteger(i.line) && i.line >= 1 && i.line <= lineCount + 1).toBe(true);
    expect(Number.isInteger(i.column) && i.column >= 1).toBe(true);
    expect(i.message).not.toBe('');
    expect(i.hint).not.toBe('');
  }
}

function checkResourceText(text: string): void {
  const result = parseResourceText(text, RESOURCE_FILE, { env });
  expectWellFormed(result.issues, text, RESOURCE_FILE);
  for (const entry of result.entries) {
    expect(entry.key).toBe(`${entry.kind}/${entry.name}`);
    if (entry.resource !== undefined) expect(isPlainObject(entry.resource.spec)).toBe(true);
  }
}

function checkConfigText(text: string): void {
  const result = parseConfigText(text, CONFIG_FILE, { env });
  expectWellFormed(result.issues, text, CONFIG_FILE);
  if (result.issues.length === 0) expect(result.broken.size).toBe(0);
}

describe('the resource-file parser under fuzzing', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(anyText, checkResourceText), { numRuns: 1000 });
  });

  it('never throws on valid documents with random mutations', () => {
    fc.assert(fc.property(nearValid(VALID_RESOURCES), checkResourceText), { numRuns: 1500 });
  });

  it('accepts the unmutated documents', () => {
    for (const text of VALID_RESOURCES)
      expect(parseResourceText(text, RESOURCE_FILE, { env }).issues).toEqual([]);
  });
});

describe('the config-file parser under fuzzing', () => {
  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(anyText, checkConfigText), { numRuns: 1000 });
  });

  it('never throws on a valid config with random mutations', () => {
    fc.assert(fc.property(nearValid(VALID_CONFIGS), checkConfigText), { numRuns: 1500 });
  });

  it('accepts the unmutated configs', () => {
    for (const text of VALID_CONFIGS) expect(parseConfigText(text, CONFIG_FILE, { env }).issues).toEqual([]);
  });
});

describe('loadConfig under fuzzing', () => {
  const root = mkdtempSync(join(tmpdir(), 'setpoint-fuzz-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let batch = 0;
  const outcomes = { ok: 0, refused: 0 };

  it('returns errors or a valid config for mutated files on disk, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...VALID_CONFIGS), nearValid(VALID_CONFIGS)),
        fc.array(fc.oneof(nearValid(VALID_RESOURCES), fc.constantFrom(...VALID_RESOURCES)), {
          minLength: 1,
          maxLength: 3,
        }),
        async (config, resources) => {
          const dir = join(root, String(batch++));
          mkdirSync(join(dir, 'resources'), { recursive: true });
          writeFileSync(join(dir, 'setpoint.yaml'), config);
          for (const [i, text] of resources.entries())
            writeFileSync(join(dir, 'resources', `r${i}.yaml`), text);
          const result = await loadConfig(join(dir, 'setpoint.yaml'), { env });
          if (result.ok) {
            outcomes.ok++;
            expect(result.config.sources.size).toBe(result.config.resources.length);
          } else {
            outcomes.refused++;
            expect(result.errors.length).toBeGreaterThan(0);
            for (const e of result.errors) expect(e.file.startsWith(dir)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
    // Both outcomes occur: the mutations are near enough to valid to get past the parser.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
