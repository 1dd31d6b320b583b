/**
 * GitOps end to end, with real processes on 127.0.0.1: a bare Git repository and a clone that
 * pushes to it, 3 node agents (`setpoint agent`), one orchestrator (`setpoint run`, the bundled
 * CLI) whose Git source is the repository and whose `use: node` provider places 2 deployments
 * of a tiny HTTP service on each node (`port: auto`, `health: { http: { path: /healthz } }`).
 * A deployment is installed when its agent's record names a process of the new version whose
 * `/healthz` answers that version, and the agent's `/v1/observe` says `installed`.
 *
 * 1. git push → installed, on demand: one deployment's version changed in a commit, `git push`,
 *    `POST /sources/sync`, until the new version answers on its node; p50/p99 over the pushes.
 *    Anchor, interleaved: the floor of the same work without setpoint — `git push`, `git fetch`
 *    into a cache, `git show` of the file and its YAML read, the service spawned and its
 *    `/healthz` polled (every 10 ms) until it answers the version.
 * 2. git push → installed, by polling: the source fetched every second (the minimum), no sync
 *    call; p50/max. Anchor: half the interval plus the on-demand figure (p50), the whole
 *    interval plus it (max).
 * 3. Reinstall after a node returns: an agent and its services killed -9 and its directory
 *    removed (a node crash); once `/status` says `NodeUnreachable` for its deployments, the
 *    agent is started again on the same port; from that start until both its deployments are
 *    installed again. Anchor: the same agent's start (until its heartbeat answers) plus one
 *    spawn of the service until healthy, outside setpoint.
 * 4. Adoption after kill -9 of `setpoint run` (agents and services keep running): started
 *    again, until `/status` is ready and every deployment Ready; the service processes of each
 *    deployment counted in `/proc` before and after: adopted (same pid) and duplicates.
 *    Anchor: the same start until it serves `/healthz`.
 *
 *   node --import tsx bench/gitops.ts [--quick] [--json]
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { freePort } from '../test/helpers/poll.js';
import { bundleCli } from './lib/cli-bundle.js';
import {
  type Deployment,
  GitOpsWorld,
  healthz,
  pollUntil,
  type ResourceStatus,
  readyOf,
} from './lib/gitops-world.js';
import { distribution, nowMs, progress, report, sleep } from './lib/measure.js';
import { formatNumber } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    nodes: { type: 'string', default: '3' },
  },
});
const quick = values.quick === true;
const NODES = Number(values.nodes);
const PER_NODE = 2;
const PUSHES = quick ? 4 : 10;
const POLLED_PUSHES = quick ? 4 : 10;
const NODE_CRASHES = quick ? 2 : 6;
const ORCHESTRATOR_KILLS = quick ? 2 : 3;
const POLL_INTERVAL_MS = 1000;

const cli = bundleCli();
const world = new GitOpsWorld(cli.bin);
// Interrupted: no process or directory is left behind.
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    void world.tearDown(true);
    cli.remove();
    process.exit(130);
  });

let generation = 1;
const nextVersion = () => `v${++generation}`;

/** `/status` says every deployment is Ready at its generation, and each runs one process. */
async function settled(what: string): Promise<void> {
  await pollUntil(
    what,
    async () => {
      const status = await world.status();
      if (!status?.ready) return false;
      const byName = new Map(status.resources.map((r) => [r.name, r]));
      const allReady = world.deployments.every((d) => {
        const r = byName.get(d.name);
        return readyOf(r)?.status === true && r?.phase === 'synced';
      });
      return allReady && [...world.servicesByDeployment().values()].every((pids) => pids.length === 1);
    },
    { everyMs: 25, ms: 60_000 },
  );
}

/** Change `d`'s version in the clone and commit it (not timed); the new version. */
async function commitNewVersion(d: Deployment): Promise<string> {
  d.version = nextVersion();
  world.writeDeployment(d);
  await world.commit(`${d.name} ${d.version}`);
  return d.version;
}

async function start(): Promise<{ installMs: number }> {
  await world.setUp(NODES, PER_NODE);
  for (const agent of world.agents) world.startAgent(agent);
  for (const agent of world.agents)
    await pollUntil(`agent ${agent.node} answers`, () => world.agentUp(agent));
  world.writeConfig('1h');
  const t0 = nowMs();
  world.startOrchestrator();
  let last = t0;
  for (const d of world.deployments) last = Math.max(last, await world.installedAt(d, d.version));
  await settled('the first install is Ready');
  return { installMs: last - t0 };
}

