/**
 * The world of the GitOps bench (`bench/gitops.ts`), all real processes on 127.0.0.1 in one
 * temporary directory: a bare Git repository (`origin.git`) and a working clone that commits
 * and pushes to it, node agents (`setpoint agent`), one orchestrator (`setpoint run`) whose Git
 * source is the repository and whose `use: node` provider places deployments on the agents,
 * and the tiny HTTP service the deployments run (`service.mjs`: `GET /healthz` answers 200 and
 * its `$VERSION`).
 *
 * Every service process carries a marker in its arguments (and its deployment's name after it),
 * so the bench counts them per deployment in `/proc` and kills every one it caused, whoever
 * started it. The bench's own copies (the anchors) carry another marker.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { freePort } from '../../test/helpers/poll.js';
import { nowMs, sleep } from './measure.js';

const run = promisify(execFile);

/** Git as the bench runs it: a fixed author, no user or system config, never a prompt. */
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

const SERVICE = `
import { createServer } from 'node:http';
const version = process.env.VERSION ?? '';
const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(version);
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

export interface Deployment {
  readonly name: string;
  readonly node: string;
  version: string;
}

export interface Agent {
  readonly node: string;
  readonly port: number;
  readonly dir: string;
  readonly url: string;
  child: ChildProcess | undefined;
}

/** An HTTP answer on 127.0.0.1, a fresh connection each time (no pool to go stale on a kill). */
export function http(
  method: string,
  url: string,
  o: { body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<{ status: number; text: string } | undefined> {
  return new Promise((resolve) => {
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: {
          connection: 'close',
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        },
        timeout: o.timeoutMs ?? 2000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end(body);
  });
}

/** The body of `GET /healthz` on `port` when it answers 200; otherwise `undefined`. */
export async function healthz(port: number): Promise<string | undefined> {
  const answer = await http('GET', `http://127.0.0.1:${port}/healthz`, { timeoutMs: 1000 });
  return answer?.status === 200 ? answer.text : undefined;
}

/** Poll `check` every `everyMs` until it holds; its time (`nowMs`); throws naming `what` after `ms`. */
export async function pollUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  o: { everyMs?: number; ms?: number } = {},
): Promise<number> {
  const deadline = nowMs() + (o.ms ?? 60_000);
  for (;;) {
    if (await check()) return nowMs();
    if (nowMs() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(o.everyMs ?? 10);
  }
}

interface ProcEntry {
  readonly pid: number;
  readonly args: readonly string[];
  readonly state: string;
}

/** Every live process (not a zombie) whose arguments hold `marker`. */
function liveWith(marker: string): ProcEntry[] {
  const found: ProcEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!args.includes(marker)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?';
      if (state !== 'Z' && state !== 'X') found.push({ pid: Number(entry), args, state });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone meanwhile
  }
}

export class GitOpsWorld {
  readonly root = mkdtempSync(join(tmpdir(), 'setpoint-gitops-'));
  readonly origin = join(this.root, 'origin.git');
  readonly work = join(this.root, 'work');
  readonly script = join(this.root, 'service.mjs');
  readonly marker = `--setpoint-gitops-bench=${randomUUID()}`;
  readonly anchorMarker = `--setpoint-gitops-anchor=${randomUUID()}`;
  readonly token = randomUUID();
  readonly agents: Agent[] = [];
  readonly deployments: Deployment[] = [];
  orchestrator: ChildProcess | undefined;
  statusUrl = '';
  /** Every process the bench started and has not seen exit. */
  readonly #children = new Set<ChildProcess>();
  #commits = 0;

  constructor(private readonly bin: string) {}

  /** The repository, the clone, the service, `nodes` agents' addresses and `perNode` deployments on each. */
  async setUp(nodes: number, perNode: number): Promise<void> {
    writeFileSync(this.script, SERVICE);
    await this.git(this.root, 'init', '--quiet', '--bare', '--initial-branch=main', this.origin);
    await this.git(this.root, 'init', '--quiet', '--initial-branch=main', this.work);
    await this.git(this.work, 'remote', 'add', 'origin', this.origin);
    for (let n = 1; n <= nodes; n++) {
      const node = `en${n}`;
      const port = await freePort();
      const dir = join(this.root, 'agents', node);
      this.agents.push({ node, port, dir, url: `http://127.0.0.1:${port}`, child: undefined });
      for (let d = 0; d < perNode; d++) {
        this.deployments.push({ name: `svc-${node}-${String.fromCharCode(97 + d)}`, node, version: 'v1' });
      }
    }
    for (const d of this.deployments) this.writeDeployment(d);
    await this.commit('the deployments, v1');
    await this.push();
    this.statusUrl = `http://127.0.0.1:${await freePort()}`;
  }

