import { parseArgs } from 'node:util';
import { parseDuration } from '../config/duration.js';
import {
  COMMAND_NAMES,
  COMMANDS,
  COMMON_OPTIONS,
  type CommandName,
  isCommandName,
  parseOptionsOf,
} from './commands.js';
import { commandHelp, mainHelp } from './help.js';
import { type ClientArgs, type OutputFormat, parseClientArgs } from './parse-client-args.js';

export type { ClientArgs, OutputFormat };

/** Options every command has, after parsing. */
export interface CommonArgs {
  /** The config path as given (relative to the working directory). */
  readonly config: string;
  readonly json: boolean;
}

export type CommandArgs =
  | (CommonArgs & { readonly command: 'validate' })
  | (CommonArgs & { readonly command: 'plan'; readonly detailedExitcode: boolean })
  | (CommonArgs & {
      readonly command: 'apply';
      readonly dryRun: boolean;
      readonly timeoutMs: number;
      readonly approveDeletions: boolean;
      /** `-f`: write these files' documents to a running instance's API instead of converging. */
      readonly files?: readonly string[];
      readonly output?: OutputFormat;
      readonly server?: string;
    })
  | (CommonArgs & { readonly command: 'run'; readonly logLevel: LogLevel })
  | (CommonArgs & { readonly command: 'status' })
  | (CommonArgs & {
      readonly command: 'agent';
      readonly node: string;
      readonly listen: { readonly host: string; readonly port: number };
      readonly dir: string;
    })
  | (CommonArgs & { readonly command: 'approve'; readonly keys: readonly string[] | undefined })
  | (CommonArgs &
      ClientArgs & {
        readonly command: 'get';
        readonly kind: string | undefined;
        readonly name: string | undefined;
        readonly selector: string | undefined;
      })
  | (CommonArgs &
      ClientArgs & {
        readonly command: 'delete';
        readonly keys: readonly string[];
        readonly resourceVersion: number | undefined;
      })
  | (CommonArgs &
      ClientArgs & {
        readonly command: 'watch';
        readonly kind: string | undefined;
        readonly selector: string | undefined;
        readonly resourceVersion: number | undefined;
      });

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the command line asks for. */
export type Invocation =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'usage-error'; readonly message: string }
  | { readonly kind: 'command'; readonly args: CommandArgs };

/**
 * Read the arguments (without `node` and the script): `<command> [options]`, `--help`,
 * `--version`, or `help [command]`. Pure: nothing is read or printed here.
 */
export function parseInvocation(argv: readonly string[]): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') return { kind: 'help', text: mainHelp() };
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help', text: mainHelp() };
    return isCommandName(topic) ? { kind: 'help', text: commandHelp(topic) } : unknownCommand(topic);
  }
  if (!isCommandName(first)) return unknownCommand(first);
  return parseCommand(first, rest);
}

function parseCommand(command: CommandName, argv: readonly string[]): Invocation {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: parseOptionsOf(command),
      strict: true,
      allowPositionals: true,
    }) as { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] });
  } catch (error) {
    return usageError(command, parseErrorText(command, error));
  }
  if (values.help === true) return { kind: 'help', text: commandHelp(command) };
  const takesArguments = command === 'get' || command === 'delete' || command === 'watch';
  if (positionals.length > 0 && !takesArguments) {
    return usageError(command, `unexpected argument "${positionals[0]}"`);
  }
  const config = String(values.config);
  if (config === '') return usageError(command, '--config needs a file path');
  const common = { config, json: values.json === true };
  if (takesArguments || (command === 'apply' && values.file !== undefined)) {
    const client = parseClientArgs(command, values, positionals, common);
    return typeof client === 'string' ? usageError(command, client) : { kind: 'command', args: client };
  }
  for (const option of ['output', 'server'] as const) {
    if (values[option] !== undefined) return usageError(command, `--${option} goes with -f (apply -f FILE)`);
  }
  switch (command) {
    case 'validate':
    case 'status':
      return { kind: 'command', args: { command, ...common } };
    case 'plan':
      return {
        kind: 'command',
        args: { command, ...common, detailedExitcode: values['detailed-exitcode'] === true },
      };
    case 'apply': {
      const timeout = parseDuration(String(values.timeout ?? '5m'));
      if (!timeout.ok || timeout.ms <= 0) {
        const why = timeout.ok ? `"${String(values.timeout)}" must be more than 0` : timeout.reason;
        return usageError(command, `--timeout: ${why}`);
      }
      return {
        kind: 'command',
        args: {
          command,
          ...common,
          dryRun: values['dry-run'] === true,
          timeoutMs: timeout.ms,
          approveDeletions: values['approve-deletions'] === true,
        },
      };
    }
    case 'approve': {
      const keys = values.key;
      return { kind: 'command', args: { command, ...common, keys: Array.isArray(keys) ? keys : undefined } };
    }
    case 'run': {
      const level = String(values['log-level']);
      if (!(LOG_LEVELS as readonly string[]).includes(level)) {
        return usageError(command, `--log-level "${level}" is not one of ${LOG_LEVELS.join(', ')}`);
      }
      return { kind: 'command', args: { command, ...common, logLevel: level as LogLevel } };
    }
    case 'agent': {
      const node = values.node;
      if (typeof node !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(node)) {
        return usageError(command, '--node needs a name: letters, digits, ".", "_" or "-"');
      }
      const listen = /^(.+):(\d{1,5})$/.exec(String(values.listen));
      const port = Number(listen?.[2]);
      if (!listen || port > 65_535) {
        return usageError(
          command,
          `--listen "${String(values.listen)}" is not host:port, like 127.0.0.1:7400`,
        );
      }
      const host = (listen[1] as string).replace(/^\[(.*)\]$/, '$1');
      return {
        kind: 'command',
        args: { command, ...common, node, listen: { host, port }, dir: String(values.dir) },
      };
    }
    default:
      return usageError(command, 'this command cannot be read here');
  }
}

function unknownCommand(name: string): Invocation {
  const hint = name.startsWith('-')
    ? 'put options after the command'
    : `commands: ${COMMAND_NAMES.join(', ')}`;
  return { kind: 'usage-error', message: `unknown command "${name}" (${hint}); see setpoint --help` };
}

/**
 * `parseArgs`'s complaint in our words: which option, what is wrong with it, and (for an
 * unknown one) the options there are. Its own messages suggest `--` tricks that do not apply.
 */
function parseErrorText(command: CommandName, error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const named = /'(-[^']*)'/.exec(message ?? '')?.[1] ?? '';
  const flag = named.split(/[ ,]+/).find((part) => part.startsWith('--')) ?? named;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const known = Object.values({ ...COMMANDS[command].options, ...COMMON_OPTIONS })
      .map(({ usage }) => {
        const [long, short] = [/--[\w-]+/.exec(usage)?.[0], /^-\w\b/.exec(usage)?.[0]];
        return short === undefined ? long : `${long} (${short})`;
      })
      .join(', ');
    return `unknown option "${flag}" for ${command} (its options: ${known})`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /argument missing/.test(message ?? '')
      ? `${flag} needs a value`
      : `${flag} takes no value (give it alone, as ${flag})`;
  }
  return message ?? String(error);
}

function usageError(command: CommandName, message: string): Invocation {
  return { kind: 'usage-error', message: `${message}; see setpoint ${command} --help` };
}
