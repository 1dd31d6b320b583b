// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfigText } from './parse-config.js';
import { parseResourceText } from './parse-resource.js';

const FILE = '/cfg/resources/r.yaml';
const where = (issues: readonly { code: string; line: number; column: number }[]) =>
  [...issues]
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map((i) => `${i.line}:${i.column} ${i.code}`);

describe('parseResourceText', () => {
  it('reads several documents and skips empty ones', () => {
    const text = '---\nkind: a\nname: x\nspec: {}\n---\n---\nkind: a\nname: y\nspec: { n: 1 }\n...\n';
    const result = parseResourceText(text, FILE);
    expect(result.issues).toEqual([]);
    expect(result.entries.map((e) => [e.key, e.source.line])).toEqual([
      ['a/x', 2],
      ['a/y', 7],
    ]);
  });

  it('reports every problem of a document at once, each at its own node', () => {
    const text = [
      'kind: files',
      'name: motd',
      'spec: { path: motd }',
      'dependsOn: [files/etc, nope]',
      'policy:',
      '  drift: sometimes',
      '  interval: soon',
      '  retries: 3',
    ].join('\n');
    expect(where(parseResourceText(text, FILE).issues)).toEqual([
      '4:24 invalid-value',
      '6:10 invalid-value',
      '7:13 bad-duration',
      '8:3 unknown-key',
    ]);
  });

  it('still knows the key of a document with schema errors, so nothing blames it as missing', () => {
    const result = parseResourceText('kind: files\nname: etc\nspec: [x]\n', FILE);
    expect(result.issues.map((i) => i.code)).toEqual(['spec-not-object']);
    expect(result.entries).toMatchObject([{ key: 'files/etc', resource: undefined }]);
    expect(result.complete).toBe(true);
  });

  it('marks the file incomplete when a document cannot say which resource it is', () => {
    expect(parseResourceText('kind: files\nspec: {}\n', FILE).complete).toBe(false);
    expect(parseResourceText('kind: [files\n', FILE).complete).toBe(false);
    expect(parseResourceText('- a\n- b\n', FILE).complete).toBe(false);
    expect(parseResourceText('', FILE).complete).toBe(true);
  });

  it('substitutes the environment in values but not in keys', () => {
    const text = 'kind: users\nname: ${env:WHO}\nspec: { "${env:WHO}": "${env:WHO}" }\n';
    const result = parseResourceText(text, FILE, { env: { WHO: 'alice' } });
    expect(result.entries[0]?.resource).toEqual({
      kind: 'users',
      name: 'alice',
      spec: { '${env:WHO}': 'alice' },
    });
    expect(result.secrets).toEqual(['alice', 'alice']);
  });

  it('points at the second of two duplicate keys', () => {
    const result = parseResourceText('kind: a\nname: x\nspec:\n  k: 1\n  k: 2\n', FILE);
    expect(where(result.issues)).toEqual(['5:3 duplicate-key']);
  });

  it('counts columns from the first character after a byte-order mark', () => {
    const result = parseResourceText('\uFEFFkind: a\nname: x\nspec: 3\n', FILE);
    expect(where(result.issues)).toEqual(['3:7 spec-not-object']);
  });

  it('gives back any valid resources that were written out as YAML', () => {
    const kind = fc.stringMatching(/^[a-z][a-z0-9._-]{0,10}$/);
    const name = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9/._:-]{0,15}$/);
    const resource = fc.record(
      {
        kind,
        name,
        spec: fc.dictionary(
          fc.string().filter((k) => k !== '<<'),
          fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('"<<"')),
          { maxKeys: 5 },
        ),
        dependsOn: fc.array(
          fc.tuple(kind, name).map(([k, n]) => `${k}/${n}`),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: ['kind', 'name', 'spec'] },
    );
    fc.assert(
      fc.property(fc.array(resource, { minLength: 1, maxLength: 4 }), (resources) => {
        // (A plain `<<` key is a merge key when read back: keep it out of the generated specs.)
        const text = resources.map((r) => stringify(r)).join('---\n');
        const result = parseResourceText(text, FILE);
        expect(result.issues).toEqual([]);
        // JSON's -0 is YAML's -0 and comes back as 0; compare as JSON.
        expect(JSON.parse(JSON.stringify(result.entries.map((e) => e.resource)))).toEqual(
          JSON.parse(JSON.stringify(resources)),
        );
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseConfigText', () => {
  const CONFIG = '/cfg/setpoint.yaml';

  it('keeps the valid sections when another section is broken', () => {
    const text = 'resources: ["r/*.yaml"]\nproviders:\n  files: { use: file }\nserver: { listen: nowhere }\n';
    const result = parseConfigText(text, CONFIG);
    expect(result.config).toEqual({ resources: ['r/*.yaml'], providers: { files: { use: 'file' } } });
    expect([...result.broken]).toEqual(['server']);
    expect(where(result.issues)).toEqual(['4:19 bad-listen']);
  });

  it('suggests the key that was meant', () => {
    const result = parseConfigText('resources: [a]\ndefaults: { maxRetry: 3 }\n', CONFIG);
    expect(result.issues.map((i) => [i.code, i.hint])).toEqual([
      ['unknown-key', 'did you mean "maxRetries"?'],
    ]);
  });

  it('treats an unknown top-level key as a possibly misspelt providers section', () => {
    const result = parseConfigText('resources: [a]\nprovders: {}\n', CONFIG);
    expect(result.broken.has('providers')).toBe(true);
  });

  it('refuses a backoff whose cap is below the default base, or whose base is above the default cap', () => {
    expect(
      where(parseConfigText('resources: [a]\ndefaults: { backoff: { cap: 500ms } }\n', CONFIG).issues),
    ).toEqual(['2:29 invalid-value']);
    expect(
      where(parseConfigText('resources: [a]\ndefaults: { backoff: { base: 2m } }\n', CONFIG).issues),
    ).toEqual(['2:30 invalid-value']);
  });
});