  git(cwd: string, ...args: string[]): Promise<string> {
    return run('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).then((r) => r.stdout.trim());
  }

  /** Write a deployment's document into the clone (`deploy/<name>.yaml`). */
  writeDeployment(d: Deployment): void {
    const spec = {
      node: d.node,
      command: process.execPath,
      args: [this.script, this.marker, d.name],
      env: { VERSION: d.version },
      version: d.version,
      port: 'auto',
      health: { http: { path: '/healthz' }, timeout: '1s' },
    };
    this.writeFile(`deploy/${d.name}.yaml`, stringify({ kind: 'deployments', name: d.name, spec }));
  }

  writeFile(path: string, text: string): void {
    const file = join(this.work, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }

  async commit(message = `commit ${++this.#commits}`): Promise<void> {
    await this.git(this.work, 'add', '--all');
    await this.git(this.work, 'commit', '--quiet', '-m', message);
  }

  push(): Promise<string> {
    return this.git(this.work, 'push', '--quiet', 'origin', 'main');
  }

  /** `setpoint.yaml`: the Git source fetched every `interval`, the agents as the nodes. */
  writeConfig(interval: string): void {
    // `${env:NAME}`, the config's reference to the environment: the token is never in the file.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's syntax, not a template
    const token = '${env:SETPOINT_BENCH_AGENT_TOKEN}';
    const nodes = Object.fromEntries(this.agents.map((a) => [a.node, { url: a.url, token }]));
    const config = {
      sources: [{ git: { url: this.origin, path: 'deploy', interval } }],
      providers: { deployments: { use: 'node', options: { nodes } } },
      // The interval only bounds how soon an idle deployment notices its node went away.
      defaults: { interval: '5s', timeout: '1m' },
      server: { listen: this.statusUrl.replace('http://', '') },
    };
    writeFileSync(join(this.root, 'setpoint.yaml'), stringify(config));
  }

  #spawn(args: string[], log: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const fd = openSync(join(this.root, log), 'a');
    const child = spawn(process.execPath, [this.bin, ...args], {
      cwd: this.root,
      env,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** Start `agent`'s `setpoint agent`; resolves at once (see {@link agentUp}). */
  startAgent(agent: Agent): void {
    agent.child = this.#spawn(
      ['agent', '--node', agent.node, '--listen', `127.0.0.1:${agent.port}`, '--dir', agent.dir],
      `agent-${agent.node}.log`,
      { ...process.env, SETPOINT_AGENT_TOKEN: this.token },
    );
  }

  /** Does the agent answer its heartbeat? */
  async agentUp(agent: Agent): Promise<boolean> {
    const answer = await http('GET', `${agent.url}/v1/heartbeat`, { token: this.token, timeoutMs: 500 });
    return answer?.status === 200;
  }

  /** Kill -9 the agent and wait for its exit. */
  async killAgent(agent: Agent): Promise<void> {
    await killAndWait(agent.child);
    agent.child = undefined;
  }

  startOrchestrator(): void {
    this.orchestrator = this.#spawn(['run', '-c', 'setpoint.yaml'], 'orchestrator.log', {
      ...process.env,
      SETPOINT_BENCH_AGENT_TOKEN: this.token,
    });
  }

  /** Stop `setpoint run`: kill -9, or SIGTERM and wait (its processes keep running either way). */
  async stopOrchestrator(how: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.orchestrator;
    this.orchestrator = undefined;
    if (how === 'SIGKILL') return killAndWait(child);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  async serving(): Promise<boolean> {
    return (await http('GET', `${this.statusUrl}/healthz`, { timeoutMs: 500 }))?.status === 200;
  }

  async status(): Promise<OrchestratorStatus | undefined> {
    const answer = await http('GET', `${this.statusUrl}/status`);
    return answer?.status === 200 ? (JSON.parse(answer.text) as OrchestratorStatus) : undefined;
  }

  /** `POST /sources/sync`: what the source did (`applied`, `unchanged`, …). */
  async sync(): Promise<string> {
    const answer = await http('POST', `${this.statusUrl}/sources/sync`, { timeoutMs: 30_000 });
    if (answer?.status !== 200) throw new Error(`POST /sources/sync answered ${answer?.status ?? 'nothing'}`);
    const body = JSON.parse(answer.text) as { sources: Record<string, { result: string; error?: string }> };
    const git = body.sources.git;
    if (git?.result === 'refused' || git?.result === 'failed')
      throw new Error(`sync ${git.result}: ${git.error}`);
    return git?.result ?? 'none';
  }

  /**
   * Is `d` at `version` on its node: the agent's record names a process of that version whose
   * `/healthz` answers it? Cheap (a file and one request), for polling.
   */
  async answers(d: Deployment, version: string): Promise<boolean> {
    const agent = this.agentOf(d);
    let record: { port?: number; spec?: { version?: string } };
    try {
      record = JSON.parse(readFileSync(join(agent.dir, `${d.name}.json`), 'utf8'));
    } catch {
      return false; // none yet (written whole: never half a record)
    }
    if (record.spec?.version !== version || record.port === undefined) return false;
    return (await healthz(record.port)) === version;
  }

  /** The agent's own word (`POST /v1/observe`): installed, at `version`? */
  async observedInstalled(d: Deployment, version: string): Promise<boolean> {
    const agent = this.agentOf(d);
    const answer = await http('POST', `${agent.url}/v1/observe`, {
      token: this.token,
      body: { name: d.name },
    });
    if (answer?.status !== 200) return false;
    const { observed } = JSON.parse(answer.text) as {
      observed: { version?: string; status?: { state?: string } } | null;
    };
    return observed?.version === version && observed.status?.state === 'installed';
  }

  /**
   * When `d` first answered at `version` (`nowMs`), confirmed by the agent's observe as
   * installed: polled every `everyMs`.
   */
  async installedAt(d: Deployment, version: string, everyMs = 10): Promise<number> {
    for (;;) {
      const at = await pollUntil(`${d.name} answers ${version}`, () => this.answers(d, version), { everyMs });
      if (await this.observedInstalled(d, version)) return at;
    }
  }

  agentOf(d: Deployment): Agent {
    return this.agents.find((a) => a.node === d.node) as Agent;
  }

  /** The live service processes of each deployment, by `/proc` (pids, ascending). */
  servicesByDeployment(): Map<string, number[]> {
    const found = new Map<string, number[]>(this.deployments.map((d) => [d.name, []]));
    for (const p of liveWith(this.marker)) {
      const name = p.args[p.args.indexOf(this.marker) + 1] ?? '?';
      found.set(
        name,
        [...(found.get(name) ?? []), p.pid].sort((a, b) => a - b),
      );
    }
    return found;
  }

  /** Kill -9 the service processes of `node`'s deployments (a node crash takes them too). */
  killServicesOf(node: string): number {
    const names = new Set(this.deployments.filter((d) => d.node === node).map((d) => d.name));
    let killed = 0;
    for (const p of liveWith(this.marker)) {
      if (!names.has(p.args[p.args.indexOf(this.marker) + 1] ?? '')) continue;
      signal(p.pid, 'SIGKILL');
      killed++;
    }
    return killed;
  }

  /** Start a copy of the service outside setpoint (an anchor): detached, its output to a log. */
  spawnService(port: number, version: string): ChildProcess {
    const fd = openSync(join(this.root, 'anchor-service.log'), 'a');
    const child = spawn(process.execPath, [this.script, this.anchorMarker, 'anchor'], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LANG: process.env.LANG ?? '',
        PORT: String(port),
        VERSION: version,
      },
    });
    closeSync(fd);
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** The tail of a log of the temporary directory, for a failure's report. */
  logTail(name: string, lines = 15): string {
    try {
      return readFileSync(join(this.root, name), 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /**
   * Stop everything: `setpoint run` and the agents by SIGTERM (`force`: SIGKILL, for an
   * interrupt, nothing awaited), every service by its marker, then remove the directory.
   */
  async tearDown(force = false): Promise<void> {
    for (const child of this.#children) child.kill(force ? 'SIGKILL' : 'SIGTERM');
    if (!force) {
      const deadline = nowMs() + 10_000;
      while (this.#children.size > 0 && nowMs() < deadline) await sleep(20);
      for (const child of this.#children) child.kill('SIGKILL');
    }
    for (const marker of [this.marker, this.anchorMarker]) {
      for (const p of liveWith(marker)) signal(p.pid, 'SIGKILL');
    }
    if (!force) {
      const deadline = nowMs() + 10_000;
      while (nowMs() < deadline && liveWith(this.marker).length + liveWith(this.anchorMarker).length > 0) {
        await sleep(20);
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface ResourceStatus {
  readonly key: string;
  readonly name: string;
  readonly phase: string;
  readonly generation: number;
  readonly observedGeneration?: number;
  readonly conditions: readonly { type: string; status: boolean; reason: string }[];
}

export interface OrchestratorStatus {
  readonly ready: boolean;
  readonly resources: readonly ResourceStatus[];
  readonly sources?: readonly { commit: string | null; error: string | null }[];
}

export const readyOf = (r: ResourceStatus | undefined) => r?.conditions.find((c) => c.type === 'Ready');

async function killAndWait(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited; // reaped: no zombie keeps its pid (or its lock) alive
}
