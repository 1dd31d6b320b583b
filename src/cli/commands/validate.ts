import { relative } from 'node:path';
import { redactedJson } from '../../server/redact-json.js';
import type { CliIo } from '../cli-io.js';
import { loadInput, reportInputErrors } from '../input.js';
import type { CommonArgs } from '../parse-args.js';
import { plural } from '../plural.js';

/**
 * `setpoint validate`: load the config and every resource file, build the providers, and
 * report. Calls no provider operation and writes nothing.
 */
export async function validateCommand(args: CommonArgs, io: CliIo): Promise<number> {
  const result = await loadInput(args, io);
  if (!result.ok) {
    reportInputErrors(result, io);
    if (args.json) {
      const issues = result.issues.map((i) => ({ ...i, file: relative(io.cwd, i.file) || i.file }));
      const report = { ok: false, issues, errors: result.errors };
      io.stdout.write(`${redactedJson(report, result.secrets, 2)}\n`);
    }
    return 1;
  }
  const { config } = result.input;
  const kinds = Object.keys(config.providers).sort();
  const files = new Set([...config.sources.values()].map((s) => s.file)).size;
  if (args.json) {
    const summary = { ok: true, config: config.file, resources: config.resources.length, files, kinds };
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const shown = relative(io.cwd, config.file) || config.file;
    io.stdout.write(
      `${shown} is valid: ${plural(config.resources.length, 'resource')} in ${plural(files, 'file')}, ` +
        `${plural(kinds.length, 'kind')} (${kinds.join(', ') || 'none'}).\n`,
    );
  }
  return 0;
}