// ── 1. on demand ──────────────────────────────────────────────────────────────────────────
/** The floor: push, fetch, read the file, spawn the service, poll until it answers. */
async function anchorPush(cache: string, state: { stop?: () => void }, i: number) {
  const version = `a${i}`;
  world.writeFile(
    'anchor/service.yaml',
    `kind: deployments\nname: anchor\nspec: { version: "${version}", port: auto }\n`,
  );
  await world.commit(`anchor ${version}`);
  const t0 = nowMs();
  await world.push();
  await world.git(
    world.root,
    `--git-dir=${cache}`,
    'fetch',
    '--quiet',
    '--no-tags',
    '--depth=1',
    world.origin,
    '+main:refs/heads/main',
  );
  const text = await world.git(world.root, `--git-dir=${cache}`, 'show', 'main:anchor/service.yaml');
  const doc = parse(text) as { spec: { version: string } };
  const spawnedAt = nowMs();
  const port = await freePort();
  const child = world.spawnService(port, doc.spec.version);
  const t1 = await pollUntil('the anchor service answers', async () => (await healthz(port)) === version);
  state.stop?.();
  state.stop = () => child.kill('SIGTERM');
  return { totalMs: t1 - t0, spawnMs: t1 - spawnedAt };
}

async function onDemand() {
  const cache = `${world.root}/anchor-cache.git`;
  await world.git(world.root, 'init', '--quiet', '--bare', cache);
  const anchorState: { stop?: () => void } = {};
  const total: number[] = [];
  const pushMs: number[] = [];
  const syncMs: number[] = [];
  const anchor: number[] = [];
  const spawn: number[] = [];
  for (let i = 0; i < PUSHES; i++) {
    const d = world.deployments[i % world.deployments.length]!;
    const version = await commitNewVersion(d);
    const t0 = nowMs();
    await world.push();
    const pushed = nowMs();
    const result = await world.sync();
    const synced = nowMs();
    if (result !== 'applied') throw new Error(`the sync after a push did not apply: ${result}`);
    const t1 = await world.installedAt(d, version);
    total.push(t1 - t0);
    pushMs.push(pushed - t0);
    syncMs.push(synced - pushed);
    await settled(`${d.name} ${version} settles`);
    const a = await anchorPush(cache, anchorState, i);
    anchor.push(a.totalMs);
    spawn.push(a.spawnMs);
    progress(
      `push ${i + 1}/${PUSHES}: ${d.name} ${version} installed in ${(t1 - t0).toFixed(0)} ms ` +
        `(push ${(pushed - t0).toFixed(0)}, sync call ${(synced - pushed).toFixed(0)}); anchor ${a.totalMs.toFixed(0)} ms`,
    );
  }
  anchorState.stop?.();
  return {
    setpoint: distribution(total),
    anchor: distribution(anchor),
    pushMs: distribution(pushMs),
    syncCallMs: distribution(syncMs),
    anchorSpawnMs: distribution(spawn),
  };
}

// ── 3. a node returns ─────────────────────────────────────────────────────────────────────
async function nodeReturns() {
  const total: number[] = [];
  const agentStart: number[] = [];
  const anchor: number[] = [];
  const unreachableAfter: number[] = [];
  for (let i = 0; i < NODE_CRASHES; i++) {
    const agent = world.agents[i % world.agents.length]!;
    const mine = world.deployments.filter((d) => d.node === agent.node);
    const killedAt = nowMs();
    await world.killAgent(agent);
    world.killServicesOf(agent.node);
    rmSync(agent.dir, { recursive: true, force: true });
    const away = await pollUntil(
      `${agent.node}'s deployments show NodeUnreachable`,
      async () => {
        const status = await world.status();
        const byName = new Map<string, ResourceStatus>(status?.resources.map((r) => [r.name, r]) ?? []);
        return mine.every((d) => readyOf(byName.get(d.name))?.reason === 'NodeUnreachable');
      },
      { everyMs: 50, ms: 60_000 },
    );
    unreachableAfter.push(away - killedAt);
    const t0 = nowMs();
    world.startAgent(agent);
    const up = pollUntil(`agent ${agent.node} answers`, () => world.agentUp(agent), { everyMs: 5 });
    let last = t0;
    for (const d of mine) last = Math.max(last, await world.installedAt(d, d.version));
    const upAt = await up;
    total.push(last - t0);
    agentStart.push(upAt - t0);
    await settled(`${agent.node} settles`);
    // One spawn of the service until healthy, outside setpoint, right after.
    const s0 = nowMs();
    const port = await freePort(); // as the process provider picks one for `port: auto`
    const child = world.spawnService(port, 'alone');
    const s1 = await pollUntil('the service alone answers', async () => (await healthz(port)) === 'alone');
    child.kill('SIGTERM');
    anchor.push(upAt - t0 + (s1 - s0));
    progress(
      `node ${agent.node} back ${i + 1}/${NODE_CRASHES}: NodeUnreachable ${(away - killedAt).toFixed(0)} ms after the kill; ` +
        `installed again ${(last - t0).toFixed(0)} ms after the agent's start (agent up in ${(upAt - t0).toFixed(0)} ms); anchor ${anchor.at(-1)!.toFixed(0)} ms`,
    );
  }
  return {
    setpoint: distribution(total),
    anchor: distribution(anchor),
    agentStartMs: distribution(agentStart),
    unreachableAfterKillMs: distribution(unreachableAfter),
  };
}

