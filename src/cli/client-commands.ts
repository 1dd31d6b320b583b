import type { CommandDoc, OptionDoc } from './commands.js';

export const SERVER_OPTION: OptionDoc = {
  spec: { type: 'string' },
  usage: '--server <url>',
  help: 'the running instance, like http://127.0.0.1:9464 (default: $SETPOINT_SERVER, else server.listen)',
};

export const OUTPUT_OPTION: OptionDoc = {
  spec: { type: 'string', short: 'o' },
  usage: '-o, --output <format>',
  help: 'table (default), json or yaml',
};

const SELECTOR_OPTION: OptionDoc = {
  spec: { type: 'string', short: 'l' },
  usage: '-l, --selector <selector>',
  help: 'only resources whose labels match, like team=a,tier!=db,env in (prod,qa)',
};

/** How every client command finds its token, for its help. */
export const TOKEN_LINE = 'The bearer token sent is $SETPOINT_TOKEN, else server.token from the config.';

/** The commands that talk to a running instance's desired-state API (besides `apply -f`). */
export const CLIENT_COMMANDS: Readonly<Record<'get' | 'delete' | 'watch', CommandDoc>> = {
  get: {
    name: 'get',
    summary: 'show the desired resources of a running instance, with their status',
    description:
      'Asks the desired-state API of a running instance (see --server) for every resource, the\n' +
      'resources of one KIND, or the one KIND/NAME, and prints KIND, NAME, SOURCE (config or\n' +
      'api), GENERATION, OBSERVED (the generation last acted on), PHASE and READY. With -o json\n' +
      'the objects as the API gives them; with -o yaml the same in YAML.\n' +
      TOKEN_LINE,
    usage: ['setpoint get [KIND | KIND/NAME] [options]'],
    exit: [
      [0, 'shown'],
      [1, 'not found, nothing answered, refused, or an error'],
    ],
    options: { selector: SELECTOR_OPTION, output: OUTPUT_OPTION, server: SERVER_OPTION },
  },
  delete: {
    name: 'delete',
    summary: 'take resources out of the desired set of a running instance',
    description:
      'Deletes each KIND/NAME from the desired-state API of a running instance (see --server),\n' +
      'and prints "kind/name deleted". A resource the config declares is refused: remove it from\n' +
      'the resource files instead. What was created for it is pruned as the instance prunes.\n' +
      TOKEN_LINE,
    usage: ['setpoint delete KIND/NAME [KIND/NAME ...] [options]'],
    exit: [
      [0, 'every one was deleted'],
      [1, 'one was not found or refused, nothing answered, or an error'],
    ],
    options: {
      'resource-version': {
        spec: { type: 'string' },
        usage: '--resource-version <n>',
        help: 'delete only if the resource is still at this version',
      },
      server: SERVER_OPTION,
    },
  },
  watch: {
    name: 'watch',
    summary: 'print the changes to the desired resources of a running instance as they happen',
    description:
      'Follows the desired-state API of a running instance (see --server): first every resource\n' +
      'as ADDED (or, with --resource-version, every change after that version), then one line per\n' +
      'change: ADDED, MODIFIED or DELETED, the key, its version and its phase. A dropped\n' +
      'connection is resumed from the last version seen; when that version is too old, it lists\n' +
      'again and goes on from there. Runs until SIGINT or SIGTERM.\n' +
      TOKEN_LINE,
    usage: ['setpoint watch [KIND] [options]'],
    exit: [
      [0, 'stopped by SIGINT or SIGTERM'],
      [1, 'nothing answered at the start, refused, or an error'],
    ],
    json: 'write each event as one line of JSON (as -o json)',
    options: {
      selector: SELECTOR_OPTION,
      'resource-version': {
        spec: { type: 'string' },
        usage: '--resource-version <n>',
        help: 'start after this version (default: the resources there are now, then changes)',
      },
      output: { ...OUTPUT_OPTION, usage: '-o, --output <table|json>', help: 'table (default) or json' },
      server: SERVER_OPTION,
    },
  },
};
