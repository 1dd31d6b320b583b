import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from './helpers/built-cli.js';
import { freePort, until } from './helpers/poll.js';

// The real command, as a subprocess, on a temporary directory. Real time cannot be avoided
// here: every wait polls a file or an HTTP endpoint with a bounded deadline. The command is the
// CLI compiled once for the test run; `bin/setpoint.js` itself, as a user starts it, is run by
// the README's commands (`test/readme.test.ts`) and from an installed package
// (`test/package-install.test.ts`).
const BIN = builtCli().bin;

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command to its end (killed after 30 s, so a hang fails the test instead of leaking). */
function setpoint(args: string[], cwd: string): Promise<Done> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return finished(child, collect(child)).finally(() => clearTimeout(timer));
}

function collect(child: ChildProcess) {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  return out;
}

function finished(child: ChildProcess, out: { stdout: string; stderr: string }): Promise<Done> {
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, ...out })));
}

async function httpStatus(url: string): Promise<number> {
  try {
    const response = await fetch(url);
    await response.text();
    return response.status;
  } catch {
    return 0;
  }
}

const MOTD = (content: string) =>
  `kind: files\nname: motd.txt\nspec: { path: motd.txt, content: ${JSON.stringify(content)}, mode: "0644" }\n`;

const SITE = `kind: files
name: site
spec: { path: site, type: directory }
---
kind: files
name: site/index.html
spec: { path: site/index.html, content: "<h1>hi</h1>\\n" }
dependsOn: [files/site]
`;

