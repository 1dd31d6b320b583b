import { packageVersion } from '../runtime/package-version.js';
import { type CliIo, processIo } from './cli-io.js';
import { parseInvocation } from './parse-args.js';

/**
 * The `setpoint` command: `validate | plan | apply | run | status | approve | get | delete |
 * watch`, each with `--json`, `-c/--config` and `--help`. Returns the exit status; `bin/setpoint.js` calls this.
 */
export async function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, processIo());
}

/** `main` with its world passed in: the streams, environment, clock and signals. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const invocation = parseInvocation(argv);
  switch (invocation.kind) {
    case 'help':
      io.stdout.write(`${invocation.text}\n`);
      return 0;
    case 'version':
      io.stdout.write(`${version()}\n`);
      return 0;
    case 'usage-error':
      io.stderr.write(`setpoint: ${invocation.message}\n`);
      return 1;
    case 'command':
      break;
  }
  const args = invocation.args;
  try {
    // Each command is loaded when asked for: `validate` never loads the runtime.
    switch (args.command) {
      case 'validate':
        return await (await import('./commands/validate.js')).validateCommand(args, io);
      case 'plan':
        return await (await import('./commands/plan.js')).planCommand(args, io);
      case 'apply':
        if (args.files !== undefined) {
          return await (await import('./commands/apply-files.js')).applyFilesCommand(args, io);
        }
        return await (await import('./commands/apply.js')).applyCommand(args, io);
      case 'run':
        return await (await import('./commands/run.js')).runCommand(args, io);
      case 'status':
        return await (await import('./commands/status.js')).statusCommand(args, io);
      case 'approve':
        return await (await import('./commands/approve.js')).approveCommand(args, io);
      case 'get':
        return await (await import('./commands/get.js')).getCommand(args, io);
      case 'delete':
        return await (await import('./commands/delete.js')).deleteCommand(args, io);
      case 'watch':
        return await (await import('./commands/watch.js')).watchCommand(args, io);
      case 'agent':
        return await (await import('./commands/agent.js')).agentCommand(args, io);
    }
  } catch (error) {
    // A bug, not bad input (bad input is reported where it is found): say so, with the stack.
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`setpoint ${args.command}: unexpected error: ${text}\n`);
    return 1;
  }
}

/** The package version, from package.json (one reader for the command and the metrics). */
export function version(): string {
  return packageVersion();
}
