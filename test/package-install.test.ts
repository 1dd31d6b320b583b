import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmEnv } from './helpers/npm-env.js';
import { until } from './helpers/poll.js';

// setpoint as a user gets it: packed by `npm pack` (which builds dist/ through `prepare`),
// installed into a project of its own, and used there through its command and its imports —
// with none of this repository's sources or devDependencies within reach.

const ROOT = join(import.meta.dirname, '..');
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, string | Record<string, string>>;
};

const CONFIG = `resources: ["resources/*.yaml"]
state: .setpoint
providers:
  files: { use: file, options: { root: ./out } }
`;
const RESOURCE = `kind: files
name: hello.txt
spec: { path: hello.txt, content: "hello\\n" }
`;

// Starts and stops a runtime with the memory provider, through the package's own doors.
const LIBRARY_SCRIPT = `import { createRuntime } from 'setpoint';
import { memoryProvider, seededRandom, TestClock } from 'setpoint/testing';
import { createSupervisor, STRATEGIES } from 'setpoint/supervisor';

const clock = new TestClock();
const users = memoryProvider({ kind: 'user', clock, random: seededRandom(1) });
const runtime = createRuntime({ providers: [users], clock, random: seededRandom(2) });
await runtime.start();
runtime.setDesired([{ kind: 'user', name: 'alice', spec: { role: 'admin' } }]);
await clock.advance(1_000);
await runtime.settled();
const phase = runtime.status('user/alice')?.phase;
await runtime.stop();
console.log(JSON.stringify({ alice: users.store.get('alice'), phase, createSupervisor: typeof createSupervisor, STRATEGIES }));
`;

