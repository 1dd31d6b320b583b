import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from './built-cli.js';
import { until } from './poll.js';
import { type Fixture, writeFixture } from './process-fixture.js';

/**
 * A GitOps rig on 127.0.0.1, all real: a bare Git repository and a clone to push from, node
 * agents (`setpoint agent`), and an orchestrator (`setpoint run`) whose Git source is the
 * repository and whose `deployments` are the fixture service, placed on the agents through
 * the `node` provider.
 */
export interface Rig {
  readonly dir: string;
  readonly fixture: Fixture;
  readonly url: string;
  readonly agents: Map<string, Agent>;
  /** Write (or, with `null`, remove) files in the clone, commit and push. */
  push(files: Record<string, string | null>, message: string): void;
  /** `POST /sources/sync`. */
  sync(): Promise<unknown>;
  status(): Promise<RigStatus>;
  /** What the node's agent observes of a deployment (`undefined`: nothing there). */
  observe(node: string, name: string): Promise<Observed | undefined>;
  /** Kill -9 the agent and every process it started, and wipe its directory: a node that crashed. */
  crash(node: string): Promise<void>;
  /** Start the node's agent again, on the same port and directory. */
  restart(node: string): Promise<void>;
  stop(): Promise<void>;
  /** What the orchestrator logged so far (JSON lines). */
  log(): string;
  /** Kill -9 the orchestrator (agents and processes keep running), and start it again. */
  restartOrchestrator(): Promise<void>;
  /** Kill -9 the node's agent alone (its processes keep running), and start it again. */
  restartAgent(node: string): Promise<void>;
}

export interface Agent {
  readonly node: string;
  readonly port: number;
  readonly dir: string;
  child: ChildProcess;
}

export interface Observed {
  readonly version: string;
  readonly status: {
    readonly state: string;
    readonly pid: number;
    readonly port?: number;
    readonly healthy: boolean;
  };
}

export interface RigStatus {
  readonly resources: {
    key: string;
    phase: string;
    attempts: number;
    rolledBack: boolean;
    conditions: { type: string; status: boolean; reason: string }[];
  }[];
  readonly sources: { commit: string | null; error: string | null }[];
}

const TOKEN = 'gitops-rig-token-0123456789';
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=rig', '-c', 'user.email=rig@example.com', ...args], {
    cwd,
    stdio: 'pipe',
  }).toString();

