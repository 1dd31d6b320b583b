import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from './helpers/built-cli.js';
import { deployment, type Rig, type RigStatus, startRig } from './helpers/gitops-rig.js';
import { until } from './helpers/poll.js';
import { healthz, processesWith } from './helpers/process-fixture.js';

/**
 * GitOps end to end, every part real: a Git repository, an orchestrator (`setpoint run`) with
 * it as its source, three node agents (`setpoint agent`) running the deployments as child
 * processes. The scenarios of an edge deployment, in order, on one rig: a deployment pushed,
 * a new version, a deletion, a node that crashes and returns, a process that dies, a version
 * that never starts; then no process is left behind, and none is a zombie.
 */
let rig: Rig | undefined;
afterAll(async () => {
  await rig?.stop();
  if (rig) await until('every service is gone', async () => (await live(rig as Rig)).length === 0);
});

async function live(r: Rig): Promise<number[]> {
  return (await processesWith(r.fixture.marker)).filter((p) => p.state !== 'Z').map((p) => p.pid);
}

const resource = (s: RigStatus, key: string) => s.resources.find((r) => r.key === key);
const ready = (s: RigStatus, key: string) => resource(s, key)?.conditions.find((c) => c.type === 'Ready');

/** Until the node runs `name` at `version`, installed and answering: its process's pid and port. */
async function installed(r: Rig, node: string, name: string, version: string) {
  let pid = 0;
  let port = 0;
  await until(
    `${name} ${version} installed on ${node}`,
    async () => {
      const o = await r.observe(node, name);
      if (o?.version !== version || o.status.state !== 'installed' || o.status.port === undefined)
        return false;
      pid = o.status.pid;
      port = o.status.port;
      return (await healthz(port)).body === version;
    },
    30_000,
  );
  return { pid, port };
}

describe('GitOps end to end: Git, an orchestrator, node agents, processes', () => {
  it('runs the edge scenarios with real git, agents and processes, and leaves nothing behind', async () => {
    const r = await startRig(['en1', 'en2', 'en3'], (base) => ({
      'app1.yaml': deployment(base, 'app1', 'en1', 'v1'),
      'app2.yaml': deployment(base, 'app2', 'en2', 'v1'),
    }));
    rig = r;

    // 1. A new deployment pushed to Git is installed on its node.
    const first = await installed(r, 'en1', 'app1', 'v1');
    await installed(r, 'en2', 'app2', 'v1');
    r.push({ 'app3.yaml': deployment(r, 'app3', 'en3', 'v1') }, 'app3');
    await r.sync();
    const app3 = await installed(r, 'en3', 'app3', 'v1');
    const commit = (await r.status()).sources[0]?.commit;
    expect(commit).toMatch(/^[0-9a-f]{40}$/);

    // 2. A new version: updated with no gap in health (some version answers at every look).
    r.push({ 'app1.yaml': deployment(r, 'app1', 'en1', 'v2') }, 'app1 v2');
    const gaps: string[] = [];
    const looking = (async () => {
      for (;;) {
        const o = await r.observe('en1', 'app1');
        if (o?.version === 'v2' && o.status.state === 'installed') return;
        if (o && (await healthz(o.status.port ?? 0)).ok) continue;
        // The look can straddle the switch (old stopped just after it was observed): a gap is
        // when what the agent names now does not answer either.
        const now = await r.observe('en1', 'app1');
        if (!now || !(await healthz(now.status.port ?? 0)).ok) gaps.push(JSON.stringify(now?.status ?? null));
      }
    })();
    await r.sync();
    const second = await installed(r, 'en1', 'app1', 'v2');
    await looking;
    expect(gaps).toEqual([]);
    expect(second.pid).not.toBe(first.pid);
    await until('the old version is stopped', async () => !(await live(r)).includes(first.pid));

    // 3. Deleted in Git: stopped on its node.
    r.push({ 'app3.yaml': null }, 'no app3');
    await r.sync();
    await until('app3 is stopped', async () => (await r.observe('en3', 'app3')) === undefined, 20_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${r.log().slice(-3000)}`);
      },
    );
    await until('its process is gone', async () => !(await live(r)).includes(app3.pid));

    // 4. A node crashes: unreachable (not Degraded, attempts kept); back with nothing: reinstalled.
    await r.crash('en2');
    await until(
      'app2 shows NodeUnreachable',
      async () => ready(await r.status(), 'deployments/app2')?.reason === 'NodeUnreachable',
      20_000,
    );
    const shown = execFileSync(process.execPath, [builtCli().bin, 'status'], {
      cwd: join(r.dir, 'orchestrator'),
    }).toString();
    expect(shown).toMatch(/deployments\/app2 .* no \(NodeUnreachable\)/);
    expect(shown).toMatch(/Source git \(.*repo\.git main\): at commit [0-9a-f]{12}/);
    expect(shown).toContain('Nodes: en1 reachable, en2 UNREACHABLE, en3 reachable');
    const away = resource(await r.status(), 'deployments/app2');
    expect(away?.conditions.find((c) => c.type === 'Degraded')?.status).toBe(false);
    await r.restart('en2');
    await installed(r, 'en2', 'app2', 'v1');

    // 5. A process that dies is restarted.
    process.kill(second.pid, 'SIGKILL');
    const third = await installed(r, 'en1', 'app1', 'v2').then(async (again) => {
      if (again.pid !== second.pid) return again;
      await until(
        'a new pid',
        async () => (await r.observe('en1', 'app1'))?.status.pid !== second.pid,
        20_000,
      );
      return installed(r, 'en1', 'app1', 'v2');
    });
    expect(third.pid).not.toBe(second.pid);

    // 6. A version that never starts: tried maxRetries (3) times, then rolled back to the last
    // good spec, which is still the one running; and then left alone (no action loop).
    r.push({ 'app1.yaml': deployment(r, 'app1', 'en1', 'v3', 'exit') }, 'app1 v3 broken');
    await r.sync();
    await until(
      'app1 is rolled back',
      async () => {
        const s = resource(await r.status(), 'deployments/app1');
        return s?.rolledBack === true && ready(await r.status(), 'deployments/app1')?.status === true;
      },
      40_000,
    );
    const rolled = await r.observe('en1', 'app1');
    expect(rolled?.version).toBe('v2');
    expect(rolled?.status.pid).toBe(third.pid);
    const attempts = resource(await r.status(), 'deployments/app1')?.attempts;
    await new Promise((resolve) => setTimeout(resolve, 3000)); // three resyncs
    const later = resource(await r.status(), 'deployments/app1');
    expect(later?.rolledBack).toBe(true);
    expect(later?.attempts).toBe(attempts);
    expect((await r.observe('en1', 'app1'))?.status.pid).toBe(third.pid);

    // 7. Kill -9 the orchestrator, then an agent: both adopt what runs, and start no second copy.
    const running = (await live(r)).sort();
    await r.restartOrchestrator();
    await until(
      'the orchestrator is Ready again',
      async () => {
        const s = await r.status();
        return ['deployments/app1', 'deployments/app2'].every((key) => ready(s, key)?.status === true);
      },
      30_000,
    );
    await r.restartAgent('en2');
    await installed(r, 'en2', 'app2', 'v1');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a resync or more
    expect((await live(r)).sort()).toEqual(running);

    // Nothing left behind: every service stopped with the rig, and no zombie among them.
    const before = await processesWith(r.fixture.marker);
    expect(before.filter((p) => p.state === 'Z')).toEqual([]);
    await r.stop();
    rig = undefined;
    await until('every service is gone', async () => (await processesWith(r.fixture.marker)).length === 0);
  }, 180_000);
});
