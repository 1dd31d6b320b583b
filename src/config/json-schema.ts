import { z } from 'zod';
import { configFileSchema } from './config-schema.js';
import { resourceDocumentSchema } from './resource-schema.js';

/**
 * The JSON Schema of setpoint's YAML files, generated from the same zod schemas `loadConfig`
 * validates with, so the two cannot disagree. A document is either a config file or a resource
 * document (both are strict, so an editor tells them apart by their keys).
 *
 * Point an editor at it, e.g. with the YAML language server:
 * `# yaml-language-server: $schema=../node_modules/setpoint/schema/setpoint.schema.json`.
 * Regenerate `schema/setpoint.schema.json` with `npx tsx scripts/gen-schema.ts`; a test fails
 * when the committed file is stale.
 */
export function setpointJsonSchema(): Record<string, unknown> {
  const root = z.union([configFileSchema, resourceDocumentSchema]).meta({
    title: 'setpoint',
    description: 'A setpoint config file (setpoint.yaml) or one resource document.',
  });
  return z.toJSONSchema(root, { io: 'input', unrepresentable: 'any' });
}

/** The schema file's exact text: two-space JSON and a final newline. */
export function setpointJsonSchemaText(): string {
  return `${JSON.stringify(setpointJsonSchema(), null, 2)}\n`;
}
