// Writes schema/setpoint.schema.json (the config file) and schema/resource.schema.json (one
// resource document) from the zod schemas in src/config.
// Run: npx tsx scripts/gen-schema.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSON_SCHEMA_FILES, type JsonSchemaFile, jsonSchemaText } from '../src/config/json-schema.js';

for (const file of Object.keys(JSON_SCHEMA_FILES) as JsonSchemaFile[]) {
  const target = join(import.meta.dirname, '..', 'schema', file);
  writeFileSync(target, jsonSchemaText(file));
  process.stdout.write(`wrote ${target}\n`);
}
