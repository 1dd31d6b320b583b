import type { ParseArgsConfig } from 'node:util';
import { CLIENT_COMMANDS, OUTPUT_OPTION, SERVER_OPTION, TOKEN_LINE } from './client-commands.js';

export type CommandName =
  | 'validate'
  | 'plan'
  | 'apply'
  | 'run'
  | 'status'
  | 'approve'
  | 'get'
  | 'delete'
  | 'watch'
  | 'agent';

type OptionSpec = NonNullable<ParseArgsConfig['options']>[string];

export interface OptionDoc {
  readonly spec: OptionSpec;
  /** As shown in help: `-c, --config <file>`. */
  readonly usage: string;
  readonly help: string;
}

export interface CommandDoc {
  readonly name: CommandName;
  /** One line for the command list. */
  readonly summary: string;
  /** What it does, for `setpoint <command> --help`. */
  readonly description: string;
  /** Exit statuses and what they mean. */
  readonly exit: readonly (readonly [code: number, meaning: string])[];
  /** Options of this command only; the common ones are added to every command. */
  readonly options: Readonly<Record<string, OptionDoc>>;
  /** What `--json` does, where it is not to write the result to stdout as JSON. */
  readonly json?: string;
  /** The usage lines after `Usage: `, where the command takes more than options. */
  readonly usage?: readonly string[];
}

/** Options every command takes. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionDoc>> = {
  config: {
    spec: { type: 'string', short: 'c', default: 'setpoint.yaml' },
    usage: '-c, --config <file>',
    help: 'the config file (default ./setpoint.yaml)',
  },
  json: { spec: { type: 'boolean' }, usage: '--json', help: 'write the result to stdout as JSON' },
  help: { spec: { type: 'boolean', short: 'h' }, usage: '-h, --help', help: 'show this help' },
};

/**
 * The commands, as data: the argument parser, `--help` and the docs all read this table, so
 * they cannot drift apart.
 */
