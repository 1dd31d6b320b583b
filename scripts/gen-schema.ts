// Writes schema/setpoint.schema.json from the zod schemas in src/config.
// Run: npx tsx scripts/gen-schema.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setpointJsonSchemaText } from '../src/config/json-schema.js';

const target = join(import.meta.dirname, '..', 'schema', 'setpoint.schema.json');
writeFileSync(target, setpointJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
