import pino, { type Logger } from 'pino';
import { redactJsonText } from '../server/redact-json.js';
import type { Clock } from '../time/clock.js';
import type { Output } from './cli-io.js';
import type { LogLevel } from './parse-args.js';

export interface CliLoggerOptions {
  readonly output: Output;
  readonly level: LogLevel;
  readonly clock: Clock;
  /** Values never to print (from `config.secrets`); more may be added later with `addSecrets`. */
  readonly secrets: readonly string[];
  /** One-liners for people instead of JSON lines. */
  readonly pretty: boolean;
  readonly color: boolean;
}

/** Fields that hold credentials wherever they appear: pino blanks them before anything else. */
const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'authorization',
  'headers.*',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.headers.*',
];

export interface CliLogger {
  readonly logger: Logger;
  /** Hide these values from now on too (a reloaded config may bring new secrets). */
  addSecrets(secrets: readonly string[]): void;
}

/**
 * The logger of `setpoint run`: pino, to stderr. Each line is redacted twice over: pino blanks
 * the usual credential fields, then every value in the secrets list (everything that came from
 * `${env:…}`, and the server token) is replaced wherever it appears in the line.
 *
 * JSON lines by default (for a log shipper); on a terminal, one-liners:
 * `12:04:05.123 INFO  files/motd: created  action=create`.
 */
export function createCliLogger(options: CliLoggerOptions): CliLogger {
  const secrets = new Set(options.secrets);
  const { output, pretty, color } = options;
  const destination = {
    write(line: string) {
      const safe = redactJsonText(line, [...secrets]);
      output.write(pretty ? `${prettyLine(safe, color)}\n` : safe);
    },
  };
  const logger = pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: () => `,"time":${options.clock.now()}`,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination,
  );
  return {
    logger,
    addSecrets(more) {
      for (const secret of more) if (secret !== '') secrets.add(secret);
    },
  };
}

const LEVELS: Record<number, [name: string, color: string]> = {
  10: ['TRACE', '\u001b[90m'],
  20: ['DEBUG', '\u001b[36m'],
  30: ['INFO ', '\u001b[32m'],
  40: ['WARN ', '\u001b[33m'],
  50: ['ERROR', '\u001b[31m'],
  60: ['FATAL', '\u001b[35m'],
};
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** A pino JSON line as one line for people. Anything that does not parse is shown as it is. */
export function prettyLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const [name, tint] = LEVELS[Number(entry.level)] ?? [String(entry.level), ''];
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const level = color ? `${tint}${name}\u001b[0m` : name;
  const fields = Object.entries(entry)
    .filter(([key]) => !OMIT.has(key))
    .map(([key, value]) => `${key}=${showValue(value)}`);
  return [time, level, String(entry.msg ?? ''), ...fields].filter((part) => part !== '').join(' ');
}

/** Strings as they are, errors by their message, anything else as JSON. */
function showValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  ) {
    return (value as { message: string }).message;
  }
  return JSON.stringify(value);
}
