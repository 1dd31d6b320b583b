import { COMMANDS, COMMON_OPTIONS, type CommandName } from './commands.js';

const TAGLINE = 'setpoint: declare the state the world should be in; setpoint keeps it there.';

/** `setpoint --help`: the commands and where to read more. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const list = Object.values(COMMANDS)
    .map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
    .join('\n');
  return [
    TAGLINE,
    '',
    'Usage: setpoint <command> [options]',
    '',
    'Commands:',
    list,
    '',
    'Options for every command:',
    optionLines(COMMON_OPTIONS),
    '',
    'Other:',
    '  setpoint --version        print the version',
    '  setpoint <command> --help show the help of one command',
    '',
    'Colour is used on a terminal unless NO_COLOR is set. Data goes to stdout, errors to stderr.',
  ].join('\n');
}

/** `setpoint <command> --help`. */
export function commandHelp(name: CommandName): string {
  const command = COMMANDS[name];
  const exit = command.exit.map(([code, meaning]) => `  ${code}  ${meaning}`).join('\n');
  return [
    `Usage: setpoint ${name} [options]`,
    '',
    `${capitalize(command.summary)}.`,
    '',
    command.description,
    '',
    'Options:',
    optionLines({ ...command.options, ...COMMON_OPTIONS }), // one column for both
    '',
    'Exit status:',
    exit,
  ].join('\n');
}

function optionLines(options: Readonly<Record<string, { usage: string; help: string }>>): string {
  const docs = Object.values(options);
  const width = Math.max(...docs.map((d) => d.usage.length));
  return docs.map((d) => `  ${d.usage.padEnd(width)}  ${d.help}`).join('\n');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
