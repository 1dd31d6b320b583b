import type { CommandName } from './commands.js';
import type { CommandArgs, CommonArgs } from './parse-args.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What the commands that talk to a running instance's API take besides the common options. */
export interface ClientArgs {
  /** `--server`, when given. */
  readonly server: string | undefined;
  readonly output: OutputFormat;
}

/**
 * The arguments of `get`, `delete`, `watch` and `apply -f`, the commands that talk to a running
 * instance's API; or what is wrong with them (for a usage error).
 */
export function parseClientArgs(
  command: CommandName,
  values: Readonly<Record<string, string | boolean | string[] | undefined>>,
  positionals: readonly string[],
  common: CommonArgs,
): CommandArgs | string {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const formats: readonly string[] = command === 'watch' ? ['table', 'json'] : OUTPUT_FORMATS;
  const given = text('output');
  if (given !== undefined && !formats.includes(given)) {
    return `-o "${given}" is not one of ${formats.join(', ')}`;
  }
  if (common.json && given !== undefined && given !== 'json') {
    return `--json and -o ${given} ask for two outputs: give one`;
  }
  const output = (common.json ? 'json' : (given ?? 'table')) as OutputFormat;
  const server = text('server');
  if (server !== undefined && !/^https?:\/\/[^/]/.test(server)) {
    return `--server "${server}" is not an http:// or https:// URL`;
  }
  let resourceVersion: number | undefined;
  const version = text('resource-version');
  if (version !== undefined) {
    if (!/^\d{1,15}$/.test(version)) {
      return `--resource-version "${version}" is not a resource version (a whole number)`;
    }
    resourceVersion = Number(version);
  }
  const client = { ...common, server, output };
  const selector = text('selector');
  switch (command) {
    case 'apply': {
      for (const option of ['dry-run', 'approve-deletions', 'timeout'] as const) {
        if (values[option] !== undefined) return `--${option} does not go with -f`;
      }
      const files = values.file as string[];
      if (files.some((f) => f === '')) return '-f needs a file path (or - for stdin)';
      return { command, ...client, dryRun: false, timeoutMs: 0, approveDeletions: false, files };
    }
    case 'get': {
      if (positionals.length > 1) return `unexpected argument "${positionals[1]}"`;
      const [kind, name] = splitTarget(positionals[0]);
      if (kind === '' || name === '') return `"${positionals[0]}" is not KIND or KIND/NAME`;
      if (name !== undefined && selector !== undefined) {
        return '-l selects among many: give KIND, or no argument, with it';
      }
      return { command, ...client, kind, name, selector };
    }
    case 'delete': {
      if (positionals.length === 0) return 'name what to delete: KIND/NAME';
      const bad = positionals.find((p) => !/^[^/]+\/./.test(p));
      if (bad !== undefined) return `"${bad}" is not KIND/NAME`;
      if (resourceVersion !== undefined && positionals.length > 1) {
        return '--resource-version goes with one KIND/NAME';
      }
      return { command, ...client, keys: [...positionals], resourceVersion };
    }
    default: {
      if (positionals.length > 1) return `unexpected argument "${positionals[1]}"`;
      const kind = positionals[0];
      if (kind !== undefined && (kind === '' || kind.includes('/'))) {
        return `"${kind}" is not a KIND (watch one kind, or all)`;
      }
      return { command: 'watch', ...client, kind, selector, resourceVersion };
    }
  }
}

/** `files/motd` → `['files', 'motd']`; a name may hold `/` itself (`files/site/index.html`). */
function splitTarget(target: string | undefined): [string | undefined, string | undefined] {
  if (target === undefined) return [undefined, undefined];
  const slash = target.indexOf('/');
  return slash === -1 ? [target, undefined] : [target.slice(0, slash), target.slice(slash + 1)];
}
