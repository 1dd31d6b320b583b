/**
 * Example: GitOps at the edge — a Git repository, three node agents and one orchestrator.
 *
 * Everything runs on 127.0.0.1 in a temporary directory, as real processes started from this
 * repository's `bin/setpoint.js`:
 *
 * - a Git repository (a bare `origin.git` and a working clone) whose `deployments/site-a/`
 *   holds one small HTTP service per node, as `kind: deployments` resources;
 * - three agents (`setpoint agent --node en1|en2|en3`), each with its own directory, port and
 *   token, running the processes of its node;
 * - one orchestrator (`setpoint run`) whose `sources:` is the repository and whose
 *   `deployments` kind is served by the `node` provider, which calls the agents.
 *
 * It waits until the services are installed, pushes v2 and asks for a sync, crashes a node
 * (its agent and its processes killed, its directory removed), brings the node back empty and
 * watches the orchestrator install its service again; then it stops everything it started.
 * Unlike the numbered examples it runs on real time, so its timings and numbers vary.
 *
 *   npm run example -- gitops-edge
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export interface ExampleOptions {
  /** Where to make the temporary directory. Default: the system's. */
  tmp?: string;
}

const HERE = import.meta.dirname;
/** The `setpoint` command of this checkout. */
const SETPOINT = resolve(HERE, '..', '..', 'bin', 'setpoint.js');
/** The service every node runs. */
const SERVER = join(HERE, 'server.mjs');
const NODES = ['en1', 'en2', 'en3'] as const;
type NodeName = (typeof NODES)[number];

/** How long any one wait may take before the example gives up, naming what it waited for. */
const WAIT_MS = 20_000;

