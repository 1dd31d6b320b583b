// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} and ${file:PATH} are the config syntax for references, not templates
import { z } from 'zod';
import { configFileSchema } from './config-schema.js';
import { resourceDocumentSchema } from './resource-schema.js';

/**
 * The JSON Schemas of setpoint's YAML files, generated from the same zod schemas `loadConfig`
 * validates with, so the two cannot disagree. There are two, one per kind of file, so that an
 * editor checks each file against what it is and names the one key that is wrong:
 *
 * - `schema/setpoint.schema.json`: the config file, `setpoint.yaml`.
 * - `schema/resource.schema.json`: one resource. A resource file may hold several YAML
 *   documents (separated by `---`); an editor checks each of them against this schema.
 *
 * An editor with the YAML language server picks the schema from a first line such as
 * `# yaml-language-server: $schema=../schema/setpoint.schema.json` (in `setpoint.yaml`) or
 * `# yaml-language-server: $schema=../schema/resource.schema.json` (in a resource file), the
 * path relative to the YAML file; a project that installs setpoint points into
 * `node_modules/setpoint/schema/`. CI can check files with any JSON Schema validator of
 * draft 2020-12. A schema sees one document at a time: what takes several files, the
 * environment or the file system (a cycle, an unknown kind, a variable that is not set) only
 * `setpoint validate` sees.
 *
 * Regenerate both files with `npx tsx scripts/gen-schema.ts`; a test fails when a committed file
 * is stale.
 */
export const JSON_SCHEMA_FILES = {
  'setpoint.schema.json': configJsonSchema,
  'resource.schema.json': resourceJsonSchema,
} as const;

export type JsonSchemaFile = keyof typeof JSON_SCHEMA_FILES;

/** The schema of `setpoint.yaml`. */
export function configJsonSchema(): Record<string, unknown> {
  return generate(configFileSchema);
}

/** The schema of one document of a resource file. */
export function resourceJsonSchema(): Record<string, unknown> {
  return generate(resourceDocumentSchema);
}

/** A schema file's exact text: two-space JSON and a final newline. */
export function jsonSchemaText(file: JsonSchemaFile): string {
  return `${JSON.stringify(JSON_SCHEMA_FILES[file](), null, 2)}\n`;
}

/**
 * A string holding a `${env:NAME}` or `${file:PATH}` reference (not one escaped as `$${…}`):
 * the loader replaces it before it checks the value, so the file may hold it where a value
 * must otherwise match a pattern or a list.
 */
export const REFERENCE_PATTERN = '(?:^|[^$])\\$\\{(?:env:[A-Za-z_][A-Za-z0-9_]*|file:[^}]+)\\}';

const REFERENCE_REF = '#/$defs/reference';

function generate(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const edited = acceptReferences(json) as Record<string, unknown>;
  const defs = (edited.$defs ?? {}) as Record<string, unknown>;
  edited.$defs = {
    ...defs,
    reference: {
      type: 'string',
      pattern: REFERENCE_PATTERN,
      description: 'A ${env:NAME} or ${file:PATH} reference, replaced before the value is checked.',
    },
  };
  return edited;
}

/** Keywords under which a schema describes the same value or a value inside it. */
const SUBSCHEMA_MAPS = ['properties', '$defs'];
const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SUBSCHEMAS = ['additionalProperties', 'items', 'not'];

/**
 * The one edit made to zod's output, because it is about the file's text rather than the value
 * the loader checks: every string that must match a pattern, a list or a constant also accepts a
 * reference. A key is never substituted, so `propertyNames` is left alone. Inside an `anyOf`
 * (a duration: a number or text) the reference becomes one more branch.
 */
function acceptReferences(node: unknown): unknown {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
  const out: Record<string, unknown> = { ...(node as Record<string, unknown>) };
  for (const key of SUBSCHEMA_MAPS) {
    const map = out[key];
    if (typeof map === 'object' && map !== null) {
      out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, acceptReferences(v)]));
    }
  }
  for (const key of SUBSCHEMAS) if (key in out) out[key] = acceptReferences(out[key]);
  for (const key of SUBSCHEMA_LISTS) {
    const list = out[key];
    if (!Array.isArray(list)) continue;
    const branches = list.flatMap((branch) => {
      const edited = acceptReferences(branch) as Record<string, unknown>;
      const keys = Object.keys(edited);
      return keys.length === 1 && keys[0] === 'anyOf' ? (edited.anyOf as unknown[]) : [edited];
    });
    const isReference = (b: unknown) => (b as { $ref?: unknown }).$ref === REFERENCE_REF;
    out[key] = branches.filter((b, i) => !isReference(b) || branches.findIndex(isReference) === i);
  }
  if (out.type !== 'string' || !('pattern' in out || 'enum' in out || 'const' in out)) return out;
  const { description, examples, title, ...shape } = out;
  const annotations = Object.fromEntries(
    Object.entries({ title, description, examples }).filter(([, v]) => v !== undefined),
  );
  return { ...annotations, anyOf: [shape, { $ref: REFERENCE_REF }] };
}
