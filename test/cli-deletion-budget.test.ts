import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from './helpers/built-cli.js';
import { freePort, until } from './helpers/poll.js';

const BIN = builtCli().bin; // compiled once for the run: each process starts faster

/** Run the real `setpoint` to its end (killed after 30 s, so a hang fails the test). */
function setpoint(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ...out });
    }),
  );
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Poll until `check` holds; fail with `what` after 15 s. */
/** A project whose resources are files f0.txt, f1.txt, … in out/, with prune on. */
function project(count: number, more = '', budget = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-budget-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'setpoint.yaml'),
    `resources: ["res/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out }${budget} }\ndefaults: { prune: true }\n${more}`,
  );
  desire(dir, count);
  return dir;
}

/** Make the first `count` files desired, and no others. */
function desire(dir: string, count: number): void {
  const res = join(dir, 'res');
  rmSync(res, { recursive: true, force: true });
  mkdirSync(res);
  for (let i = 0; i < count; i++) {
    writeFileSync(
      join(res, `f${i}.yaml`),
      `kind: files\nname: f${i}\nspec: { path: f${i}.txt, content: "${i}" }\n`,
    );
  }
}

const files = (dir: string) => readdirSync(join(dir, 'out')).sort();

describe('setpoint apply and the deletion budget', () => {
  it('holds deletes beyond the budget, says so and exits 3; --approve-deletions deletes them', async () => {
    const dir = project(12);
    expect((await setpoint(['apply'], dir)).code).toBe(0);
    expect(files(dir)).toHaveLength(12);

    desire(dir, 1);
    const shrunk = await setpoint(['apply', '--json'], dir);
    expect(shrunk.code).toBe(3);
    // The default budget: the larger of 5 and 10 % of the 12 managed.
    expect(files(dir)).toHaveLength(1 + 11 - 5);
    expect(shrunk.stderr).toMatch(
      /6 deletes of files held by the deletion budget \(budget 5 per 60m\): files\/f/,
    );
    expect(shrunk.stderr).toContain('setpoint apply --approve-deletions');
    const report = JSON.parse(shrunk.stdout) as { ok: boolean; heldDeletions: string[] };
    expect(report.ok).toBe(false);
    expect(report.heldDeletions).toHaveLength(6);

    // A new run has a new budget (5 of the 7 managed): one of the six needs the approval.
    const approved = await setpoint(['apply', '--approve-deletions'], dir);
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('Approved 1 delete over the deletion budget.');
    expect(files(dir)).toEqual(['f0.txt']);
  });
});

describe('setpoint approve', () => {
  it('lets a running instance delete what it holds, with the token, by key or all', async () => {
    const port = await freePort();
    const dir = project(
      3,
      `server: { listen: "127.0.0.1:${port}", token: s3cret }\n`,
      ', deletionBudget: { max: 0, fraction: 0 }',
    );
    const run = spawn(process.execPath, [BIN, 'run'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let log = '';
    run.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const exited = new Promise((resolve) => run.on('close', resolve));
    try {
      const held = async () => {
        const response = await fetch(`http://127.0.0.1:${port}/status`, {
          headers: { authorization: 'Bearer s3cret' },
        }).catch(() => undefined);
        if (response?.status !== 200) return [];
        return ((await response.json()) as { heldDeletions: { key: string }[] }).heldDeletions.map(
          (h) => h.key,
        );
      };
      await until('the three files exist', () => {
        try {
          return files(dir).length === 3;
        } catch {
          return false;
        }
      });
      desire(dir, 1);
      await until('two deletes are held', async () => (await held()).length === 2);
      expect(files(dir)).toEqual(['f0.txt', 'f1.txt', 'f2.txt']);
      const status = await setpoint(['status'], dir);
      expect(status.stdout).toContain(
        'Deletes held by the deletion budget (setpoint approve lets them go): files/f1, files/f2',
      );

      const one = await setpoint(['approve', '--key', 'files/f2'], dir);
      expect(one).toMatchObject({ code: 0, stderr: '' });
      expect(one.stdout).toBe('Approved 1 held delete: files/f2.\nStill held: files/f1.\n');
      await until('f2.txt is deleted', () => !files(dir).includes('f2.txt'));
      expect(files(dir)).toEqual(['f0.txt', 'f1.txt']);

      const rest = await setpoint(['approve', '--json'], dir);
      expect(JSON.parse(rest.stdout)).toEqual({ approved: ['files/f1'], heldDeletions: [] });
      await until('f1.txt is deleted', () => files(dir).length === 1);
    } finally {
      run.kill('SIGTERM');
      await exited;
    }
    expect(log).not.toContain('unexpected error');
  });
});
