import { relative } from 'node:path';
import type { Logger } from 'pino';
import { type CliIo, colorFor } from './cli-io.js';
import { type InputResult, reportInputErrors } from './input.js';
import { createCliLogger } from './logger.js';
import type { CommandArgs } from './parse-args.js';
import { plural } from './plural.js';

type RunArgs = Extract<CommandArgs, { command: 'run' }>;

/**
 * The logger of `setpoint run`. With `--json` every line on stderr is one JSON object, on a
 * terminal too (no one-liners, no colour), so a log shipper can read all of it; without it,
 * JSON lines off a terminal and one-liners for people on one.
 */
export function runLogger(args: RunArgs, io: CliIo, secrets: readonly string[]) {
  return createCliLogger({
    output: io.stderr,
    level: args.logLevel,
    clock: io.clock,
    secrets,
    pretty: io.stderr.isTTY && !args.json,
    color: !args.json && colorFor(io.stderr, io.env),
  });
}

/**
 * Say what `run` could not start with. With `--json` as log lines (each problem one `error`
 * line with its place and hint, then a `fatal` line with the count); else as every command
 * reports bad input.
 */
export function reportRunInputErrors(
  args: RunArgs,
  io: CliIo,
  result: Extract<InputResult, { ok: false }>,
): void {
  if (!args.json) {
    reportInputErrors(result, io);
    return;
  }
  const { logger: log } = runLogger(args, io, result.secrets);
  for (const issue of result.issues) {
    const file = relative(io.cwd, issue.file) || issue.file;
    const { code, line, column, hint } = issue;
    log.error({ code, file, line, column, hint }, `${file}:${line}:${column} ${code}: ${issue.message}`);
  }
  for (const error of result.errors) log.error(error);
  const count = result.issues.length + result.errors.length;
  log.fatal({ problems: count }, `${plural(count, 'problem')} found; nothing was changed`);
}

/**
 * A reason `run` stops before it serves: as a `fatal` log line, and, unless `--json` (where
 * stderr holds only log lines), once more as a plain line on stderr for whoever started it.
 */
export function reportRunFailure(args: RunArgs, io: CliIo, log: Logger | undefined, text: string): void {
  const plain = text.startsWith('setpoint: ') ? text.slice('setpoint: '.length) : text;
  log?.fatal(plain);
  if (!args.json || log === undefined) io.stderr.write(`setpoint: ${plain}\n`);
}