// ── 4. adoption after kill -9 of setpoint run ─────────────────────────────────────────────
async function orchestratorKilled() {
  const ready: number[] = [];
  const serving: number[] = [];
  let adoptedMin = Number.POSITIVE_INFINITY;
  let duplicates = 0;
  let restarted = 0;
  const counts: { before: number; after: number }[] = [];
  for (let i = 0; i < ORCHESTRATOR_KILLS; i++) {
    await settled('all settled before the kill');
    const before = world.servicesByDeployment();
    await world.stopOrchestrator('SIGKILL');
    const t0 = nowMs();
    world.startOrchestrator();
    const servingAt = await pollUntil('setpoint run serves', () => world.serving(), { everyMs: 5 });
    const readyAt = await pollUntil(
      'everything Ready',
      async () => {
        const status = await world.status();
        return (
          status?.ready === true &&
          world.deployments.every(
            (d) => readyOf(status.resources.find((r) => r.name === d.name))?.status === true,
          )
        );
      },
      { everyMs: 5 },
    );
    await sleep(1000); // anything started late shows up in /proc by now
    const after = world.servicesByDeployment();
    let adopted = 0;
    for (const d of world.deployments) {
      const was = before.get(d.name) ?? [];
      const now = after.get(d.name) ?? [];
      if (now.length === 1 && was.length === 1 && now[0] === was[0]) adopted++;
      else if (now.length >= 1 && !now.some((p) => was.includes(p))) restarted++;
      duplicates += Math.max(0, now.length - 1);
    }
    counts.push({
      before: [...before.values()].reduce((s, p) => s + p.length, 0),
      after: [...after.values()].reduce((s, p) => s + p.length, 0),
    });
    adoptedMin = Math.min(adoptedMin, adopted);
    ready.push(readyAt - t0);
    serving.push(servingAt - t0);
    progress(
      `kill -9 ${i + 1}/${ORCHESTRATOR_KILLS}: serving in ${(servingAt - t0).toFixed(0)} ms, all Ready in ${(readyAt - t0).toFixed(0)} ms; ` +
        `${adopted}/${world.deployments.length} adopted, processes ${counts.at(-1)!.before} → ${counts.at(-1)!.after}`,
    );
  }
  return {
    setpoint: distribution(ready),
    anchor: distribution(serving),
    deployments: world.deployments.length,
    adopted: adoptedMin,
    duplicates,
    restarted,
    processes: counts,
  };
}

// ── 2. by polling ─────────────────────────────────────────────────────────────────────────
async function byPolling(onDemandP50: number, onDemandP99: number) {
  await world.stopOrchestrator('SIGTERM');
  world.writeConfig(`${POLL_INTERVAL_MS}ms`);
  world.startOrchestrator();
  await settled('restarted with a 1 s interval');
  const total: number[] = [];
  for (let i = 0; i < POLLED_PUSHES; i++) {
    const d = world.deployments[(i * 5 + 1) % world.deployments.length]!;
    const version = await commitNewVersion(d);
    await sleep(Math.random() * POLL_INTERVAL_MS); // no phase lock with the fetch timer
    const t0 = nowMs();
    await world.push();
    const t1 = await world.installedAt(d, version);
    total.push(t1 - t0);
    await settled(`${d.name} ${version} settles`);
    progress(
      `polled push ${i + 1}/${POLLED_PUSHES}: ${d.name} ${version} installed in ${(t1 - t0).toFixed(0)} ms`,
    );
  }
  const setpoint = distribution(total);
  return {
    intervalMs: POLL_INTERVAL_MS,
    setpoint,
    anchor: { p50: POLL_INTERVAL_MS / 2 + onDemandP50, max: POLL_INTERVAL_MS + onDemandP99 },
  };
}