describe('the setpoint command, end to end', () => {
  let dir: string;
  let port: number;
  const read = (path: string) => readFileSync(join(dir, 'out', path), 'utf8');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'setpoint-e2e-'));
    port = await freePort();
    mkdirSync(join(dir, 'resources'));
    writeFileSync(
      join(dir, 'setpoint.yaml'),
      `resources: ["resources/*.yaml"]
state: .setpoint
providers:
  files: { use: file, options: { root: ./out } }
defaults:
  interval: 200ms
  backoff: { base: 50ms, cap: 500ms }
  shutdownTimeout: 5s
server: { listen: "127.0.0.1:${port}" }
`,
    );
    writeFileSync(join(dir, 'resources', 'motd.yaml'), MOTD('hello\n'));
    writeFileSync(join(dir, 'resources', 'site.yaml'), SITE);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validates the config and says what it found', async () => {
    const done = await setpoint(['validate'], dir);
    expect(done).toMatchObject({ code: 0, stderr: '' });
    expect(done.stdout).toBe('setpoint.yaml is valid: 3 resources in 2 files, 1 kind (files).\n');
  });

  it('plans the creates in Terraform grammar and exits 2 with --detailed-exitcode', async () => {
    const done = await setpoint(['plan', '--detailed-exitcode'], dir);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(2);
    expect(done.stdout).toBe(
      [
        '  + files/motd.txt',
        '      + content: "hello\\n"',
        '      + mode: "0644"',
        '      + path: "motd.txt"',
        '',
        '  + files/site',
        '      + path: "site"',
        '      + type: "directory"',
        '',
        '  + files/site/index.html',
        '      + content: "<h1>hi</h1>\\n"',
        '      + path: "site/index.html"',
        '',
        'Plan: 3 to add, 0 to change, 0 to destroy.',
        '',
      ].join('\n'),
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('applies the plan, dependencies first, and exits 0 once everything is in sync', async () => {
    const done = await setpoint(['apply'], dir);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^Applying 3 resources from setpoint\.yaml\.\n/);
    expect(done.stdout).toMatch(/Apply complete: 3 resources in sync; 3 created \(\d+(\.\d)?m?s\)\.\n$/);
    const lines = done.stdout.split('\n');
    expect(lines.indexOf('  + files/site: created')).toBeLessThan(
      lines.indexOf('  + files/site/index.html: created'),
    );
    expect(read('motd.txt')).toBe('hello\n');
    expect(statSync(join(dir, 'out', 'motd.txt')).mode & 0o777).toBe(0o644);
    expect(read('site/index.html')).toBe('<h1>hi</h1>\n');
  });

  it('then plans no changes and exits 0', async () => {
    const done = await setpoint(['plan', '--detailed-exitcode'], dir);
    expect(done).toMatchObject({ code: 0, stderr: '' });
    expect(done.stdout).toBe('No changes. The desired state matches the observed state.\n');
  });

  it('plans the drift after a file is changed by hand', async () => {
    writeFileSync(join(dir, 'out', 'motd.txt'), 'tampered\n');
    const done = await setpoint(['plan', '--detailed-exitcode'], dir);
    expect(done.code).toBe(2);
    expect(done.stdout).toBe(
      '  ~ files/motd.txt\n      ~ content: "tampered\\n" -> "hello\\n"\n\nPlan: 0 to add, 1 to change, 0 to destroy.\n',
    );
    const json = await setpoint(['plan', '--json'], dir);
    expect(JSON.parse(json.stdout)).toMatchObject({
      format: 'setpoint-plan/1',
      summary: { add: 0, change: 1, destroy: 0 },
      actions: [
        {
          action: 'update',
          key: 'files/motd.txt',
          changes: [{ path: 'content', old: 'tampered\n', new: 'hello\n' }],
        },
      ],
    });
  });

  it('runs: corrects drift, reloads edits, keeps the last good set on a broken edit, stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'run'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    const out = collect(child);
    const exited = finished(child, out);
    try {
      const base = `http://127.0.0.1:${port}`;
      await until('/readyz answers 200', async () => (await httpStatus(`${base}/readyz`)) === 200);
      await until('the drift made before the start is corrected', () => read('motd.txt') === 'hello\n');
      expect(JSON.parse(out.stderr.split('\n')[0] ?? '')).toMatchObject({
        level: 30,
        msg: 'desired state accepted',
      });

      // A second process is refused the state lock, clearly, and changes nothing.
      for (const command of ['plan', 'apply']) {
        const locked = await setpoint([command], dir);
        expect(locked.code, command).toBe(1);
        expect(locked.stderr, command).toMatch(
          /state directory .*\.setpoint is locked by pid \d+ .*stop that process/,
        );
      }

      // status asks the running instance.
      const status = await setpoint(['status', '--json'], dir);
      expect(status.code).toBe(0);
      const body = JSON.parse(status.stdout) as {
        source: string;
        ready: boolean;
        resources: { key: string }[];
      };
      expect(body).toMatchObject({ source: 'server', ready: true });
      expect(body.resources.map((r) => r.key)).toEqual([
        'files/motd.txt',
        'files/site',
        'files/site/index.html',
      ]);

      // Drift while running is corrected on the next tick.
      writeFileSync(join(dir, 'out', 'motd.txt'), 'tampered again\n');
      await until('the drift made while running is corrected', () => read('motd.txt') === 'hello\n');

      // An edit of a resource file is applied.
      writeFileSync(join(dir, 'resources', 'motd.yaml'), MOTD('hello again\n'));
      await until('the edited resource is applied', () => read('motd.txt') === 'hello again\n');

      // A broken edit is refused with file:line, and the last good desired state keeps running.
      writeFileSync(join(dir, 'resources', 'motd.yaml'), 'kind: files\nname: [motd\n');
      await until('the broken edit is logged', () =>
        out.stderr.includes('the last good desired state keeps running'),
      );
      expect(out.stderr).toMatch(/"msg":"resources\/motd\.yaml:\d+:\d+ yaml-syntax: /);
      const reload = (await (await fetch(`${base}/status`)).json()) as { lastReload: { ok: boolean } };
      expect(reload.lastReload.ok).toBe(false);
      writeFileSync(join(dir, 'out', 'motd.txt'), 'tampered once more\n');
      await until('the last good spec is still enforced', () => read('motd.txt') === 'hello again\n');
      expect(await httpStatus(`${base}/healthz`)).toBe(200);

      const stopping = Date.now();
      child.kill('SIGTERM');
      const done = await exited;
      expect(done.code).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(5000);
      expect(out.stderr).toContain('"msg":"stopped"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    const offline = await setpoint(['status'], dir);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain(
      `No setpoint answered at http://127.0.0.1:${port}/status; from the state directory .setpoint:`,
    );
    expect(offline.stdout).toMatch(/files\/site\/index\.html\s+created/);
    expect(offline.stdout).toContain('3 managed; 0 intents pending.');
  });
});

describe('the setpoint command, pruning and failing', () => {
  it('prunes what leaves the desired set, and refuses to prune everything unless allowEmpty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'setpoint-prune-'));
    try {
      mkdirSync(join(dir, 'resources'));
      const config = (allowEmpty: boolean) =>
        `resources: ["resources/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out } }\n` +
        `defaults: { prune: true, allowEmpty: ${allowEmpty}, backoff: { base: 20ms, cap: 100ms } }\n`;
      writeFileSync(join(dir, 'setpoint.yaml'), config(false));
      writeFileSync(join(dir, 'resources', 'site.yaml'), SITE);
      writeFileSync(join(dir, 'resources', 'motd.yaml'), MOTD('hi\n'));
      expect((await setpoint(['apply'], dir)).code).toBe(0);

      rmSync(join(dir, 'resources', 'motd.yaml'));
      const pruned = await setpoint(['apply', '--json'], dir);
      expect(pruned.code).toBe(0);
      expect(JSON.parse(pruned.stdout)).toMatchObject({
        ok: true,
        outcome: 'converged',
        actions: { delete: 1 },
      });
      expect(existsSync(join(dir, 'out', 'motd.txt'))).toBe(false);

      writeFileSync(join(dir, 'resources', 'site.yaml'), '# nothing left\n');
      const refused = await setpoint(['apply'], dir);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('would delete all 2 managed resources');
      expect(existsSync(join(dir, 'out', 'site', 'index.html'))).toBe(true);

      writeFileSync(join(dir, 'setpoint.yaml'), config(true));
      const emptied = await setpoint(['apply'], dir);
      expect(emptied.code).toBe(0);
      expect(emptied.stdout).toContain('Apply complete: 0 resources in sync; 2 deleted');
      expect(existsSync(join(dir, 'out', 'site'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 from run when the root supervisor gives up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'setpoint-crash-'));
    try {
      writeFileSync(
        join(dir, 'broken.mjs'),
        `export default (options, env) => ({
  kind: env.kind,
  async observe() { return 'not an object'; }, // a bug: every actor of the kind crashes, every time
  async create() {}, async update() {}, async delete() {},
});\n`,
      );
      // Every resource of the kind crashing is a systemic failure: it escalates to the root.
      const things = ['a', 'b', 'c', 'd', 'e'].map((name) => `kind: things\nname: ${name}\nspec: {}\n`);
      writeFileSync(join(dir, 'things.yaml'), things.join('---\n'));
      writeFileSync(
        join(dir, 'setpoint.yaml'),
        `resources: [things.yaml]\nproviders:\n  things: { module: ./broken.mjs }\nserver: { listen: "127.0.0.1:0" }\n`,
      );
      const done = await setpoint(['run'], dir);
      expect(done.code).toBe(1);
      expect(done.stderr).toContain('the root supervisor gave up');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
