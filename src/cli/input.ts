import { resolve } from 'node:path';
import { formatIssues } from '../config/format-issues.js';
import type { ConfigIssue } from '../config/issue.js';
import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import type { Provider } from '../runtime/provider.js';
import { buildProviders } from './build-providers.js';
import { type CliIo, colorFor } from './cli-io.js';
import type { CommonArgs } from './parse-args.js';

/** A config that loaded and whose providers were built: ready to run. */
export interface Input {
  readonly config: LoadedConfig;
  readonly providers: Provider[];
}

export type InputResult =
  | { readonly ok: true; readonly input: Input }
  | { readonly ok: false; readonly issues: ConfigIssue[]; readonly errors: string[] };

/** Load the config named by `-c` and build its providers. Prints nothing. */
export async function loadInput(args: CommonArgs, io: CliIo): Promise<InputResult> {
  const loaded = await loadConfig(resolve(io.cwd, args.config), { env: io.env });
  if (!loaded.ok) return { ok: false, issues: loaded.errors, errors: [] };
  const built = await buildProviders(loaded.config, { clock: io.clock, random: io.random });
  if (!built.ok) return { ok: false, issues: [], errors: built.errors };
  return { ok: true, input: { config: loaded.config, providers: built.providers } };
}

/** Every input problem to stderr: issues with file:line:column and hint, then provider errors. */
export function reportInputErrors(result: Extract<InputResult, { ok: false }>, io: CliIo): void {
  const color = colorFor(io.stderr, io.env);
  const parts: string[] = [];
  if (result.issues.length > 0) parts.push(formatIssues(result.issues, { relativeTo: io.cwd, color }));
  parts.push(...result.errors);
  const count = result.issues.length + result.errors.length;
  parts.push(`${count} problem${count === 1 ? '' : 's'} found; nothing was changed.`);
  io.stderr.write(`${parts.join('\n')}\n`);
}
