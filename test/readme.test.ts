import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { npmEnv } from './helpers/npm-env.js';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const run = promisify(execFile);

/** The fenced block of `lang` that follows `after` in the README. */
function blockAfter(after: string, lang: string): string {
  const from = readme.indexOf(after);
  expect(from, `README has "${after}"`).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf(`\`\`\`${lang}\n`, from);
  const close = readme.indexOf('\n```', open + 1);
  return readme.slice(open + lang.length + 4, close + 1);
}

describe('the README', () => {
  it('shows the library example exactly as examples/readme/main.ts has it', () => {
    const shown = blockAfter('## Use it as a library', 'ts');
    const file = readFileSync(join(root, 'examples/readme/main.ts'), 'utf8');
    expect(shown).toBe(file.replace("from '../../src/index.js'", "from 'setpoint'"));
  });

  it('shows exactly what the library example prints', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/readme/main.ts'], {
      cwd: root,
      timeout: 30_000,
    });
    expect(stdout).toBe(blockAfter('It prints', 'text'));
  });

  it('documents the two commands of a fresh clone, and the test command is the one CI runs', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const tryIt = blockAfter('## Try it', 'sh');
    expect(tryIt).toContain('npm install');
    expect(tryIt).toContain('npm run quickstart');
    expect(tryIt).toContain('npm test');
    expect(pkg.scripts.quickstart).toBeDefined();
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(/npm ci[^\n]*\nnpm test\n/);
  });
});

/** Every command in the README's `sh` blocks, in order, without its comment. */
function shellCommands(): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)\n```/g)].map((found) => found[1] ?? '');
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}

/**
 * The README's commands this test does not run, each with why. Every other command is run, so
 * a command added to the README is either run or named here: never silently skipped.
 */
const NOT_RUN: Record<string, string> = {
  'npm install': 'installs the dependencies this test already runs on',
  'npm test': 'the whole suite, which holds this test',
  'npm pack': 'test/package-install.test.ts packs the package and installs it',
  'node bin/setpoint.js run -c examples/quickstart/setpoint.yaml':
    'runs until stopped; test/cli-e2e.test.ts starts and stops it',
  'node bin/setpoint.js approve -c examples/quickstart/setpoint.yaml':
    'needs a running instance; test/server-approve-deletions.test.ts covers it',
  'node bin/setpoint.js get -c examples/quickstart/setpoint.yaml':
    'needs a running instance; test/cli-api-client.test.ts covers it',
  'node bin/setpoint.js apply -f more.yaml -c examples/quickstart/setpoint.yaml':
    'needs a running instance and a file of your own; test/cli-api-client.test.ts covers it',
  'node bin/setpoint.js watch -c examples/quickstart/setpoint.yaml':
    'needs a running instance and runs until stopped; test/cli-api-client.test.ts covers it',
  'npm run example -- gitops-edge':
    'starts agents, an orchestrator and services for 10 to 20 s; test/examples.test.ts runs it and checks it',
};

/**
 * A copy of the repository as a fresh clone has it: the files git tracks or would track (so not
 * `dist/`, not what the quickstart wrote), and the dependencies `npm install` would have put in
 * `node_modules` (a link to this checkout's).
 */
async function freshClone(): Promise<string> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  const copy = mkdtempSync(join(tmpdir(), 'setpoint-clone-'));
  for (const path of stdout.split('\0')) {
    if (path === '' || path === 'node_modules' || path.startsWith('node_modules/')) continue;
    const from = join(root, path);
    if (!existsSync(from) || !statSync(from).isFile()) continue;
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    copyFileSync(from, join(copy, path));
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

/** How a README command starts, by its first word; anything else must be added here. */
function program(name: string): string {
  const programs: Record<string, string> = { node: process.execPath, npm: 'npm', npx: 'npx' };
  const found = programs[name];
  if (!found)
    throw new Error(`README runs \`${name}\`: say in test/readme.test.ts how to run it, or why not`);
  return found;
}

describe("the README's commands", () => {
  const commands = shellCommands();
  const copies: string[] = [];
  afterAll(() => {
    for (const copy of copies) rmSync(copy, { recursive: true, force: true });
  });

  it('are each run below or named as not run, and every one named is still in the README', () => {
    expect(commands.length).toBeGreaterThan(5);
    for (const skipped of Object.keys(NOT_RUN))
      expect(commands, `NOT_RUN names "${skipped}"`).toContain(skipped);
    // Split on spaces below: a command with quotes, pipes or variables needs a shell.
    for (const command of commands) expect(command, command).toMatch(/^[\w./=:@-]+( [\w./=:@-]+)*$/);
  });

  it('describe the quickstart one way, as the command its script runs', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const said = [...readme.matchAll(/^npm run quickstart +# (.*)$/gm)].map((found) => found[1]);
    expect(said.length).toBeGreaterThan(1);
    expect(new Set(said).size, said.join(' | ')).toBe(1);
    expect(readme).toContain(`\`npm run quickstart\` is \`${pkg.scripts.quickstart}\``);
  });

  it('exit 0 pasted in order at the root of a fresh clone', async () => {
    const copy = await freshClone();
    copies.push(copy);
    const ran: string[] = [];
    for (const command of commands) {
      if (command in NOT_RUN) continue;
      const [name = '', ...args] = command.split(' ');
      const result = await run(program(name), args, { cwd: copy, env: npmEnv(), timeout: 60_000 }).then(
        () => 0,
        (error: { code?: number; stdout?: string; stderr?: string }) =>
          `${command} exited ${error.code}:\n${error.stdout ?? ''}${error.stderr ?? ''}`,
      );
      expect(result, command).toBe(0);
      ran.push(command);
    }
    expect(ran).toContain('npm run quickstart');
    expect(ran.some((command) => / validate /.test(command))).toBe(true);
    // The quickstart made its files in the copy, where its README says.
    expect(existsSync(join(copy, 'examples', 'quickstart', 'out', 'site', 'index.html'))).toBe(true);
  }, 240_000);
});