export const COMMANDS: Readonly<Record<CommandName, CommandDoc>> = {
  validate: {
    name: 'validate',
    summary: 'check the config and resource files; change nothing',
    description:
      'Reads the config file and every resource file it names, and reports every problem at once,\n' +
      'each with file:line:column and a hint. Builds the providers (checking their options) but\n' +
      'calls none of them: nothing is observed or changed.',
    exit: [
      [0, 'valid'],
      [1, 'invalid (every problem is listed on stderr)'],
    ],
    options: {},
  },
  plan: {
    name: 'plan',
    summary: 'observe the world once and show what apply would change',
    description:
      'Observes every desired resource once and prints the plan in Terraform\'s grammar: "+" create,\n' +
      '"~" update in place, "-/+" replace, "-" delete. Deletes of managed resources that are no\n' +
      'longer desired appear only when `defaults.prune` is true. Changes nothing, the state\n' +
      'directory included; refuses a state another live process holds, as apply does. With a\n' +
      'postgres store it reads the shared state, beside running instances.',
    exit: [
      [0, 'done (with --detailed-exitcode: no changes)'],
      [1, 'error'],
      [2, 'with --detailed-exitcode: there are changes'],
    ],
    options: {
      'detailed-exitcode': {
        spec: { type: 'boolean' },
        usage: '--detailed-exitcode',
        help: 'exit 2 when there are changes, 0 when there are none',
      },
    },
  },
  apply: {
    name: 'apply',
    summary: 'converge once: apply every change, in dependency order, with retries',
    description:
      'Starts the runtime, applies every change (dependencies first, failures retried with backoff)\n' +
      'and exits once every resource is in sync, or once what is left has given up (Degraded, or\n' +
      'waiting on something that has). Prunes like `run` when `defaults.prune` is true, within\n' +
      'the deletion budget: deletes beyond it are held and listed (--approve-deletions lets them\n' +
      'go). On a terminal it shows progress: resources in sync / total, failing, the current wave.\n' +
      'With a postgres store the running instances apply: it publishes the resources to the\n' +
      'database and waits until the instances report them Ready.\n' +
      '\n' +
      'With -f it converges nothing itself: it writes each resource document of the files (YAML,\n' +
      'documents separated by ---, as resource files, with labels:) to the desired-state API of\n' +
      'a running instance, creating or replacing it, and prints "kind/name created", "configured"\n' +
      'or "unchanged". A refused document is reported with every problem and the rest go on.\n' +
      TOKEN_LINE,
    usage: ['setpoint apply [options]', 'setpoint apply -f FILE [-f FILE ...] [options]'],
    exit: [
      [0, 'every resource is in sync (with --dry-run: the plan was computed; with -f: all written)'],
      [1, 'some resource is not in sync, the deadline passed, or an error (with -f: one was refused)'],
      [3, 'every resource is in sync, but deletes beyond the deletion budget were held'],
    ],
    options: {
      'dry-run': {
        spec: { type: 'boolean' },
        usage: '--dry-run',
        help: 'compute and show what would be applied; apply nothing',
      },
      'approve-deletions': {
        spec: { type: 'boolean' },
        usage: '--approve-deletions',
        help: 'delete what leaves the desired set even beyond the deletion budget',
      },
      timeout: {
        // No parser default: `--timeout` with `-f` is refused, so it must be told from its absence.
        spec: { type: 'string' },
        usage: '--timeout <duration>',
        help: 'give up after this long, like 90s or 10m (default 5m)',
      },
      file: {
        spec: { type: 'string', short: 'f', multiple: true },
        usage: '-f, --file <file>',
        help: "write this file's resources to a running instance instead (repeat; - for stdin)",
      },
      output: OUTPUT_OPTION,
      server: SERVER_OPTION,
    },
  },
  run: {
    name: 'run',
    summary: 'keep the world in its desired state until stopped',
    description:
      'Runs the supervised runtime: every resource is reconciled on its interval, drift is corrected,\n' +
      'the config and resource files are watched and reloaded on change (an invalid edit is logged\n' +
      'and the last good desired state keeps running), and /healthz, /readyz, /metrics and /status\n' +
      'are served on `server.listen`. SIGTERM or SIGINT stops it gracefully within\n' +
      '`defaults.shutdownTimeout`. Logs go to stderr: JSON lines, or one-liners on a terminal.\n' +
      'With a postgres store it joins the instances sharing that database and runs its share.',
    exit: [
      [0, 'stopped by SIGTERM or SIGINT'],
      [1, 'could not start, or the root supervisor gave up (restart the process)'],
    ],
    json: 'log JSON lines to stderr, on a terminal too, without colour',
    options: {
      'log-level': {
        spec: { type: 'string', default: 'info' },
        usage: '--log-level <level>',
        help: 'trace, debug, info, warn, error or fatal (default info)',
      },
    },
  },
  status: {
    name: 'status',
    summary: 'show what is managed: from a running instance, else from the state directory',
    description:
      'Asks the instance listening on `server.listen` for its /status (sending `server.token` if\n' +
      'set). When nothing answers there, reads the state directory instead: what is in the\n' +
      'inventory, and any intents left pending by a crash. With a postgres store it reads the\n' +
      'group from the database: members, shards with their owners and epochs, every status.',
    exit: [
      [0, 'status shown'],
      [1, 'error'],
    ],
    options: {},
  },
  approve: {
    name: 'approve',
    summary: 'let a running instance delete what its deletion budget holds',
    description:
      'Asks the instance listening on `server.listen` to go ahead with the deletes its deletion\n' +
      'budget holds: all of them, or those named with --key. Sends `server.token`, which the\n' +
      'instance requires for this. Prints what was approved and what is still held.',
    exit: [
      [0, 'the deletes were approved (or none were held)'],
      [1, 'nothing answered, the instance refused, or an error'],
    ],
    options: {
      key: {
        spec: { type: 'string', multiple: true },
        usage: '--key <kind/name>',
        help: 'approve only this held delete (repeat for more; default: all)',
      },
    },
  },
  ...CLIENT_COMMANDS,
  agent: {
    name: 'agent',
    summary: "run a node agent: this machine's processes, for an orchestrator's node provider",
    description:
      'Serves a small HTTP API (bearer token from SETPOINT_AGENT_TOKEN) through which an\n' +
      "orchestrator's `node` provider observes, starts, updates, restarts and stops this node's\n" +
      'processes, and reads its heartbeat. The agent decides nothing: it runs the `process`\n' +
      "provider's operation it is asked to. Processes outlive the agent: one restarted on the same\n" +
      '--dir adopts them. Logs go to stderr as JSON lines; SIGTERM or SIGINT stops it (and leaves\n' +
      'the processes running).',
    exit: [
      [0, 'stopped by SIGTERM or SIGINT'],
      [1, 'could not start: no token, a bad option, or the address is taken'],
    ],
    options: {
      node: {
        spec: { type: 'string' },
        usage: '--node <name>',
        help: "this node's name, as the orchestrator's resources name it (required)",
      },
      listen: {
        spec: { type: 'string', default: '127.0.0.1:7400' },
        usage: '--listen <host:port>',
        help: 'where to serve (default 127.0.0.1:7400)',
      },
      dir: {
        spec: { type: 'string', default: '.setpoint-agent' },
        usage: '--dir <dir>',
        help: "the processes' records and logs (default ./.setpoint-agent)",
      },
    },
    usage: ['setpoint agent --node <name> [--listen <host:port>] [--dir <dir>]'],
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

export function isCommandName(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/** The `parseArgs` options of one command: its own and the common ones. */
export function parseOptionsOf(command: CommandName): NonNullable<ParseArgsConfig['options']> {
  const all = { ...COMMANDS[command].options, ...COMMON_OPTIONS };
  return Object.fromEntries(Object.entries(all).map(([name, doc]) => [name, doc.spec]));
}
