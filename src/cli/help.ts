import { COMMANDS, COMMON_OPTIONS, type CommandName } from './commands.js';

const TAGLINE = 'setpoint: declare the state the world should be in; setpoint keeps it there.';

/** Lines of `setpoint --help` outside the option tables: what they are, and what they do. */
const OTHER: readonly { usage: string; help: string }[] = [
  { usage: 'setpoint --version', help: 'print the version' },
  { usage: 'setpoint <command> --help', help: 'show the help of one command' },
];

/**
 * `setpoint --help`: the commands and where to read more. Every two-column line of it (the
 * commands, the common options, the other forms) starts its description in the same column.
 */
export function mainHelp(): string {
  const commands = Object.values(COMMANDS).map((c) => ({ usage: c.name, help: c.summary }));
  const options = Object.values(COMMON_OPTIONS);
  const width = Math.max(...[...commands, ...options, ...OTHER].map((d) => d.usage.length));
  return [
    TAGLINE,
    '',
    'Usage: setpoint <command> [options]',
    '',
    'Commands:',
    columns(commands, width),
    '',
    'Options for every command:',
    columns(options, width),
    '',
    'Other:',
    columns(OTHER, width),
    '',
    'Colour is used on a terminal unless NO_COLOR is set. Data goes to stdout, errors to stderr.',
  ].join('\n');
}

/** `setpoint <command> --help`. */
export function commandHelp(name: CommandName): string {
  const command = COMMANDS[name];
  const exit = command.exit.map(([code, meaning]) => `  ${code}  ${meaning}`).join('\n');
  const usage = command.usage ?? [`setpoint ${name} [options]`];
  return [
    `Usage: ${usage.join('\n       ')}`,
    '',
    `${capitalize(command.summary)}.`,
    '',
    command.description,
    '',
    'Options:',
    optionLines({ ...command.options, ...commonOptionsOf(name) }), // one column for both
    '',
    'Exit status:',
    exit,
  ].join('\n');
}

/** The options every command takes, with `--json` as this command means it. */
function commonOptionsOf(name: CommandName): Readonly<Record<string, { usage: string; help: string }>> {
  const json = COMMANDS[name].json;
  return json === undefined
    ? COMMON_OPTIONS
    : { ...COMMON_OPTIONS, json: { ...COMMON_OPTIONS.json!, help: json } };
}

function optionLines(options: Readonly<Record<string, { usage: string; help: string }>>): string {
  const docs = Object.values(options);
  return columns(docs, Math.max(...docs.map((d) => d.usage.length)));
}

/** Two columns: each usage padded to `width`, then two spaces, then its description. */
function columns(docs: readonly { usage: string; help: string }[], width: number): string {
  return docs.map((d) => `  ${d.usage.padEnd(width)}  ${d.help}`).join('\n');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