/** A deployment of the fixture at `version` on `node` (`mode`: the fixture's `FIXTURE`). */
export function deployment(
  rig: Pick<Rig, 'fixture'>,
  name: string,
  node: string,
  version: string,
  mode?: string,
) {
  return JSON.stringify({
    kind: 'deployments',
    name,
    spec: {
      node,
      command: process.execPath,
      args: [rig.fixture.script, rig.fixture.marker],
      env: { VERSION: version, ...(mode ? { FIXTURE: mode } : {}) },
      version,
      port: 'auto',
      health: { http: { path: '/healthz' }, timeout: '1s', startPeriod: '4s' },
      stopGrace: '2s',
    },
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function start(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [builtCli().bin, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  return until(`${args[0]} serves`, () => ready.test(log) || child.exitCode !== null, 20_000).then(() => {
    if (child.exitCode !== null) throw new Error(`setpoint ${args[0]} exited ${child.exitCode}:\n${log}`);
    return { child, log: () => log };
  });
}

/** Start the rig with `files` as the repository's first commit (paths under `site/`). */
export async function startRig(
  nodes: string[],
  files: (rig: Pick<Rig, 'fixture'>) => Record<string, string>,
): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-gitops-'));
  const fixture = await writeFixture(dir);
  const bare = join(dir, 'repo.git');
  const clone = join(dir, 'clone');
  git(dir, 'init', '-q', '--bare', '-b', 'main', bare);
  git(dir, 'clone', '-q', bare, clone);
  git(clone, 'checkout', '-q', '-B', 'main');
  const push: Rig['push'] = (changes, message) => {
    for (const [path, text] of Object.entries(changes)) {
      const file = join(clone, 'site', path);
      mkdirSync(join(file, '..'), { recursive: true });
      if (text === null) unlinkSync(file);
      else writeFileSync(file, text);
    }
    git(clone, 'add', '-A');
    git(clone, 'commit', '-q', '-m', message);
    git(clone, 'push', '-q', 'origin', 'main');
  };
  push(files({ fixture }), 'first');

  const agents = new Map<string, Agent>();
  const env = { ...process.env, SETPOINT_AGENT_TOKEN: TOKEN };
  const runAgent = async (agent: Agent) => {
    const started = await start(
      ['agent', '--node', agent.node, '--listen', `127.0.0.1:${agent.port}`, '--dir', agent.dir],
      dir,
      env,
      /"bootId"/,
    );
    agent.child = started.child;
  };
  for (const node of nodes) {
    const agent = {
      node,
      port: await freePort(),
      dir: join(dir, `agent-${node}`),
      child: undefined as unknown as ChildProcess,
    };
    await runAgent(agent);
    agents.set(node, agent);
  }
  const project = join(dir, 'orchestrator');
  mkdirSync(project);
  const port = await freePort();
  const nodeList = [...agents.values()].map(
    (a) => `${a.node}: { url: "http://127.0.0.1:${a.port}", token: "${TOKEN}" }`,
  );
  writeFileSync(
    join(project, 'setpoint.yaml'),
    [
      'sources:',
      `  - git: { url: "${bare}", ref: main, path: site, interval: 1m }`,
      'providers:',
      `  deployments: { use: node, options: { nodes: { ${nodeList.join(', ')} }, heartbeat: 200ms, missedBeats: 2 } }`,
      'defaults: { interval: 1s, maxRetries: 3, backoff: { base: 200ms, cap: 1s }, rollback: true, prune: true }',
      `server: { listen: "127.0.0.1:${port}" }`,
      '',
    ].join('\n'),
  );
  let orchestrator = await start(['run'], project, process.env, /"url":"http/);
  const url = `http://127.0.0.1:${port}`;

  const agentCall = async (node: string, body: unknown) => {
    const agent = agents.get(node) as Agent;
    const response = await fetch(`http://127.0.0.1:${agent.port}/v1/observe`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as { observed: Observed | null };
  };
  const killRecorded = (agentDir: string) => {
    for (const file of safeList(agentDir)) {
      if (!file.endsWith('.json')) continue;
      const record = JSON.parse(readFileSync(join(agentDir, file), 'utf8')) as { pid: number };
      try {
        process.kill(-record.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };

  return {
    dir,
    fixture,
    url,
    agents,
    push,
    async sync() {
      const response = await fetch(`${url}/sources/sync`, { method: 'POST' });
      return response.json();
    },
    async status() {
      return (await (await fetch(`${url}/status`)).json()) as RigStatus;
    },
    async observe(node, name) {
      return (await agentCall(node, { name, spec: {} })).observed ?? undefined;
    },
    async crash(node) {
      const agent = agents.get(node) as Agent;
      agent.child.kill('SIGKILL');
      await until(
        'the agent is gone',
        () => agent.child.exitCode !== null || agent.child.signalCode !== null,
      );
      killRecorded(agent.dir);
      rmSync(agent.dir, { recursive: true, force: true });
    },
    async restart(node) {
      await runAgent(agents.get(node) as Agent);
    },
    log: () => orchestrator.log(),
    async restartOrchestrator() {
      const old = orchestrator.child;
      old.kill('SIGKILL');
      await until('the orchestrator is gone', () => old.exitCode !== null || old.signalCode !== null);
      orchestrator = await start(['run'], project, process.env, /"url":"http/);
    },
    async restartAgent(node) {
      const agent = agents.get(node) as Agent;
      agent.child.kill('SIGKILL');
      await until(
        'the agent is gone',
        () => agent.child.exitCode !== null || agent.child.signalCode !== null,
      );
      await runAgent(agent);
    },
    async stop() {
      orchestrator.child.kill('SIGKILL');
      for (const agent of agents.values()) {
        agent.child.kill('SIGKILL');
        killRecorded(agent.dir);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
