import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/cli-io.js';
import { runCli } from '../src/cli/main.js';
import { systemClock, systemRandom } from '../src/time/clock.js';
import { tempProjects } from './helpers/temp-project.js';

// The commands in-process, with their output captured: cheap, so the finer cases live here;
// the subprocess tests (cli-e2e, cli-bad-inputs, cli-kill9) cover the real process.
async function setpoint(
  cwd: string,
  argv: string[],
  options: { tty?: boolean; env?: Record<string, string> } = {},
) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: {
      write: (text) => {
        out.stdout += text;
      },
      isTTY: options.tty ?? false,
    },
    stderr: {
      write: (text) => {
        out.stderr += text;
      },
      isTTY: options.tty ?? false,
    },
    env: options.env ?? {},
    cwd,
    clock: systemClock,
    random: systemRandom,
    onSignal: () => () => {},
    hold: () => () => {},
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
  };
  return { code: await runCli(argv, io), ...out };
}

const project = tempProjects('setpoint-cli-');

const FILES_CONFIG = `resources: ["*.res.yaml"]
providers:
  files: { use: file, options: { root: ./out } }
defaults: { backoff: { base: 10ms, cap: 50ms }, maxRetries: 2 }
`;

describe('setpoint, in-process', () => {
  it('prints its version from package.json, and refuses what it does not know', async () => {
    const version = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')).version;
    expect(await setpoint('.', ['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    const unknown = await setpoint('.', ['deploy']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(/^setpoint: unknown command "deploy"/);
  });

  it('validates to JSON: a summary, or every issue with its file relative to the working directory', async () => {
    const good = project({
      'setpoint.yaml': FILES_CONFIG,
      'a.res.yaml': 'kind: files\nname: a\nspec: { path: a }\n',
    });
    const ok = await setpoint(good, ['validate', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      ok: true,
      config: join(good, 'setpoint.yaml'),
      resources: 1,
      files: 1,
      kinds: ['files'],
    });
    const bad = project({
      'setpoint.yaml': FILES_CONFIG,
      'a.res.yaml': 'kind: files\nname: a\nspec: { path: a }\nextra: 1\n',
    });
    const refused = await setpoint(bad, ['validate', '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      issues: [{ code: 'unknown-key', file: 'a.res.yaml', line: 4 }],
    });
    expect(refused.stderr).toMatch(/^a\.res\.yaml:4:1 error unknown-key: /);
  });

  it('colours issues on a terminal, and not when NO_COLOR is set', async () => {
    const bad = project({ 'setpoint.yaml': `${FILES_CONFIG}bogus: 1\n` });
    const coloured = await setpoint(bad, ['validate'], { tty: true });
    expect(coloured.stderr).toContain('\u001b[31merror');
    const plain = await setpoint(bad, ['validate'], { tty: true, env: { NO_COLOR: '1' } });
    expect(plain.stderr).not.toContain('\u001b[');
  });

  it('loads a module provider from createProvider, provider or the default export, with its options', async () => {
    const provider = (kind: string) =>
      `{ kind: ${kind}, observe: async () => undefined, create: async () => {}, update: async () => {}, delete: async () => {} }`;
    const variants = {
      'factory.mjs': `export function createProvider(options, env) { if (options.flag !== true) throw new TypeError('flag missing'); return ${provider('env.kind')}; }`,
      'named.mjs': `export const provider = ${provider("'named'")};`,
      'default.mjs': `export default ${provider("'plain'")};`,
    };
    const dir = project({
      ...variants,
      'setpoint.yaml': `resources: [r.yaml]
providers:
  made: { module: ./factory.mjs, options: { flag: true } }
  named: { module: ./named.mjs }
  plain: { module: ./default.mjs }
`,
      'r.yaml':
        'kind: made\nname: a\nspec: {}\n---\nkind: named\nname: b\nspec: {}\n---\nkind: plain\nname: c\nspec: {}\n',
    });
    const done = await setpoint(dir, ['plan']);
    expect(done.stderr).toBe('');
    expect(done.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
  });

  it('says which module provider is wrong and why, before anything runs', async () => {
    const dir = project({
      'wrong-kind.mjs': `export default { kind: 'other', observe() {}, create() {}, update() {}, delete() {} };`,
      'nothing.mjs': 'export const unrelated = 1;',
      'half.mjs': `export const provider = { kind: 'half', observe() {} };`,
      'setpoint.yaml': `resources: [r.yaml]
providers:
  wrong: { module: ./wrong-kind.mjs }
  none: { module: ./nothing.mjs }
  half: { module: ./half.mjs }
`,
      'r.yaml': 'kind: wrong\nname: a\nspec: {}\n',
    });
    const done = await setpoint(dir, ['validate']);
    expect(done.code).toBe(1);
    expect(done.stderr).toContain('provider for kind `wrong` (module wrong-kind.mjs): its kind is `other`');
    expect(done.stderr).toContain(
      'provider for kind `none` (module nothing.mjs): the module exports no provider',
    );
    expect(done.stderr).toContain('Provider `half` is missing `create`, `update`, `delete`');
    expect(done.stderr).toMatch(/3 problems found; nothing was changed\.\n$/);
  });

  it('shows the plan and applies nothing with apply --dry-run', async () => {
    const dir = project({
      'setpoint.yaml': FILES_CONFIG,
      'a.res.yaml': 'kind: files\nname: a\nspec: { path: a, content: "x" }\n',
    });
    const done = await setpoint(dir, ['apply', '--dry-run']);
    expect(done.code).toBe(0);
    expect(done.stdout).toBe(
      '  + files/a\n      + content: "x"\n      + path: "a"\n\nPlan: 1 to add, 0 to change, 0 to destroy.\n\nDry run: nothing was applied.\n',
    );
    expect(() => readFileSync(join(dir, 'out', 'a'))).toThrow();
  });

  it('gives up when a resource fails for good, blocks what depends on it, and reports both as JSON', async () => {
    const dir = project({
      'setpoint.yaml': FILES_CONFIG,
      'a.res.yaml': `kind: files
name: blocker
spec: { path: blocker, content: "a file where a directory should be" }
---
kind: files
name: dir
spec: { path: blocker/dir, type: directory }
dependsOn: [files/blocker]
---
kind: files
name: inside
spec: { path: blocker/dir/inside, content: "x" }
dependsOn: [files/dir]
`,
    });
    // `dir` cannot be made under a file: its parent is a file. Make that fail for good.
    const first = await setpoint(dir, ['apply', '--json']);
    expect(first.code).toBe(1);
    const report = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ ok: false, outcome: 'failed', synced: ['files/blocker'] });
    expect(report.failed).toMatchObject([{ key: 'files/dir' }]);
    expect(report.blocked).toEqual([{ key: 'files/inside', reason: 'waits for files/dir, which failed' }]);
    expect(first.stderr).toMatch(
      /Apply failed: 1 of 3 resources in sync\.\n {2}x files\/dir: .*\n {2}x files\/inside: waits for files\/dir, which failed\n$/,
    );
  });

  it('stops at the --timeout, naming what is still working', async () => {
    const dir = project({
      'hang.mjs': `export default (options, env) => ({ kind: env.kind, observe: () => new Promise(() => {}), create: async () => {}, update: async () => {}, delete: async () => {} });`,
      'setpoint.yaml':
        'resources: [r.yaml]\nproviders:\n  slow: { module: ./hang.mjs }\ndefaults: { timeout: 10s, shutdownTimeout: 100ms }\n',
      'r.yaml': 'kind: slow\nname: a\nspec: {}\n',
    });
    const done = await setpoint(dir, ['apply', '--timeout', '300ms']);
    expect(done.code).toBe(1);
    expect(done.stderr).toContain(
      'Apply timed out after 300ms: 0 of 1 resource in sync; still working on slow/a.',
    );
  });

  it('shows a terminal a status line while applying', async () => {
    const dir = project({
      'setpoint.yaml': FILES_CONFIG,
      'a.res.yaml': 'kind: files\nname: a\nspec: { path: a }\n',
    });
    const done = await setpoint(dir, ['apply'], { tty: true, env: { NO_COLOR: '1' } });
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('\r\u001b[2K');
    expect(done.stderr).toMatch(/in sync/);
    expect(done.stdout).toContain('Apply complete: 1 resource in sync; 1 created');
  });

  it('exits 1 from run when its address is taken, and releases the state', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const dir = project({
        'setpoint.yaml': `${FILES_CONFIG}server: { listen: "127.0.0.1:${port}" }\n`,
        'a.res.yaml': 'kind: files\nname: a\nspec: { path: a }\n',
      });
      const done = await setpoint(dir, ['run']);
      expect(done.code).toBe(1);
      expect(done.stderr).toContain(`setpoint: cannot listen on 127.0.0.1:${port} (server.listen): `);
      expect(done.stderr).toContain('EADDRINUSE');
      expect((await setpoint(dir, ['plan'])).code).toBe(0); // the lock was released
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('reports status from the state directory when no instance answers', async () => {
    const dir = project({
      'setpoint.yaml': `${FILES_CONFIG}server: { listen: "127.0.0.1:1" }\n`,
      'a.res.yaml': 'kind: files\nname: a\nspec: { path: a }\n',
    });
    const empty = await setpoint(dir, ['status']);
    expect(empty.stdout).toContain('nothing is managed yet');
    expect((await setpoint(dir, ['apply'])).code).toBe(0);
    // A broken resource file does not stop status: it reads only the config's state and server.
    writeFileSync(join(dir, 'a.res.yaml'), 'kind: [\n');
    const done = await setpoint(dir, ['status', '--json']);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      source: 'state',
      url: 'http://127.0.0.1:1/status',
      exists: true,
      entries: [{ key: 'files/a', origin: 'created', lastApplied: { path: 'a' } }],
      pending: [],
    });
  });
});
