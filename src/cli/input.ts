import { resolve } from 'node:path';
import { escapeControl, formatIssues } from '../config/format-issues.js';
import type { ConfigIssue } from '../config/issue.js';
import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import { redactIssues } from '../config/redact-issues.js';
import type { Provider } from '../contract/provider.js';
import { redact } from '../contract/redact.js';
import { buildProviders } from './build-providers.js';
import { type CliIo, colorFor } from './cli-io.js';
import type { CommonArgs } from './parse-args.js';
import { plural } from './plural.js';
import { stateKeyFromEnv } from './state-key.js';

/** A config that loaded and whose providers were built: ready to run. */
export interface Input {
  readonly config: LoadedConfig;
  readonly providers: Provider[];
  /** The key that seals secrets in the state, from `SETPOINT_STATE_KEY`; else the state's own. */
  readonly stateKey?: Uint8Array;
}

export type InputResult =
  | { readonly ok: true; readonly input: Input }
  | {
      readonly ok: false;
      readonly issues: ConfigIssue[];
      readonly errors: string[];
      /** The secrets read before it failed: whatever shows the problems must hide these. */
      readonly secrets: string[];
    };

/**
 * Load the config named by `-c` and build its providers. Prints nothing. The problems of a
 * failure come back with the config's secrets redacted (a provider that refuses its options may
 * quote them), and with the secrets themselves, to redact anything else shown with them.
 */
export async function loadInput(args: CommonArgs, io: CliIo): Promise<InputResult> {
  const loaded = await loadConfig(resolve(io.cwd, args.config), { env: io.env });
  if (!loaded.ok) return { ok: false, issues: loaded.errors, errors: [], secrets: loaded.secrets };
  const stateKey = stateKeyFromEnv(io.env);
  if (stateKey !== undefined && 'error' in stateKey) {
    const fix = `set it to the key the state was sealed with, or unset it to use ${loaded.config.state}/state.key`;
    return {
      ok: false,
      issues: [],
      errors: [`setpoint: ${stateKey.error}; ${fix}`],
      secrets: loaded.config.secrets,
    };
  }
  // A module's factory runs on no timer of ours: hold the process open until it settles or
  // times out, so a factory that never does is reported rather than ending the process.
  const release = io.hold();
  const built = await buildProviders(loaded.config, { clock: io.clock, random: io.random }).finally(release);
  if (!built.ok) {
    const { secrets } = loaded.config;
    return { ok: false, issues: redactIssues(built.issues, secrets), errors: [], secrets };
  }
  const input = { config: loaded.config, providers: built.providers };
  return { ok: true, input: stateKey === undefined ? input : { ...input, stateKey } };
}

/**
 * Every input problem to stderr: issues with file:line:column and hint, then provider errors,
 * with the secrets of the failed result redacted once more on the way out.
 */
export function reportInputErrors(result: Extract<InputResult, { ok: false }>, io: CliIo): void {
  const color = colorFor(io.stderr, io.env);
  const parts: string[] = [];
  if (result.issues.length > 0) parts.push(formatIssues(result.issues, { relativeTo: io.cwd, color }));
  parts.push(...result.errors.map(escapeControl));
  const count = result.issues.length + result.errors.length;
  parts.push(`${plural(count, 'problem')} found; nothing was changed.`);
  io.stderr.write(`${redact(parts.join('\n'), result.secrets)}\n`);
}
