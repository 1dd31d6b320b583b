import { resolve } from 'node:path';
import { createAgentServer } from '../../agent/agent-server.js';
import { processProvider } from '../../providers/process.js';
import type { CliIo, StopSignal } from '../cli-io.js';
import { createCliLogger } from '../logger.js';
import type { CommandArgs } from '../parse-args.js';

type AgentArgs = Extract<CommandArgs, { command: 'agent' }>;

/**
 * `setpoint agent`: this node's processes (the `process` provider, records in `--dir`), served
 * to an orchestrator's `node` provider over HTTP with the token from `SETPOINT_AGENT_TOKEN`.
 * Runs until SIGTERM or SIGINT; the processes it started keep running after it stops, and an
 * agent started again on the same `--dir` adopts them.
 */
export async function agentCommand(args: AgentArgs, io: CliIo): Promise<number> {
  const token = io.env.SETPOINT_AGENT_TOKEN;
  const { logger: log } = createCliLogger({
    output: io.stderr,
    level: 'info',
    clock: io.clock,
    secrets: token ? [token] : [],
    pretty: io.stderr.isTTY && !args.json,
    color: false,
  });
  if (token === undefined || token.length < 16) {
    log.fatal(
      'set SETPOINT_AGENT_TOKEN to a secret of at least 16 characters: the orchestrator sends it as its bearer token (options.nodes.<node>.token)',
    );
    return 1;
  }
  const dir = resolve(io.cwd, args.dir);
  const provider = processProvider({ kind: 'processes', dir, root: dir });
  let server: Awaited<ReturnType<typeof createAgentServer>>;
  try {
    server = await createAgentServer({
      node: args.node,
      provider,
      token,
      clock: io.clock,
      logger: log,
      host: args.listen.host,
      port: args.listen.port,
    });
  } catch (error) {
    log.fatal(
      { err: String(error) },
      `cannot serve on ${args.listen.host}:${args.listen.port}: ${String(error)}`,
    );
    return 1;
  }
  log.info(
    { url: server.url, node: args.node, dir, bootId: server.bootId },
    `agent for node ${args.node} on ${server.url}, processes in ${dir}`,
  );
  const release = io.hold();
  const signal = await new Promise<StopSignal>((done) => {
    const off = io.onSignal((s) => {
      off();
      done(s);
    });
  });
  log.info({ signal }, 'agent stopping; its processes keep running');
  await server.close();
  release();
  return 0;
}