describe('the package, packed and installed', () => {
  let work: string;
  let consumer: string;
  let packed: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'setpoint-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: ROOT,
      env: npmEnv(),
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [report] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    if (!report) throw new Error(`npm pack reported nothing: ${stdout}`);
    packed = report.files.map((file) => file.path);

    consumer = join(work, 'consumer');
    mkdirSync(join(consumer, 'resources'), { recursive: true });
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
    );
    writeFileSync(join(consumer, 'setpoint.yaml'), CONFIG);
    writeFileSync(join(consumer, 'resources', 'hello.yaml'), RESOURCE);
    writeFileSync(join(consumer, 'library.js'), LIBRARY_SCRIPT);
    writeFileSync(join(consumer, 'require.cjs'), "require('setpoint');\n");
    await run(
      'npm',
      [
        'install',
        join(work, report.filename),
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      { cwd: consumer, env: npmEnv(), timeout: 180_000 },
    );
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the build, the command, the schema and the README, and no sources or tests', () => {
    for (const path of [
      'dist/index.js',
      'dist/testing.js',
      'bin/setpoint.js',
      'schema/setpoint.schema.json',
      'dist/bundle/main.js',
      'dist/dashboard/index.html',
      'dist/dashboard/app.js',
      'dist/dashboard/app.css',
    ]) {
      expect(packed).toContain(path);
    }
    expect(packed).toContain('README.md');
    expect(packed).toContain('LICENSE');
    expect(packed.filter((path) => /^(src|test|examples|exercises|scripts|bench)\//.test(path))).toEqual([]);
    expect(packed.filter((path) => /\.test\.|\.map$/.test(path))).toEqual([]);
  });

  it('ships every file its exports map names, and offers import alone', () => {
    const installed = join(consumer, 'node_modules', 'setpoint');
    for (const [door, target] of Object.entries(pkg.exports)) {
      const conditions = typeof target === 'string' ? { default: target } : target;
      if (door !== './package.json')
        expect(Object.keys(conditions).sort(), door).toEqual(['import', 'types']);
      for (const file of Object.values(conditions))
        expect(existsSync(join(installed, file)), `${door}: ${file}`).toBe(true);
    }
  });

  it('runs `setpoint --version` and `setpoint validate` from node_modules/.bin', async () => {
    const bin = join(consumer, 'node_modules', '.bin', 'setpoint');
    const version = await run(bin, ['--version'], { cwd: consumer, timeout: 30_000 });
    expect(version.stdout.trim()).toBe(pkg.version);
    const validate = await run(bin, ['validate', '-c', 'setpoint.yaml'], { cwd: consumer, timeout: 30_000 });
    expect(validate.stdout).toContain('setpoint.yaml is valid: 1 resource');
  });

  it('serves the dashboard it ships from `setpoint run`', async () => {
    const bin = join(consumer, 'node_modules', '.bin', 'setpoint');
    writeFileSync(join(consumer, 'serve.yaml'), `${CONFIG}server: { listen: "127.0.0.1:0" }\n`);
    const child = spawn(bin, ['run', '-c', 'serve.yaml', '--json'], {
      cwd: consumer,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let log = '';
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
      });
      await until('it serves', () => /"url":"http:/.test(log), 30_000);
      const url = /"url":"(http:[^"]+)"/.exec(log)![1];
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('/assets/app.js');
      const script = await fetch(`${url}/assets/app.js`);
      expect(script.status).toBe(200);
      expect((await script.text()).length).toBeGreaterThan(10_000);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('is imported as setpoint, setpoint/testing and setpoint/supervisor, and a runtime starts and stops', async () => {
    const { stdout } = await run(process.execPath, ['library.js'], { cwd: consumer, timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({
      alice: { role: 'admin' },
      phase: 'synced',
      createSupervisor: 'function',
      STRATEGIES: ['oneForOne', 'oneForAll', 'restForOne'],
    });
  });

  it('refuses require(): the package is ESM only', async () => {
    const failed = await run(process.execPath, ['require.cjs'], { cwd: consumer, timeout: 30_000 }).then(
      () => undefined,
      (error: { stderr: string }) => error,
    );
    expect(failed?.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
});

describe('bin/setpoint.js chooses what to run', () => {
  // A copy of the bin beside a `src/` and a `dist/` that each say which one ran.
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  function layout(base: string, parts: { src?: boolean; dist?: boolean; bundle?: boolean }): string {
    mkdirSync(base, { recursive: true });
    const dir = mkdtempSync(join(base, 'setpoint-bin-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, 'bin', 'setpoint.js'), join(dir, 'bin', 'setpoint.js'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const main = (which: string) =>
      `export async function main(argv: string[]): Promise<number> { console.log('${which}', argv.join(' ')); return 7; }\n`;
    if (parts.src) {
      mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
      writeFileSync(join(dir, 'src', 'cli', 'main.ts'), main('sources'));
    }
    if (parts.dist) {
      mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
      writeFileSync(
        join(dir, 'dist', 'cli', 'main.js'),
        main('dist').replace(/: string\[\]\): Promise<number>/, ')'),
      );
    }
    if (parts.bundle) {
      mkdirSync(join(dir, 'dist', 'bundle'), { recursive: true });
      writeFileSync(
        join(dir, 'dist', 'bundle', 'main.js'),
        main('bundle').replace(/: string\[\]\): Promise<number>/, ')'),
      );
    }
    return dir;
  }
  async function start(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return run(process.execPath, [join(dir, 'bin', 'setpoint.js'), 'plan', '--json'], {
      timeout: 30_000,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  }
  // Under node_modules/.cache, tsx resolves as it does in a checkout; under the temp dir it does not.
  const checkout = join(ROOT, 'node_modules', '.cache');

  it('runs the sources in a checkout where tsx resolves, even when a dist/ exists', async () => {
    const result = await start(layout(checkout, { src: true, dist: true }));
    expect(result).toMatchObject({ code: 7, stdout: 'sources plan --json\n' });
  });

  it('runs the bundle in dist/bundle/ where tsx does not resolve, before the compiled dist/cli/', async () => {
    const result = await start(layout(tmpdir(), { src: true, dist: true, bundle: true }));
    expect(result).toMatchObject({ code: 7, stdout: 'bundle plan --json\n' });
  });

  it('runs dist/ where tsx does not resolve, even beside a src/', async () => {
    const result = await start(layout(tmpdir(), { src: true, dist: true }));
    expect(result).toMatchObject({ code: 7, stdout: 'dist plan --json\n' });
  });

  it('says dist/ is missing, without a stack, when an installed package was not built', async () => {
    const result = await start(layout(tmpdir(), {}));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^setpoint: dist\/ is missing: the package was not built; reinstall it or run npm run build/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