// ── processes, ports, Git ──────────────────────────────────────────────────────────────────────

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** `promise`, or `'timeout'` after `ms` (the timer cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((done) => {
    timer = setTimeout(() => done('timeout'), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll every 100 ms until `check` gives a value; `guard` may throw to give up early. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  guard: () => void,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    guard();
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS / 1000}s waiting until ${what}`);
    await sleep(100);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Git with a fixed author, and none of this machine's user or system config. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Example', '-c', 'user.email=example@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: 'pipe',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

/** Fields of `/proc/<pid>/stat`: state, process group, start time; `undefined` when gone. */
function procStat(pid: number): { state: string; pgrp: number; startTime: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, pgrp: Number(fields[2]), startTime: fields[19]! };
  } catch {
    return undefined;
  }
}

const pids = () =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);

/** Whether `pid` is the live process that started at `startTime` (a reused pid is not). */
function alive(pid: number, startTime: string): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.startTime === startTime;
}

/** The live members of the process group `pgid` (a service leads its own: it runs detached). */
const groupMembers = (pgid: number) =>
  pids().filter((pid) => {
    const stat = procStat(pid);
    return stat?.pgrp === pgid && stat.state !== 'Z';
  });

/** Signal a process group; one that is gone already is no error. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ESRCH') throw error;
  }
}

// ── what the agents and the orchestrator show ──────────────────────────────────────────────────

/** One process an agent started, as its record names it (`<dir>/<name>.json`). */
interface Instance {
  pid: number;
  startTime: string;
  port?: number;
  spec: { version: string };
}
interface ProcessRecord extends Instance {
  name: string;
  /** Processes an interrupted update left: the next operation stops them. */
  others: Instance[];
}

/** An agent's records: which processes run on its node. */
function records(dir: string): ProcessRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProcessRecord);
}

const instancesOf = (record: ProcessRecord): Instance[] => [record, ...record.others];

/** The parts of the orchestrator's `/status` this example reads. */
interface Status {
  resources: {
    key: string;
    generation: number;
    observedGeneration: number;
    attempts: number;
    lastError?: string;
    conditions: { type: string; status: boolean; reason: string; message?: string }[];
  }[];
  sources?: { name: string; ref: string; path: string; commit: string | null; error: string | null }[];
}
type ResourceStatus = Status['resources'][number];

const readyOf = (r: ResourceStatus) => r.conditions.find((c) => c.type === 'Ready');

/** A resource document of the repository: the service on `node`, at `version`. */
function deployment(node: NodeName, version: string): string {
  return [
    'kind: deployments',
    `name: web-${node}`,
    'spec:',
    `  node: ${node}`,
    `  command: ${JSON.stringify(process.execPath)}`,
    `  args: [${JSON.stringify(SERVER)}]`,
    `  env: { SERVICE: web-${node}, VERSION: "${version}" }`,
    `  version: "${version}"`,
    '  port: auto',
    '  health: { http: { path: /healthz }, startPeriod: 10s }',
    '  stopGrace: 2s',
    '',
  ].join('\n');
}

/** The orchestrator's `setpoint.yaml`. */
function orchestratorConfig(origin: string, agentPorts: Map<NodeName, number>, port: number): string {
  return [
    'sources:',
    `  - git: { url: ${JSON.stringify(origin)}, ref: main, path: deployments/site-a, interval: 1m }`,
    'state: ./state',
    'providers:',
    '  deployments:',
    '    use: node',
    '    options:',
    '      nodes:',
    ...NODES.map(
      (node) =>
        `        ${node}: { url: "http://127.0.0.1:${agentPorts.get(node)}", token: "\${env:${node.toUpperCase()}_TOKEN}" }`,
    ),
    '      heartbeat: 500ms',
    'defaults: { interval: 1s }',
    `server: { listen: "127.0.0.1:${port}" }`,
    '',
  ].join('\n');
}

// ── the example ────────────────────────────────────────────────────────────────────────────────

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Killed on purpose (the crashed node): its exit is no failure. */
  crashed: boolean;
}

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  if (process.platform !== 'linux') {
    throw Object.assign(new Error('gitops-edge needs Linux: the process provider reads /proc.'), {
      code: 'EXAMPLE_NEEDS',
    });
  }
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
  } catch {
    throw Object.assign(new Error('gitops-edge needs git on the PATH.'), { code: 'EXAMPLE_NEEDS' });
  }

  const began = Date.now();
  const step = (text: string) => out(`[${((Date.now() - began) / 1000).toFixed(1).padStart(4)}s] ${text}`);
  const say = (text: string) => out(`        ${text}`);

  const tmp = await mkdtemp(join(options.tmp ?? tmpdir(), 'setpoint-gitops-edge-'));
  const logs = join(tmp, 'logs');
  const children: Child[] = [];
  const tokens = new Map<NodeName, string>(NODES.map((n) => [n, randomBytes(16).toString('hex')]));
  const tokenEnv = Object.fromEntries(NODES.map((n) => [`${n.toUpperCase()}_TOKEN`, tokens.get(n)!]));
  const agentPorts = new Map<NodeName, number>();
  const agents = new Map<NodeName, Child>();
  const agentDir = (node: NodeName) => join(tmp, `agent-${node}`);
  /** Every service process seen in a record, to make sure none is left at the end. */
  const seen = new Map<string, Instance>();
  /** Set once everything is being stopped (at the end, on an error, or on Ctrl-C). */
  let cleaning: Promise<void> | undefined;
  let interrupted = false;

  const logTail = (name: string) => {
    const file = join(logs, `${name}.log`);
    const text = existsSync(file) ? readFileSync(file, 'utf8').trimEnd() : '';
    return text.split('\n').slice(-12).join('\n');
  };

  /** Start `bin/setpoint.js` with `args`; what it logs goes to `logs/<name>.log`. */
  const setpoint = (name: string, args: string[], env: Record<string, string>): Child => {
    const log = openSync(join(logs, `${name}.log`), 'a');
    const child = spawn(process.execPath, [SETPOINT, ...args], {
      cwd: tmp,
      env: { ...process.env, ...env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const started: Child = { name, process: child, exited, crashed: false };
    children.push(started);
    return started;
  };

  /** Give up at once when a child that should be running has exited, with what it logged. */
  const guard = () => {
    for (const c of children) {
      if (c.crashed || cleaning || c.process.exitCode === null) continue;
      throw new Error(`${c.name} exited (${c.process.exitCode}):\n${logTail(c.name)}`);
    }
  };

  const startAgent = (node: NodeName) => {
    const args = ['agent', '--node', node, '--listen', `127.0.0.1:${agentPorts.get(node)}`];
    agents.set(
      node,
      setpoint(`agent-${node}`, [...args, '--dir', agentDir(node)], {
        SETPOINT_AGENT_TOKEN: tokens.get(node)!,
      }),
    );
  };
  const agentAnswers = async (node: NodeName) => {
    try {
      const response = await fetch(`http://127.0.0.1:${agentPorts.get(node)}/v1/heartbeat`, {
        headers: { authorization: `Bearer ${tokens.get(node)}` },
      });
      return response.ok ? true : undefined;
    } catch {
      return undefined;
    }
  };

  let server = '';
  const status = async (): Promise<Status | undefined> => {
    try {
      const response = await fetch(`${server}/status`);
      return response.ok ? ((await response.json()) as Status) : undefined;
    } catch {
      return undefined;
    }
  };
  const resource = async (node: NodeName) =>
    (await status())?.resources.find((r) => r.key === `deployments/web-${node}`);

  /**
   * `web-<node>` at `version`, once the orchestrator has it Ready at its latest generation, the
   * agent's record names that version alone, and the service itself answers with it.
   */
  const installed = async (node: NodeName, version: string) => {
    const r = await resource(node);
    if (!r || readyOf(r)?.status !== true || r.observedGeneration !== r.generation) return undefined;
    const record = records(agentDir(node)).find((rec) => rec.name === `web-${node}`);
    if (!record || record.spec.version !== version || record.others.length > 0) return undefined;
    seen.set(`${record.pid}:${record.startTime}`, record);
    try {
      const answer = (await (await fetch(`http://127.0.0.1:${record.port}/`)).text()).trim();
      return answer === `web-${node} v${version}` ? { record, answer } : undefined;
    } catch {
      return undefined;
    }
  };

  /** `setpoint status`, as someone on this machine would run it. */
  const setpointStatus = async () => {
    const { stdout } = await run(process.execPath, [SETPOINT, 'status', '-c', join(tmp, 'setpoint.yaml')], {
      cwd: tmp,
      encoding: 'utf8',
      env: { ...process.env, ...tokenEnv },
    });
    for (const line of stdout.trimEnd().split('\n')) say(`  ${line}`);
  };
  const showSource = async () => {
    const source = (await status())?.sources?.[0];
    say(
      `/status: source ${source?.name} (ref ${source?.ref}, path ${source?.path}) now at commit ` +
        `${source?.commit?.slice(0, 7)}${source?.error ? `, error: ${source.error}` : ''}`,
    );
  };

  /**
   * Stop everything this example started: the orchestrator, then the agents (SIGTERM: they
   * leave their processes running, by design), then each process group the records name.
   */
  const cleanUp = (report: boolean): Promise<void> => {
    cleaning ??= stopEverything(report);
    return cleaning;
  };
  const stopEverything = async (report: boolean): Promise<void> => {
    const stopped: string[] = [];
    const stop = async (c: Child) => {
      if (c.process.exitCode !== null || c.process.signalCode !== null) return;
      c.process.kill('SIGTERM');
      let code = await within(c.exited, 10_000);
      if (code === 'timeout') {
        c.process.kill('SIGKILL');
        code = await c.exited;
      }
      stopped.push(`${c.name} exited ${code ?? 'on a signal'}`);
    };
    // The orchestrator first, so that it does not reconcile what is stopped under it.
    for (const c of children.filter((c) => c.name === 'orchestrator')) await stop(c);
    await Promise.all(children.filter((c) => c.name !== 'orchestrator').map(stop));
    if (report) say(stopped.join(', '));
    for (const node of NODES) {
      for (const record of records(agentDir(node))) {
        for (const i of instancesOf(record)) seen.set(`${i.pid}:${i.startTime}`, i);
      }
    }
    const running = [...seen.values()].filter((i) => alive(i.pid, i.startTime));
    for (const i of running) signalGroup(i.pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (running.some((i) => groupMembers(i.pid).length > 0) && Date.now() < deadline) await sleep(50);
    for (const i of running) if (groupMembers(i.pid).length > 0) signalGroup(i.pid, 'SIGKILL');
    if (report) {
      say(`services: SIGTERM to the process groups of pids ${running.map((i) => i.pid).join(', ')}`);
    }
    // Anything still running that names the temporary directory or the service is left behind.
    const left = pids().filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return procStat(pid)?.state !== 'Z' && (cmdline.includes(tmp) || cmdline.includes(SERVER));
      } catch {
        return false;
      }
    });
    rmSync(tmp, { recursive: true, force: true });
    if (report) say(`left behind: ${left.length === 0 ? 'no process' : `pids ${left.join(', ')}`}`);
    if (report) say(`removed ${tmp}`);
    if (left.length > 0) throw new Error(`processes left behind: ${left.join(', ')}`);
  };
  // Ctrl-C: the agents and the orchestrator get it too, and stop; the services would not.
  const onInterrupt = () => {
    interrupted = true;
    out('interrupted: stopping everything this example started');
    void cleanUp(false).finally(() => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);

  try {
    out('GitOps at the edge: a Git repository, three node agents and one orchestrator, on 127.0.0.1');
    out(`working in ${tmp}`);
    out('');
    await mkdir(logs);

    // ── 1. the repository ────────────────────────────────────────────────────────────────────
    step('1. A Git repository: origin.git (bare), and a clone to commit and push from');
    const origin = join(tmp, 'origin.git');
    const work = join(tmp, 'work');
    git(tmp, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
    git(tmp, 'clone', '--quiet', origin, work);
    git(work, 'checkout', '--quiet', '-B', 'main');
    await mkdir(join(work, 'deployments', 'site-a'), { recursive: true });
    const push = async (version: string, message: string) => {
      for (const node of NODES) {
        await writeFile(join(work, 'deployments', 'site-a', `web-${node}.yaml`), deployment(node, version));
      }
      git(work, 'add', '--all');
      git(work, 'commit', '--quiet', '-m', message);
      git(work, 'push', '--quiet', 'origin', 'main');
      const commit = git(work, 'rev-parse', 'HEAD');
      say(`pushed ${commit.slice(0, 7)} "${message}"`);
      return commit;
    };
    await push('1', 'site-a: web v1 on en1, en2, en3');
    for (const node of NODES) {
      say(`  deployments/site-a/web-${node}.yaml: node ${node}, version "1", port auto, health /healthz`);
    }

    // ── 2. the agents ────────────────────────────────────────────────────────────────────────
    step('2. An agent per node: setpoint agent --node <node> --listen 127.0.0.1:<port> --dir agent-<node>');
    for (const node of NODES) agentPorts.set(node, await freePort());
    for (const node of NODES) startAgent(node);
    for (const node of NODES) {
      await until(`the agent of ${node} answers`, () => agentAnswers(node), guard);
      say(`${node}: http://127.0.0.1:${agentPorts.get(node)}, its own SETPOINT_AGENT_TOKEN`);
    }

    // ── 3. the orchestrator ──────────────────────────────────────────────────────────────────
    step('3. The orchestrator: setpoint run -c setpoint.yaml, its source the repository');
    const port = await freePort();
    server = `http://127.0.0.1:${port}`;
    const config = orchestratorConfig(origin, agentPorts, port);
    await writeFile(join(tmp, 'setpoint.yaml'), config);
    for (const line of config.trimEnd().split('\n')) say(`  ${line.replace(tmp, '<tmp>')}`);
    setpoint('orchestrator', ['run', '-c', join(tmp, 'setpoint.yaml')], tokenEnv);
    const v1: Instance[] = [];
    for (const node of NODES) {
      const { record, answer } = await until(`web-${node} is installed`, () => installed(node, '1'), guard);
      v1.push(record);
      step(`installed: web-${node} on ${node} answers "${answer}" (pid ${record.pid}, port ${record.port})`);
    }
    step('setpoint status (resources, the source and its commit, the nodes)');
    await setpointStatus();

    // ── 4. a new version ─────────────────────────────────────────────────────────────────────
    step('4. v2 is pushed, and the orchestrator told at once: curl -X POST <server>/sources/sync');
    await push('2', 'site-a: web v2');
    const response = await fetch(`${server}/sources/sync`, { method: 'POST' });
    const synced = ((await response.json()) as { sources: Record<string, Record<string, unknown>> }).sources;
    for (const [name, o] of Object.entries(synced)) {
      say(
        `POST /sources/sync: ${response.status}, ${name} ${o.result} ${String(o.commit).slice(0, 7)} ` +
          `(${o.added} added, ${o.changed} changed, ${o.removed} removed)`,
      );
    }
    for (const [i, node] of NODES.entries()) {
      const { record, answer } = await until(`web-${node} runs v2`, () => installed(node, '2'), guard);
      const old = v1[i]!;
      const stopped = !alive(old.pid, old.startTime);
      step(
        `updated: web-${node} answers "${answer}" (pid ${record.pid}, port ${record.port}); ` +
          `v1 (pid ${old.pid}) ${stopped ? 'stopped once v2 was healthy' : 'still runs'}`,
      );
      if (!stopped) throw new Error(`web-${node} v1 (pid ${old.pid}) still runs after the update`);
    }
    await showSource();

    // ── 5. a node crashes ────────────────────────────────────────────────────────────────────
    step('5. Node en2 crashes: its agent killed -9, the processes its records name killed, its dir gone');
    const en2 = agents.get('en2')!;
    en2.crashed = true;
    en2.process.kill('SIGKILL');
    await en2.exited;
    for (const record of records(agentDir('en2'))) {
      for (const i of instancesOf(record)) {
        if (alive(i.pid, i.startTime)) signalGroup(i.pid, 'SIGKILL');
        say(`killed pid ${i.pid} (${record.name} v${i.spec.version}) and its process group`);
      }
    }
    rmSync(agentDir('en2'), { recursive: true, force: true });
    const down = await until(
      'web-en2 is NodeUnreachable',
      async () => {
        const r = await resource('en2');
        return r && readyOf(r)?.reason === 'NodeUnreachable' ? r : undefined;
      },
      guard,
    );
    step(`deployments/web-en2: Ready ${readyOf(down)?.status ? 'yes' : 'no'}, reason NodeUnreachable`);
    say(`${down.lastError}`);
    say(`attempts ${down.attempts}: a node away is not a failure of the resource (no maxRetries)`);
    step('setpoint status');
    await setpointStatus();

    // ── 6. the node comes back ───────────────────────────────────────────────────────────────
    step('6. en2 comes back empty: setpoint agent --node en2 on the same port, a fresh directory');
    const restarted = Date.now();
    startAgent('en2');
    const again = await until('web-en2 is installed again', () => installed('en2', '2'), guard);
    step(
      `reinstalled: web-en2 answers "${again.answer}" (pid ${again.record.pid}, port ${again.record.port}), ` +
        `${((Date.now() - restarted) / 1000).toFixed(1)}s after the agent was started`,
    );
    step('setpoint status');
    await setpointStatus();

    // ── 7. the end ───────────────────────────────────────────────────────────────────────────
    step('7. Stopping everything this example started');
    await cleanUp(true);
    step('done');
  } catch (error) {
    if (interrupted) {
      await cleanUp(false);
      process.exit(130);
    }
    // What the orchestrator logged last, to see why (the directory is removed below).
    if (!cleaning && existsSync(join(logs, 'orchestrator.log'))) {
      out(`the orchestrator's log ends:\n${logTail('orchestrator')}`);
    }
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
    await cleanUp(false);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
