// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references
import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { builtCli } from './helpers/built-cli.js';
import { freePort, until } from './helpers/poll.js';
import { postgresTests } from './helpers/postgres.js';
import { startServingRun } from './helpers/serving-run.js';
import { tempProjects } from './helpers/temp-project.js';

/**
 * `setpoint run | status | plan | apply` with a postgres store, as an operator runs them: real
 * processes on one real database.
 */
const run = promisify(execFile);
const files = tempProjects('setpoint-cli-cluster-');
const pgt = postgresTests();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const resource = (i: number, content = `v1 ${i}`) =>
  `kind: files\nname: f${i}\nspec: { path: f${i}.txt, content: "${content}" }\n`;

function project(url: string, cluster: string, count = 12) {
  const entries: Record<string, string> = {
    'setpoint.yaml':
      `resources: ["resources/*.yaml"]\nstore: ${url}\ncluster: ${cluster}\n` +
      'providers: { files: { use: file, options: { root: ./out } } }\ndefaults: { interval: 1s }\n' +
      'server: { listen: "127.0.0.1:0" }\n',
  };
  for (let i = 0; i < count; i++) entries[`resources/f${i}.yaml`] = resource(i);
  return files(entries);
}

const startRun = (dir: string) => startServingRun(dir, children);

const cli = (dir: string, ...args: string[]) =>
  run(process.execPath, [builtCli().bin, ...args], { cwd: dir }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

describe('setpoint with a postgres store', () => {
  it('runs as a group: status shows members, shards and epochs; plan reads beside it; a stopped member hands over', async () => {
    const url = (await pgt.database('cli_group')).url;
    const dir = project(url, '{ shards: 8, leaseTtl: 3s, renewEvery: 500ms }');
    const [a, b] = [await startRun(dir), await startRun(dir)];
    await until('every file is written', () =>
      Array.from({ length: 12 }, (_, i) => existsSync(join(dir, `out/f${i}.txt`))).every(Boolean),
    );
    let view: {
      members: { id: string; live: boolean }[];
      shards: { owner: string | null; epoch: number }[];
      resources: { ready: boolean }[];
    };
    // Balanced (4 and 4), so no shard is between owners when the text is read after.
    await until('two members share the shards evenly, every resource ready', async () => {
      const status = await cli(dir, 'status', '--json');
      view = JSON.parse(status.stdout);
      const owners = view.shards.map((s) => s.owner);
      const counts = [...new Set(owners)].map((o) => owners.filter((x) => x === o).length);
      return (
        view.members.filter((m) => m.live).length === 2 &&
        !owners.includes(null) &&
        counts.length === 2 &&
        counts.every((n) => n === view.shards.length / 2) &&
        view.resources.every((r) => r.ready)
      );
    });
    const text = await cli(dir, 'status');
    expect(text.stdout).toMatch(/2 live instances, 8 of 8 shards owned, 12 resources \(12 ready\)/);
    expect(text.stdout).toMatch(/SHARD\s+OWNER\s+EPOCH\s+LEASE/);
    for (const instance of [a, b]) expect((await fetch(`${instance.url}/readyz`)).status).toBe(200);

    const plan = await cli(dir, 'plan');
    expect(plan).toMatchObject({ code: 0 });
    expect(plan.stdout).toContain('No changes');

    a.child.kill('SIGTERM');
    await until('a stopped', () => a.child.exitCode !== null);
    expect(a.child.exitCode).toBe(0);
    expect(a.log()).toMatch(/lost \d+ shards? \(stopped\)/);
    await until(
      'b holds every shard',
      async () => {
        const status = JSON.parse((await cli(dir, 'status', '--json')).stdout) as typeof view;
        return status.shards.every((s) => s.owner === status.members.find((m) => m.live)?.id);
      },
      10_000,
    );
    writeFileSync(join(dir, 'out/f3.txt'), 'drifted');
    // Drift is corrected by the new owner of its shard, on its interval.
    await until(
      'b repaired the drift',
      () => readFileSync(join(dir, 'out/f3.txt'), 'utf8') === 'v1 3',
      10_000,
    );
  }, 90_000);

  it('apply publishes to the running instances and waits until they report the set Ready', async () => {
    const url = (await pgt.database('cli_apply')).url;
    const dir = project(url, '{ shards: 4, leaseTtl: 3s, renewEvery: 500ms, publish: false }', 6);
    const none = await cli(dir, 'apply');
    expect(none).toMatchObject({ code: 0 });
    expect(none.stdout).toContain('6 added');
    expect(none.stdout).toContain('No instance is running');
    await startRun(dir);
    writeFileSync(join(dir, 'resources/f2.yaml'), resource(2, 'v2'));
    const applied = await cli(dir, 'apply', '--timeout', '30s');
    expect(applied.stderr).toBe('');
    expect(applied).toMatchObject({ code: 0 });
    expect(applied.stdout).toContain('1 changed');
    expect(applied.stdout).toContain('Converged: 6 resources');
    expect(readFileSync(join(dir, 'out/f2.txt'), 'utf8')).toBe('v2');
  }, 60_000);

  it('exits 1 for its supervisor when a session with the database is lost, its shards stopped', async () => {
    const url = (await pgt.database('cli_lost')).url;
    const dir = project(url, '{ shards: 4, leaseTtl: 3s, renewEvery: 500ms }', 2);
    const member = await startRun(dir);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    await db.end();
    const asked = Date.now();
    // Within its shutdown's grace at the latest (30 s + 2 s); it should take a moment.
    await until('it exits', () => member.child.exitCode !== null, 40_000).catch((error: Error) => {
      throw new Error(`${error.message}; its log:\n${member.log()}`);
    });
    process.stderr.write(`  lost database: exited ${Date.now() - asked} ms after its sessions ended\n`);
    expect(member.child.exitCode).toBe(1);
    expect(member.log()).toMatch(
      /lost a session with the database .*exiting so an outer supervisor can restart setpoint/,
    );
    expect(member.log()).toMatch(/lost 4 shards \(disconnected\)/);
  }, 60_000);

  it('says which database it could not reach, and where the config names it', async () => {
    const port = await freePort();
    const dir = project(`postgres://setpoint:hunter2@127.0.0.1:${port}/nothing`, '{ shards: 4 }', 1);
    for (const command of ['run', 'status', 'plan', 'apply']) {
      const result = await cli(dir, command);
      expect(result.code, command).toBe(1);
      expect(result.stderr + result.stdout, command).toContain(
        `postgres://setpoint:[redacted]@127.0.0.1:${port}/nothing`,
      );
      expect(result.stderr + result.stdout, command).toContain('check store: in setpoint.yaml');
      expect(result.stderr + result.stdout, command).not.toContain('hunter2');
    }
  }, 30_000);

  it('refuses to seal secrets without a key every instance shares', async () => {
    const url = (await pgt.database('cli_key')).url;
    const dir = project(url, '{ shards: 4 }', 1);
    writeFileSync(
      join(dir, 'resources/f0.yaml'),
      'kind: files\nname: s\nspec: { path: s.txt, content: "${env:TOKEN}" }\n',
    );
    const result = await run(process.execPath, [builtCli().bin, 'run'], {
      cwd: dir,
      env: { ...process.env, TOKEN: 'sesame' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toContain('SETPOINT_STATE_KEY');
  }, 30_000);
});
