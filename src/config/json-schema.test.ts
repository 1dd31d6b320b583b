import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { setpointJsonSchema, setpointJsonSchemaText } from './json-schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const GOOD = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'good');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return path.endsWith('.yaml') ? [path] : [];
  });
}

/**
 * The JSON Schema read back into a validator. zod's reader does not understand a `oneOf` of
 * bare `required` lists (the "use or module" rule), so that one rule is left out here; the
 * loader itself enforces it (see the bad-input corpus).
 */
function validator(): z.ZodType {
  const text = JSON.stringify(setpointJsonSchema()).replaceAll(
    ',"oneOf":[{"required":["use"]},{"required":["module"]}]',
    '',
  );
  return z.fromJSONSchema(JSON.parse(text));
}

describe('schema/setpoint.schema.json', () => {
  it('is exactly what scripts/gen-schema.ts generates (run it after changing a schema)', () => {
    const committed = readFileSync(join(ROOT, 'schema', 'setpoint.schema.json'), 'utf8');
    expect(committed).toBe(setpointJsonSchemaText());
  });

  it('accepts every document of the good fixtures', () => {
    const schema = validator();
    const files = yamlFiles(GOOD);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'), { merge: true })) {
        const value = doc.toJS();
        if (value === null) continue;
        expect(schema.safeParse(value).error?.issues, file).toBeUndefined();
      }
    }
  });

  it.each([
    ['an unknown key', { kind: 'files', name: 'a', spec: {}, dependson: [] }],
    ['a spec that is a list', { kind: 'files', name: 'a', spec: ['x'] }],
    ['a duration without unit', { kind: 'files', name: 'a', spec: {}, policy: { interval: '30' } }],
    ['a kind with a space', { kind: 'my files', name: 'a', spec: {} }],
    ['a dependency that is not a key', { kind: 'files', name: 'a', spec: {}, dependsOn: ['etc'] }],
    ['an unknown drift policy', { resources: ['*.yaml'], defaults: { drift: 'sometimes' } }],
    ['an empty resources list', { resources: [] }],
    ['an unknown top-level key', { resources: ['*.yaml'], provider: {} }],
  ])('refuses %s', (_, value) => {
    expect(validator().safeParse(value).success).toBe(false);
  });

  it('says that a provider has use or module, one of the two', () => {
    const schema = JSON.stringify(setpointJsonSchema());
    expect(schema).toContain('"oneOf":[{"required":["use"]},{"required":["module"]}]');
  });
});