let result: Record<string, unknown> | undefined;
try {
  progress(`${NODES} agents, ${NODES * PER_NODE} deployments; ${quick ? 'quick' : 'full'} run`);
  const first = await start();
  progress(`first install of ${world.deployments.length} deployments: ${first.installMs.toFixed(0)} ms`);
  const demand = await onDemand();
  const node = await nodeReturns();
  const adoption = await orchestratorKilled();
  const polling = await byPolling(demand.setpoint.p50, demand.setpoint.p99);
  result = {
    bench: 'gitops',
    nodes: NODES,
    deployments: world.deployments.length,
    firstInstallMs: first.installMs,
    onDemand: demand,
    polling,
    nodeReturn: node,
    adoption,
  };
} catch (error) {
  for (const log of ['orchestrator.log', ...world.agents.map((a) => `agent-${a.node}.log`)]) {
    const tail = world.logTail(log);
    if (tail) process.stderr.write(`--- ${log} (end) ---\n${tail}\n`);
  }
  throw error;
} finally {
  await world.tearDown();
  cli.remove();
}

type Dist = ReturnType<typeof distribution>;
const r = result as {
  firstInstallMs: number;
  onDemand: { setpoint: Dist; anchor: Dist; pushMs: Dist; syncCallMs: Dist; anchorSpawnMs: Dist };
  polling: { setpoint: Dist; anchor: { p50: number; max: number } };
  nodeReturn: { setpoint: Dist; anchor: Dist; agentStartMs: Dist; unreachableAfterKillMs: Dist };
  adoption: {
    setpoint: Dist;
    anchor: Dist;
    deployments: number;
    adopted: number;
    duplicates: number;
    restarted: number;
  };
};
report(values.json === true, result as Record<string, unknown>, () => {
  const f = formatNumber;
  const row = (measure: string, value: number, label: string, anchor: number) => [
    measure,
    f(value),
    `${label}: ${f(anchor)}`,
    `${f(value / anchor)}×`,
  ];
  const floor = 'git fetch + spawn until healthy';
  const back = 'agent start + one spawn until healthy';
  const rows: string[][] = [
    row(
      'git push → installed, on demand (POST /sources/sync), p50 [ms]',
      r.onDemand.setpoint.p50,
      floor,
      r.onDemand.anchor.p50,
    ),
    row('  … p99 [ms]', r.onDemand.setpoint.p99, floor, r.onDemand.anchor.p99),
    row(
      'git push → installed, by polling (interval 1 s), p50 [ms]',
      r.polling.setpoint.p50,
      '½ interval + on-demand p50',
      r.polling.anchor.p50,
    ),
    row('  … max [ms]', r.polling.setpoint.max, 'interval + on-demand p99', r.polling.anchor.max),
    row(
      'node back after a crash → its deployments installed again, p50 [ms]',
      r.nodeReturn.setpoint.p50,
      back,
      r.nodeReturn.anchor.p50,
    ),
    row('  … max [ms]', r.nodeReturn.setpoint.max, back, r.nodeReturn.anchor.max),
    row(
      'setpoint run kill -9 → started again, all Ready, p50 [ms]',
      r.adoption.setpoint.p50,
      'the same start until it serves',
      r.adoption.anchor.p50,
    ),
    [
      '  … processes adopted (fewest over the kills)',
      `${r.adoption.adopted} of ${r.adoption.deployments}`,
      '—',
      '—',
    ],
    ['  … duplicate processes (all kills)', String(r.adoption.duplicates), '—', '—'],
  ];
  const header = ['measure', 'setpoint', 'anchor', 'ratio'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((cells) => cells[c]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [
    `gitops: ${NODES} node agents, ${NODES * PER_NODE} deployments, ${PUSHES} pushes on demand, ${POLLED_PUSHES} by polling, ${NODE_CRASHES} node crashes, ${ORCHESTRATOR_KILLS} kills of setpoint run`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `on demand, parts: git push p50 ${f(r.onDemand.pushMs.p50)} ms, POST /sources/sync p50 ${f(r.onDemand.syncCallMs.p50)} ms; the anchor's spawn until healthy p50 ${f(r.onDemand.anchorSpawnMs.p50)} ms`,
    `node crash: NodeUnreachable shown ${f(r.nodeReturn.unreachableAfterKillMs.p50)} ms after the kill (p50); the agent answers ${f(r.nodeReturn.agentStartMs.p50)} ms after its start (p50)`,
    `first install of ${r.adoption.deployments} deployments from the orchestrator's start: ${f(r.firstInstallMs)} ms; restarted instead of adopted: ${r.adoption.restarted}`,
  ].join('\n');
});
process.exit(0);
